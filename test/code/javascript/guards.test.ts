import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { hostileRequests } from '../../../bench/soak/requests.ts';
import { lostIsolates } from '../../../shared/code/javascript/index.ts';
import { useSandbox } from './helpers.ts';

/** The JavaScript of a hostile request of bench/soak/requests.ts (the soak's catalogue). */
function programOf(body: unknown): string {
  const item = (JSON.parse(body as string) as { items: { response: string }[] }).items[0];
  return (item?.response ?? '').replace(/^```javascript\n/, '').replace(/\n```$/, '');
}

const hugeArrayLikes = hostileRequests
  .filter((r) => r.name.startsWith('JS Array.prototype.'))
  .map((r) => programOf(r.body));

describe('guards against work V8 cannot interrupt', () => {
  const { run } = useSandbox();
  // Far more time than the guards need: a memory_limit here is the guard's, not the watchdog's.
  const limits = { wallMs: 10_000, memoryMb: 128 };

  it('has the catalogue of huge array-likes', () => {
    expect(hugeArrayLikes.length).toBeGreaterThanOrEqual(9);
  });

  for (const program of hugeArrayLikes) {
    it(`ends ${program} with memory_limit before V8 walks it`, async () => {
      const lost = lostIsolates();
      const result = await run(program, '', limits);
      expect(result.status).toBe('memory_limit');
      expect(result.ms).toBeLessThan(5000);
      expect(lostIsolates()).toBe(lost);
    });
  }

  const more: Record<string, string> = {
    'forEach on an array-like of 2^40': 'Array.prototype.forEach.call({ length: 2 ** 40 }, () => {});',
    'join on a sparse array of 2^32-1': 'const a = []; a[2 ** 32 - 2] = 1; a.join();',
    'concat of a spreadable array-like':
      'console.log([].concat({ length: 2 ** 32, [Symbol.isConcatSpreadable]: true }).length);',
    'Map.groupBy of an endless iterator into distinct groups':
      'Map.groupBy({ *[Symbol.iterator]() { for (let i = 0; ; i++) yield i; } }, (x) => x);',
    'Object.groupBy of an endless iterator into distinct groups':
      'Object.groupBy({ *[Symbol.iterator]() { for (let i = 0; ; i++) yield i; } }, (x) => x);',
    'Set.prototype.union with an endless set-like':
      'new Set([1]).union({ size: 1, has: () => false, keys() { let i = 0; return { next: () => ({ done: false, value: i++ }) }; } });',
    'Set.prototype.symmetricDifference with an endless set-like':
      'new Set([1]).symmetricDifference({ size: 1, has: () => false, keys() { let i = 0; return { next: () => ({ done: false, value: i++ }) }; } });',
    'WeakMap.set of ever more live keys':
      'const w = new WeakMap(); const keep = []; for (;;) { const k = {}; keep.push(k); w.set(k, 1); }',
    'WeakSet.add of ever more live keys':
      'const w = new WeakSet(); const keep = []; for (;;) { const k = {}; keep.push(k); w.add(k); }',
  };
  for (const [name, program] of Object.entries(more)) {
    it(`ends ${name} with memory_limit, the isolate kept`, async () => {
      const lost = lostIsolates();
      const result = await run(program, '', { wallMs: 20_000, memoryMb: 32 });
      expect(result.status).toBe('memory_limit');
      expect(lostIsolates()).toBe(lost);
    }, 30_000);
  }

  it('leaves the guarded builtins behaving as they do in Node', async () => {
    const program = `
const a = [1, 2, 3, 2];
const out = [
  a.lastIndexOf(2), a.lastIndexOf(2, undefined), [1, 2, 3].splice(1).length, [1, 2, 3].splice(1, undefined).length,
  [1, 2].reduce((x, y) => x + y), a.indexOf(3), a.includes(4), [3, 1, 2].toSorted().join(''), [[1], [2]].flat().length,
  Array.prototype.lastIndexOf.length, Array.prototype.splice.name, Array.prototype.concat.call({ length: 2, 0: 'x', 1: 'y' }).length,
  [1].concat([2], 3, { length: 1, 0: 4, [Symbol.isConcatSpreadable]: true }).join(''),
  JSON.stringify(Object.groupBy([1, 2, 3, 4], (x) => (x % 2 ? 'odd' : 'even'))),
  Object.getPrototypeOf(Object.groupBy([], (x) => x)), Map.groupBy([1, -0, 0], (x) => x).get(0).length,
  [...new Set([1, 2]).union(new Set([2, 3]))].join(''), [...new Set([1, 2]).symmetricDifference(new Set([2, 3]))].join(''),
  [...new Set([1, 2]).union({ size: 2, has: () => true, keys: () => [5, 6][Symbol.iterator]() })].join(''),
  Map.groupBy.length, Set.prototype.union.length, WeakMap.prototype.set.length, WeakSet.prototype.add.length,
  new WeakMap().set({}, 1) instanceof WeakMap,
];
try { Map.groupBy([1], 5); } catch (e) { out.push(e.constructor.name); }
try { WeakMap.prototype.set.call({}, {}, 1); } catch (e) { out.push(e.constructor.name); }
try { new Set().union({ size: NaN, has() {}, keys() {} }); } catch (e) { out.push(e.constructor.name); }
console.log(out.join(' '));`;
    let node = '';
    runInNewContext(program, { console: { log: (line: string) => (node += `${line}\n`) } });
    expect(node).toContain('TypeError TypeError TypeError');
    expect(await run(program)).toMatchObject({ status: 'ok', stdout: node });
  });
});
