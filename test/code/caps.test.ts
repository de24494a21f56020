import { describe, expect, it } from 'vitest';
import {
  type CodeLimits,
  CodeLimitsError,
  clampRunLimits,
  codeLimitsFromEnv,
  MAX_CODE_LIMITS,
  MAX_TESTS_LISTED,
} from '../../shared/code/limits.ts';
import { runInputs } from '../../shared/code/run-inputs.ts';
import { SandboxPool } from '../../shared/code/sandbox-pool.ts';
import { type CodeRunner, scoreCode } from '../../shared/code/score.ts';
import { DEFAULT_RUN_LIMITS, type RunLimits, type RunResult, type Sandbox } from '../../shared/code/types.ts';

/** A runner that runs nothing: every call's limits are recorded; `answer` says how the run ended. */
function recorder(
  answer: (stdin: string, limits: RunLimits) => Partial<RunResult> | Promise<Partial<RunResult>>,
) {
  const calls: RunLimits[] = [];
  const runner: CodeRunner = async (_language, _program, stdin, limits) => {
    calls.push(limits);
    return { status: 'ok', stdout: '', stderr: '', ms: 1, ...(await answer(stdin, limits)) };
  };
  return { runner, calls };
}

const echo = (stdin: string) => ({ stdout: stdin });
const py = (code: string) => `\`\`\`python\n${code}\n\`\`\``;
const limits = (overrides: Partial<CodeLimits>): CodeLimits => ({ ...MAX_CODE_LIMITS, ...overrides });

describe('the data and the options can lower a limit, never raise it past the ceilings', () => {
  it('memory_mb 65,536 in the ground truth reaches the runner as the ceiling', async () => {
    const { runner, calls } = recorder(echo);
    const gt = { tests: [{ input: '1', output: '1' }], memory_mb: 65_536 };
    const v = await scoreCode({ response: py('print(1)'), ground_truth: gt }, runner);
    expect(v.status).toBe('ok');
    expect(calls[0]?.memoryMb).toBe(MAX_CODE_LIMITS.runMemoryMb);
    await scoreCode({ response: py('x'), ground_truth: gt }, runner, {
      limits: limits({ runMemoryMb: 300 }),
    });
    expect(calls[1]?.memoryMb).toBe(300);
  });

  it('time_limit_s 600 with pythonTimeMultiplier 10 is one run of at most the ceiling', async () => {
    const { runner, calls } = recorder(echo);
    const gt = { tests: [{ input: '1', output: '1' }], time_limit_s: 600 };
    await scoreCode({ response: py('x'), ground_truth: gt, options: { pythonTimeMultiplier: 10 } }, runner);
    expect(calls[0]?.wallMs).toBeLessThanOrEqual(MAX_CODE_LIMITS.runWallMs);
    expect(calls[0]?.wallMs).toBeGreaterThan(MAX_CODE_LIMITS.runWallMs - 1000);
  });

  it('lower values from the data or the options are kept', async () => {
    const { runner, calls } = recorder(echo);
    const gt = { tests: [{ input: '1', output: '1' }], time_limit_s: 1, memory_mb: 64 };
    await scoreCode({ response: py('x'), ground_truth: gt, options: { pythonTimeMultiplier: 1 } }, runner);
    expect(calls[0]).toMatchObject({ wallMs: 1000, memoryMb: 64 });
    await scoreCode(
      { response: py('x'), ground_truth: gt, options: { memoryMb: 32, timeLimitS: 0.5 } },
      runner,
    );
    expect(calls[1]).toMatchObject({ memoryMb: 32 });
    expect(calls[1]?.wallMs).toBeLessThanOrEqual(1000);
  });

  it('a huge expected output does not raise the output cap past the ceiling', async () => {
    const { runner, calls } = recorder(echo);
    const output = 'x'.repeat(1 << 20);
    const caps = limits({ runOutputBytes: 1 << 20 });
    await scoreCode({ response: py('x'), ground_truth: [{ input: output, output }] }, runner, {
      limits: caps,
    });
    expect(calls[0]?.outputBytes).toBe(1 << 20);
  });
});

