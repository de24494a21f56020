import { describe, expect, it } from 'vitest';
import {
  type CpuProfile,
  groupTotals,
  nodeGroups,
  selfTimes,
  topFunctions,
} from '../../bench/profile-api.ts';

const REPO = new URL('../../', import.meta.url).href;
const frame = (functionName: string, url = '', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});
const verify = frame('verifyMath', `${REPO}shared/math/verify.ts`, 21);

/**
 * root -> (program), (idle), (garbage collector), a second verifyMath node, and a Hono handler that calls a
 * built-in (JSON.parse) that calls another built-in, and verifyMath. Node 6 is listed before its parent.
 */
const profile: CpuProfile = {
  nodes: [
    { id: 6, callFrame: frame('(anonymous)') },
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 7, 9] },
    { id: 2, callFrame: frame('(program)') },
    { id: 3, callFrame: frame('(idle)') },
    { id: 4, callFrame: frame('handle', `${REPO}node_modules/hono/dist/hono-base.js`, 9), children: [5, 8] },
    { id: 5, callFrame: frame('parse'), children: [6] },
    { id: 7, callFrame: frame('(garbage collector)') },
    { id: 8, callFrame: verify },
    { id: 9, callFrame: verify },
  ],
  startTime: 1000,
  // Samples at 100, 110, 130, 160, 200, 250, 310, 380 µs; each lasts until the next (the last until endTime).
  samples: [2, 4, 5, 6, 8, 3, 7, 9],
  timeDeltas: [100, 10, 20, 30, 40, 50, 60, 70],
  endTime: 1385,
};

describe('profile-api: reading a .cpuprofile', () => {
  it('gives each sample the time until the next one, inside the window only', () => {
    const all = selfTimes(profile, 0, Number.POSITIVE_INFINITY);
    expect(Object.fromEntries(all)).toEqual({ 2: 10, 4: 20, 5: 30, 6: 40, 8: 50, 3: 60, 7: 70, 9: 5 });
    expect(Object.fromEntries(selfTimes(profile, 110, 250))).toEqual({ 4: 20, 5: 30, 6: 40, 8: 50 });
  });

  it("counts a built-in without a script toward its nearest scripted caller's group", () => {
    const groups = nodeGroups(profile);
    expect(groups.get(5)).toBe('hono (router, context, request)');
    expect(groups.get(6)).toBe('hono (router, context, request)');
    const totals = groupTotals(groups, selfTimes(profile, 0, Number.POSITIVE_INFINITY));
    expect(Object.fromEntries(totals)).toEqual({
      'V8 outside JavaScript (program)': 10,
      'hono (router, context, request)': 90,
      'scoring (shared/math, shared/reward)': 55,
      idle: 60,
      GC: 70,
    });
  });

  it('sums the nodes of one function and names it by repo-relative file:line', () => {
    const top = topFunctions(profile, nodeGroups(profile), selfTimes(profile, 0, Number.POSITIVE_INFINITY));
    expect(top.map((row) => [row.name, row.where, row.us])).toEqual([
      ['(garbage collector)', '-', 70],
      ['(idle)', '-', 60],
      ['verifyMath', 'shared/math/verify.ts:22', 55],
      ['(anonymous)', '(built-in)', 40],
      ['parse', '(built-in)', 30],
      ['handle', 'hono/dist/hono-base.js:10', 20],
      ['(program)', '-', 10],
    ]);
  });
});
