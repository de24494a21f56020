import ivm from 'isolated-vm';
import type { RunLimits } from '../types.ts';
import { bootIsolate, SANDBOX_HOME, SANDBOX_SCRATCH } from './boot.ts';
import type { PythonSnapshot } from './snapshot.ts';

/** How a program ended inside the interpreter, before it becomes a RunResult (outcome.ts). */
export type RawOutcome =
  /** The program ran to its end. */
  | 'ok'
  /** `exit:<code>` from SystemExit; `exit` alone is os._exit, with the code in `exitCode`. */
  | `exit:${number}`
  | 'exit'
  /** An uncaught exception; `memory` when it was a MemoryError. */
  | 'error'
  | 'memory'
  /** The program did not compile (SyntaxError and friends). */
  | 'compile'
  /** An error escaped Python (e.g. V8's own stack overflow): the interpreter is dead. */
  | 'fatal'
  | 'timeout'
  /** The isolate's JS heap passed its memoryLimit and isolated-vm disposed it. */
  | 'js_memory';

export interface RawRun {
  outcome: RawOutcome;
  exitCode?: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
  /** Size of the wasm memory when the run ended (it never shrinks within a run). */
  heapBytes?: number;
  /** Why the run failed outside Python, for the report. */
  error?: string;
  /** The interpreter must be replaced before the next run. */
  dead: boolean;
  ms: number;
}

/** What `__gradus.run` returns (isolate/runner.js). */
interface IsolateRun {
  outcome: string;
  exitCode?: number;
  error?: string;
  dead: boolean;
  stdout: ArrayBuffer;
  stderr: ArrayBuffer;
  truncated: boolean;
  heapBytes: number;
}

export interface InterpreterOptions {
  /** isolated-vm memoryLimit of the isolate, MiB: bounds Pyodide's JS heap, not Python's wasm memory. */
  jsHeapMb: number;
}

/** Default Python recursion limit when RunLimits has none. */
export const DEFAULT_RECURSION_LIMIT = 10_000;

/**
 * Budget for CPython's C-stack check (the wasm data stack), derived from the native stack the isolate's
 * thread has. `probeStack` counts trivial JS frames: 80 bytes each on V8 13 (x64), so an 8 MiB thread
 * stack gives ~104,000. The deepest C-level recursion measured uses 2.9 bytes of native stack per byte of
 * wasm data stack (a recursive functools.lru_cache function: 1,282 vs 448 bytes a level); dividing by
 * 3.5 keeps RecursionError ahead of V8's stack overflow, which would kill the interpreter.
 */
const PROBE_FRAME_BYTES = 80;
const NATIVE_PER_DATA_STACK_BYTE = 3.5;

function cStackBudget(probeFrames: number): number {
  return Math.max(1 << 16, Math.floor((probeFrames * PROBE_FRAME_BYTES) / NATIVE_PER_DATA_STACK_BYTE));
}

const decode = (bytes: ArrayBuffer) => Buffer.from(bytes).toString('utf8');

/** One booted, reset-prepared Pyodide in its own isolate: runs programs one at a time. */
export class PythonInterpreter {
  readonly #isolate: ivm.Isolate;
  readonly #context: ivm.Context;
  /** Size of the wasm memory: the clean image, then whatever runs grew it to. */
  heapBytes: number;
  /** Size of the clean image the interpreter is reset to. */
  readonly cleanBytes: number;
  /** Budget given to CPython's C-stack check, in bytes. */
  readonly cStackBytes: number;
  runs = 0;

  private constructor(
    booted: { isolate: ivm.Isolate; context: ivm.Context },
    heapBytes: number,
    cStack: number,
  ) {
    this.#isolate = booted.isolate;
    this.#context = booted.context;
    this.heapBytes = heapBytes;
    this.cleanBytes = heapBytes;
    this.cStackBytes = cStack;
  }