describe('tests per item', () => {
  it('runs at most the ceiling of the tests listed, and says so; the verdict stays small', async () => {
    const { runner, calls } = recorder(echo);
    const n = MAX_TESTS_LISTED;
    const gt = { inputs: new Array(n).fill(''), outputs: new Array(n).fill('') };
    const v = await scoreCode({ response: py('x'), ground_truth: gt }, runner);
    expect(calls).toHaveLength(MAX_CODE_LIMITS.testsPerItem);
    expect(v.tests).toHaveLength(MAX_CODE_LIMITS.testsPerItem);
    expect(v.score).toBe(1);
    expect(v.reason).toBe(`1000 of the ${n} tests were run (the server runs at most 1000 per item)`);
    expect(JSON.stringify(v).length).toBeLessThan(100_000);
  }, 60_000);

  it("1,000,000 empty tests are the item's error, and nothing is run", async () => {
    const { runner, calls } = recorder(echo);
    const gt = { inputs: new Array(1_000_000).fill(''), outputs: new Array(1_000_000).fill('') };
    const v = await scoreCode({ response: py('x'), ground_truth: gt }, runner);
    expect(calls).toHaveLength(0);
    expect(v).toMatchObject({ status: 'error', score: 0 });
    expect(v.reason).toMatch(/^TOO_MANY_TESTS: the ground truth lists 1000000 tests/);
  });

  it('maxTests may ask for fewer, without a note; an operator lowers the ceiling', async () => {
    const { runner, calls } = recorder(echo);
    const gt = { inputs: ['1', '2', '3', '4'], outputs: ['1', '2', '3', '4'] };
    const v = await scoreCode({ response: py('x'), ground_truth: gt, options: { maxTests: 2 } }, runner);
    expect(calls).toHaveLength(2);
    expect(v.reason).toBeUndefined();
    const w = await scoreCode({ response: py('x'), ground_truth: gt }, runner, {
      limits: limits({ testsPerItem: 3 }),
    });
    expect(w.tests).toHaveLength(3);
    expect(w.reason).toMatch(/^3 of the 4 tests were run/);
  });

  it("failure details stop at the item's detail budget; every test keeps its verdict", async () => {
    const { runner } = recorder(() => ({ stdout: 'wrong '.repeat(100) }));
    const gt = { inputs: new Array(200).fill('1'), outputs: new Array(200).fill('right') };
    const caps = limits({ itemDetailChars: 2000 });
    const v = await scoreCode({ response: py('x'), ground_truth: gt }, runner, { limits: caps });
    expect(v.tests).toHaveLength(200);
    expect(v.tests.every((t) => !t.passed && t.status === 'ok')).toBe(true);
    const detail = v.tests.reduce(
      (n, t) =>
        n +
        (t.reason?.length ?? 0) +
        (t.firstDiff ? t.firstDiff.expected.length + t.firstDiff.got.length : 0),
      0,
    );
    expect(detail).toBeGreaterThan(0);
    expect(detail).toBeLessThanOrEqual(2000 + 1000 + 2 * 220);
    expect(v.tests.at(-1)?.reason).toBeUndefined();
  });
});

