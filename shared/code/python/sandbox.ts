import type { RunLimits, RunResult, Sandbox } from '../types.ts';
import { PythonInterpreter } from './interpreter.ts';
import { toRunResult } from './outcome.ts';
import { discardSnapshot, type PythonSnapshotOptions, pythonSnapshot } from './snapshot.ts';

export interface PythonSandboxOptions {
  /** Where the memory snapshot is cached (see `pythonSnapshot`). */
  snapshot?: PythonSnapshotOptions;
  /** isolated-vm memoryLimit of the isolate in MiB: Pyodide's JS heap, not Python's memory (default 256). */
  jsHeapMb?: number;
  /** Replace the interpreter after a run that left its wasm memory above this many MiB (default 512). */
  recycleHeapMb?: number;
  /**
   * Replace the interpreter after this many runs (default 2000). The reset restores the wasm memory and
   * the files, not Pyodide's JavaScript state; a fresh isolate now and then bounds what could pile up there.
   */
  maxRunsPerInterpreter?: number;
}

const MiB = 2 ** 20;

/**
 * CPython (Pyodide) in a bare isolated-vm isolate. Runs are queued and executed one at a time; each starts
 * from the same clean image (the interpreter is reset in place after every run, ~3 ms). After a timeout,
 * a fatal interpreter error or heavy memory growth the interpreter is replaced by a fresh one booted
 * from the memory snapshot (~0.3-0.5 s), transparently.
 */
export class PythonSandbox implements Sandbox {
  readonly language = 'python' as const;
  readonly #options: Required<Omit<PythonSandboxOptions, 'snapshot'>> & { snapshot: PythonSnapshotOptions };
  #interpreter: Promise<PythonInterpreter> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #disposed = false;
  #boots = 0;

  constructor(options: PythonSandboxOptions = {}) {
    this.#options = {
      snapshot: options.snapshot ?? {},
      jsHeapMb: options.jsHeapMb ?? 256,
      recycleHeapMb: options.recycleHeapMb ?? 512,
      maxRunsPerInterpreter: options.maxRunsPerInterpreter ?? 2000,
    };
  }

  /** Interpreters booted so far, the first one included. */
  get boots(): number {
    return this.#boots;
  }

  /** A sandbox with its first interpreter booted. */
  static async create(options: PythonSandboxOptions = {}): Promise<PythonSandbox> {
    const sandbox = new PythonSandbox(options);
    await sandbox.ready();
    return sandbox;
  }

  /** Boots the interpreter now rather than on the first run. */
  async ready(): Promise<void> {
    await this.#current();
  }

  run(program: string, stdin: string, limits: RunLimits): Promise<RunResult> {
    const result = this.#queue.then(() => this.#run(program, stdin, limits));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  dispose(): void {
    this.#disposed = true;
    const interpreter = this.#interpreter;
    this.#interpreter = undefined;
    interpreter?.then((i) => i.dispose()).catch(() => undefined);
  }

  async #run(program: string, stdin: string, limits: RunLimits): Promise<RunResult> {
    let interpreter = await this.#current();
    // Wasm memory never shrinks: a heap grown above this run's cap could not enforce it.
    const cap = Math.max(limits.memoryMb * MiB, interpreter.cleanBytes);
    if (interpreter.heapBytes > cap || interpreter.runs >= this.#options.maxRunsPerInterpreter) {
      interpreter = await this.#replace(interpreter);
    }
    const raw = await interpreter.run(program, stdin, limits);
    if (raw.dead || interpreter.heapBytes > this.#options.recycleHeapMb * MiB) {
      // Boot the replacement now, while the caller looks at this result.
      void this.#replace(interpreter).catch(() => undefined);
    }
    return toRunResult(raw);
  }

  #current(): Promise<PythonInterpreter> {
    if (this.#disposed) return Promise.reject(new Error('the Python sandbox was disposed'));
    this.#interpreter ??= this.#boot();
    return this.#interpreter;
  }

  #replace(old: PythonInterpreter): Promise<PythonInterpreter> {
    old.dispose();
    this.#interpreter = undefined;
    return this.#current();
  }

  async #boot(): Promise<PythonInterpreter> {
    const booting = this.#start().catch((err) => {
      this.#interpreter = undefined;
      throw err;
    });
    booting.catch(() => undefined);
    const interpreter = await booting;
    if (this.#disposed) {
      interpreter.dispose();
      throw new Error('the Python sandbox was disposed');
    }
    return interpreter;
  }

  /** Boots from the snapshot; a cached snapshot Pyodide refuses is discarded and made again, once. */
  async #start(): Promise<PythonInterpreter> {
    const options = { jsHeapMb: this.#options.jsHeapMb };
    const snapshot = await pythonSnapshot(this.#options.snapshot);
    this.#boots++;
    try {
      return await PythonInterpreter.start(snapshot, options);
    } catch (err) {
      if (snapshot.source !== 'disk') throw err;
      await discardSnapshot(snapshot);
      return PythonInterpreter.start(await pythonSnapshot(this.#options.snapshot), options);
    }
  }
}