  /** Boots from the snapshot and takes the clean image (~0.3-0.5 s). */
  static async start(snapshot: PythonSnapshot, options: InterpreterOptions): Promise<PythonInterpreter> {
    const booted = await bootIsolate({ jsHeapMb: options.jsHeapMb, snapshot: snapshot.bytes });
    try {
      const frames: number = await booted.context.eval('__gradus.probeStack()', { timeout: 10_000 });
      const prepared: { heapBytes: number; cStackBytes: number } = await booted.context.evalClosure(
        'return __gradus.prepare(JSON.parse($0));',
        [JSON.stringify({ home: SANDBOX_HOME, scratch: SANDBOX_SCRATCH, cStackBytes: cStackBudget(frames) })],
        { result: { copy: true }, timeout: 30_000 },
      );
      return new PythonInterpreter(booted, prepared.heapBytes, prepared.cStackBytes);
    } catch (err) {
      booted.isolate.dispose();
      throw err;
    }
  }

  /**
   * Runs one program and resets the interpreter to its clean image. The wall limit is isolated-vm's
   * timeout; a CPU limit below it is enforced by watching the isolate's CPU time and disposing it.
   */
  async run(program: string, stdin: string, limits: RunLimits): Promise<RawRun> {
    this.runs++;
    const input = Buffer.from(stdin, 'utf8');
    const buffer = input.buffer.slice(input.byteOffset, input.byteOffset + input.length) as ArrayBuffer;
    const stdinCopy = new ivm.ExternalCopy(buffer, { transferOut: true });
    const args = [
      program,
      stdinCopy.copyInto({ release: true }),
      Math.max(0, Math.floor(limits.outputBytes)),
      Math.floor(limits.memoryMb * 2 ** 20),
      Math.max(1, Math.floor(limits.recursionDepth ?? DEFAULT_RECURSION_LIMIT)),
    ];
    const watch = this.#watchCpu(limits);
    const started = performance.now();
    try {
      const run: IsolateRun = await this.#context.evalClosure(
        'return __gradus.run($0, $1, $2, $3, $4);',
        args,
        {
          result: { copy: true },
          timeout: Math.max(1, Math.ceil(limits.wallMs)),
        },
      );
      const ms = performance.now() - started;
      this.heapBytes = run.heapBytes;
      return {
        outcome: run.outcome as RawOutcome,
        ...(run.exitCode === undefined ? {} : { exitCode: run.exitCode }),
        stdout: decode(run.stdout),
        stderr: decode(run.stderr),
        truncated: run.truncated,
        heapBytes: run.heapBytes,
        ...(run.error === undefined ? {} : { error: run.error }),
        dead: run.dead,
        ms,
      };
    } catch (err) {
      const ms = performance.now() - started;
      return { ...(await this.#killed(err as Error, watch.exceeded())), dead: true, ms };
    } finally {
      watch.stop();
    }
  }

  dispose(): void {
    if (!this.#isolate.isDisposed) this.#isolate.dispose();
  }

  /** A run isolated-vm stopped: what it wrote so far, when the isolate is still there to ask. */
  async #killed(err: Error, cpuExceeded: boolean): Promise<Omit<RawRun, 'dead' | 'ms'>> {
    const message = err.message ?? String(err);
    const outcome: RawOutcome = /memory limit/i.test(message)
      ? 'js_memory'
      : cpuExceeded || /timed out/i.test(message)
        ? 'timeout'
        : 'fatal';
    let partial = { stdout: '', stderr: '', truncated: false };
    if (!this.#isolate.isDisposed) {
      try {
        const raw: { stdout: ArrayBuffer; stderr: ArrayBuffer; truncated: boolean } =
          await this.#context.eval('__gradus.partial()', { copy: true, timeout: 1000 });
        partial = { stdout: decode(raw.stdout), stderr: decode(raw.stderr), truncated: raw.truncated };
      } catch {}
    }
    return { outcome, ...partial, error: message };
  }

  /** Polls the isolate's CPU time when `cpuMs` is below `wallMs`; disposing the isolate ends the run. */
  #watchCpu(limits: RunLimits): { stop: () => void; exceeded: () => boolean } {
    const cpuMs = limits.cpuMs;
    if (cpuMs === undefined || cpuMs >= limits.wallMs) return { stop: () => {}, exceeded: () => false };
    const start = this.#isolate.cpuTime;
    let exceeded = false;
    const timer = setInterval(
      () => {
        if (this.#isolate.isDisposed) return;
        if (Number(this.#isolate.cpuTime - start) / 1e6 > cpuMs) {
          exceeded = true;
          this.#isolate.dispose();
        }
      },
      Math.min(50, Math.max(5, cpuMs / 10)),
    );
    return { stop: () => clearInterval(timer), exceeded: () => exceeded };
  }
}