describe("the item's budget stops a running test", () => {
  it('a run is given at most what is left of the budget, and the tests after it are skipped', async () => {
    // Each run "takes" its whole wall limit, as a program that loops forever would.
    const { runner, calls } = recorder(async (_stdin, l) => {
      await new Promise((resolve) => setTimeout(resolve, l.wallMs));
      return { status: 'timeout', ms: l.wallMs };
    });
    const gt = { inputs: ['1', '2', '3'], outputs: ['1', '2', '3'] };
    const v = await scoreCode({ response: py('x'), ground_truth: gt, options: { budgetMs: 300 } }, runner);
    expect(calls[0]?.wallMs).toBeLessThanOrEqual(300);
    expect(calls.length).toBeLessThan(3);
    expect(v.tests[0]?.reason).toMatch(/the item's budget of 300 ms ran out/);
    expect(v.tests.at(-1)).toMatchObject({
      status: 'skipped',
      reason: "the item's budget of 300 ms was spent",
    });
  });

  it("the server's item ceiling bounds budgetMs", async () => {
    const { runner, calls } = recorder(echo);
    const gt = [{ input: '1', output: '1' }];
    const caps = limits({ itemWallMs: 500 });
    await scoreCode({ response: py('x'), ground_truth: gt, options: { budgetMs: 600_000 } }, runner, {
      limits: caps,
    });
    expect(calls[0]?.wallMs).toBeLessThanOrEqual(500);
  });
});

describe('SandboxPool: no run reaches a sandbox above the ceilings', () => {
  it('clamps memory, wall, CPU time and output whoever asked', async () => {
    const seen: RunLimits[] = [];
    const sandbox: Sandbox = {
      language: 'javascript',
      run: async (_p, _s, l) => {
        seen.push(l);
        return { status: 'ok', stdout: '', stderr: '', ms: 1 };
      },
      dispose: () => {},
    };
    const pool = new SandboxPool(() => sandbox, { size: 1, caps: limits({ runMemoryMb: 512 }) });
    await pool.run('x', '', { wallMs: 6_000_000, cpuMs: 9e9, memoryMb: 65_536, outputBytes: 1e12 });
    await pool.run('x', '', { ...DEFAULT_RUN_LIMITS, memoryMb: 1 });
    expect(seen[0]).toEqual({
      wallMs: MAX_CODE_LIMITS.runWallMs,
      cpuMs: MAX_CODE_LIMITS.runWallMs,
      memoryMb: 512,
      outputBytes: MAX_CODE_LIMITS.runOutputBytes,
    });
    expect(seen[1]?.memoryMb).toBe(16);
    await pool.close();
  });
});

describe('runInputs (POST /v1/code/run)', () => {
  it('refuses more inputs than the ceiling and clamps each run', async () => {
    const { runner, calls } = recorder(echo);
    const many = { language: 'python' as const, program: 'x', inputs: new Array(17).fill('') };
    expect(await runInputs(runner, many)).toEqual({ error: 'at most 16 inputs per request, got 17' });
    const out = await runInputs(runner, { ...many, inputs: ['a', 'b'], timeLimitS: 3600, memoryMb: 65_536 });
    expect('results' in out && out.results.map((r) => r.stdout)).toEqual(['a', 'b']);
    expect(calls[0]).toMatchObject({
      wallMs: MAX_CODE_LIMITS.runWallMs,
      memoryMb: MAX_CODE_LIMITS.runMemoryMb,
    });
  });

  it('holds all runs of one request under one item budget', async () => {
    const { runner, calls } = recorder(async (_stdin, l) => {
      await new Promise((resolve) => setTimeout(resolve, l.wallMs));
      return { status: 'timeout', ms: l.wallMs };
    });
    const caps = limits({ itemWallMs: 200 });
    const out = await runInputs(runner, { language: 'python', program: 'x', inputs: ['1', '2', '3'] }, caps);
    expect(calls[0]?.wallMs).toBeLessThanOrEqual(200);
    expect('results' in out && out.results.at(-1)?.stderr).toMatch(/budget of 200 ms was spent/);
  });
});

describe('codeLimitsFromEnv', () => {
  it('lowers the ceilings an operator names, in the units the names say', () => {
    const env = {
      GRADUS_CODE_MAX_MEMORY_MB: '512',
      GRADUS_CODE_MAX_RUN_S: '10',
      GRADUS_CODE_MAX_TESTS: '100',
    };
    expect(codeLimitsFromEnv(env)).toEqual({
      ...MAX_CODE_LIMITS,
      runMemoryMb: 512,
      runWallMs: 10_000,
      testsPerItem: 100,
    });
    expect(codeLimitsFromEnv({})).toEqual(MAX_CODE_LIMITS);
  });

  it('refuses to raise a ceiling, and refuses values that are not positive numbers', () => {
    expect(() => codeLimitsFromEnv({ GRADUS_CODE_MAX_MEMORY_MB: '65536' })).toThrow(CodeLimitsError);
    expect(() => codeLimitsFromEnv({ GRADUS_CODE_MAX_ITEM_S: '3600' })).toThrow(
      /may lower the limit, not raise/,
    );
    expect(() => codeLimitsFromEnv({ GRADUS_CODE_MAX_TESTS: 'lots' })).toThrow(/positive number/);
    expect(() => codeLimitsFromEnv({ GRADUS_CODE_MAX_TESTS: '0' })).toThrow(/positive number/);
  });

  it('clampRunLimits keeps what is below the ceilings', () => {
    const low = { wallMs: 100, memoryMb: 64, outputBytes: 10 };
    expect(clampRunLimits(low, MAX_CODE_LIMITS)).toEqual(low);
  });
});
