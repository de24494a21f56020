/**
 * The server's ceilings for code: what one run, one test and one item may use, whatever the ground truth
 * (`time_limit_s`, `memory_mb`) or the item's options ask for. Data and options can lower a limit, never
 * raise it past these: a larger value is clamped to the ceiling (and the item's reason says so where the
 * clamp changes what is run: tests left out). An operator lowers them, never raises them, with the
 * GRADUS_CODE_MAX_* environment variables (`codeLimitsFromEnv`).
 *
 * No module here reads the environment: the server reads it once (`serverCodeLimits`) and passes the
 * result down; everything defaults to MAX_CODE_LIMITS.
 */

export interface CodeLimits {
  /** Memory of one run (the JS heap, or Python's wasm heap), MiB. */
  runMemoryMb: number;
  /** Wall time of one run, Python's multiplier included, ms. */
  runWallMs: number;
  /** stdout + stderr one run may write, bytes. */
  runOutputBytes: number;
  /** Tests run per item; the item's reason says when some were left out. */
  testsPerItem: number;
  /** Wall time of one item, reading its tests and all its runs, ms: a run never outlives it. */
  itemWallMs: number;
  /** Characters of failure detail (reasons, first differences) in one item's verdict; then none. */
  itemDetailChars: number;
  /** Decompressed bytes of one compressed test list (LiveCodeBench's private tests). */
  inflatedBytes: number;
  /** Inputs (runs) of one POST /v1/code/run. */
  runInputs: number;
}

/**
 * The ceilings. 1 GiB and 30 s per run cover the usual judges (256-1024 MB; LiveCodeBench's 6 s and
 * TACO's 12 s at native speed, doubled for Pyodide). 64 MiB of decompressed tests (a quarter of the
 * earlier bound) still holds LiveCodeBench rows of tens of MB; decompression and decoding go a slice at a
 * time, one list at a time (test-formats/lcb-private.ts), but the JSON parse that follows is one synchronous
 * step, and 64 MiB of JSON is about 0.3-1 s of it on a 2-core machine.
 */
export const MAX_CODE_LIMITS: Readonly<CodeLimits> = Object.freeze({
  runMemoryMb: 1024,
  runWallMs: 30_000,
  runOutputBytes: 16 << 20,
  testsPerItem: 1000,
  itemWallMs: 120_000,
  itemDetailChars: 64 << 10,
  inflatedBytes: 64 << 20,
  runInputs: 16,
});

/**
 * Tests a ground truth may list. The server runs at most `testsPerItem` of them (the largest first, by
 * default) and reads no more than this many to choose from: a longer list is the item's error before its
 * tests become objects, so that a few MB of empty tests cannot cost hundreds of MB of memory.
 */
export const MAX_TESTS_LISTED = 10_000;

/** The least memory a run is given (isolated-vm needs a few MiB to start an isolate at all). */
export const MIN_RUN_MEMORY_MB = 16;

/**
 * How deep a test value (a call's arguments, its expected result) or a JSON document of test data may
 * nest. Real tests nest a few levels (lists of lists, trees as lists); deeper values are refused when
 * the tests are read, so that nothing on the host or in the harness recurses without a bound.
 */
export const MAX_VALUE_DEPTH = 100;

/** How deep a JSON document of test data may nest: a value's depth plus room for the layout around it. */
export const MAX_JSON_DEPTH = MAX_VALUE_DEPTH + 28;

/** Environment variable, unit and field of each limit an operator may lower. */
const ENV: { name: string; field: keyof CodeLimits; unit: number; what: string }[] = [
  { name: 'GRADUS_CODE_MAX_MEMORY_MB', field: 'runMemoryMb', unit: 1, what: 'MiB per run' },
  { name: 'GRADUS_CODE_MAX_RUN_S', field: 'runWallMs', unit: 1000, what: 's per run' },
  { name: 'GRADUS_CODE_MAX_OUTPUT_BYTES', field: 'runOutputBytes', unit: 1, what: 'bytes per run' },
  { name: 'GRADUS_CODE_MAX_TESTS', field: 'testsPerItem', unit: 1, what: 'tests per item' },
  { name: 'GRADUS_CODE_MAX_ITEM_S', field: 'itemWallMs', unit: 1000, what: 's per item' },
  { name: 'GRADUS_CODE_MAX_DETAIL_CHARS', field: 'itemDetailChars', unit: 1, what: 'characters per item' },
  { name: 'GRADUS_CODE_MAX_INFLATED_MB', field: 'inflatedBytes', unit: 1 << 20, what: 'MiB per test list' },
  { name: 'GRADUS_CODE_MAX_RUN_INPUTS', field: 'runInputs', unit: 1, what: 'inputs per /v1/code/run' },
];

export class CodeLimitsError extends Error {}

/**
 * MAX_CODE_LIMITS lowered by the GRADUS_CODE_MAX_* variables set in `env`. Throws CodeLimitsError for a
 * value that is not a positive number or is above the ceiling (an operator cannot raise a ceiling).
 */
export function codeLimitsFromEnv(env: Record<string, string | undefined>): CodeLimits {
  const limits: CodeLimits = { ...MAX_CODE_LIMITS };
  for (const { name, field, unit, what } of ENV) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    const value = Number(raw);
    const max = MAX_CODE_LIMITS[field] / unit;
    if (!Number.isFinite(value) || value <= 0)
      throw new CodeLimitsError(`${name} must be a positive number (${what}), got "${raw}"`);
    if (value > max)
      throw new CodeLimitsError(`${name} may lower the limit, not raise it: at most ${max} ${what}`);
    limits[field] = Math.max(1, Math.floor(value * unit));
  }
  return limits;
}

let fromProcessEnv: CodeLimits | undefined;

/** The limits of this process: codeLimitsFromEnv(process.env), read once (MAX_CODE_LIMITS without a process). */
export function serverCodeLimits(): CodeLimits {
  fromProcessEnv ??= codeLimitsFromEnv(globalThis.process?.env ?? {});
  return fromProcessEnv;
}

/** A run's limits within the ceilings: memory, wall and CPU time, output. */
export function clampRunLimits<
  T extends { wallMs: number; cpuMs?: number; memoryMb: number; outputBytes: number },
>(limits: T, caps: CodeLimits): T {
  const clamped = {
    ...limits,
    wallMs: clamp(limits.wallMs, 1, caps.runWallMs),
    memoryMb: clamp(limits.memoryMb, Math.min(MIN_RUN_MEMORY_MB, caps.runMemoryMb), caps.runMemoryMb),
    outputBytes: clamp(limits.outputBytes, 0, caps.runOutputBytes),
  };
  if (limits.cpuMs !== undefined) clamped.cpuMs = clamp(limits.cpuMs, 1, clamped.wallMs);
  return clamped;
}

/** `value` within [low, high]; NaN becomes `low`. */
function clamp(value: number, low: number, high: number): number {
  if (!(value >= low)) return low;
  return Math.min(value, high);
}
