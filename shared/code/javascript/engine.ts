import ivm from 'isolated-vm';
import { compilePrelude } from './prelude.ts';

/**
 * One V8 isolate with the runtime compiled in it. Every run gets a fresh context (its own global object
 * and builtins) with the runtime evaluated in it; the isolate itself is shared by consecutive runs until
 * the sandbox retires it.
 */

/** A fresh context with the runtime installed, ready for one program. */
export interface Stage {
  context: ivm.Context;
  /** The runtime's `drive(op, ...args)` function (a handle held by the host only). */
  drive: ivm.Reference;
}

/** isolated-vm's report that V8 lost control of the isolate; its thread is gone for good. */
export interface Catastrophe {
  message: string;
}

let catastrophes = 0;

/**
 * Isolates lost to a catastrophic error since the process started. Each one keeps a sleeping thread and
 * its heap until the process ends, and makes a normal process exit hang: a host that sees this grow
 * should drain and restart the process (and exit with process.kill, not process.exit).
 */
export function lostIsolates(): number {
  return catastrophes;
}

export class Engine {
  readonly isolate: ivm.Isolate;
  readonly memoryMb: number;
  /** Settles when isolated-vm reports a catastrophic error in this isolate (it never rejects). */
  readonly catastrophe: Promise<Catastrophe>;
  runs = 0;
  #prelude: Promise<ivm.Script>;

  constructor(memoryMb: number, onCatastrophe?: (message: string) => void) {
    let report: (c: Catastrophe) => void = () => {};
    this.catastrophe = new Promise((resolve) => {
      report = resolve;
    });
    this.memoryMb = memoryMb;
    this.isolate = new ivm.Isolate({
      memoryLimit: memoryMb,
      onCatastrophicError: (message) => {
        catastrophes++;
        onCatastrophe?.(message);
        report({ message });
      },
    });
    this.#prelude = compilePrelude(this.isolate);
    // Creation errors surface when a stage is requested.
    this.#prelude.catch(() => {});
  }

  get disposed(): boolean {
    return this.isolate.isDisposed;
  }

  async stage(timeoutMs: number): Promise<Stage> {
    const prelude = await this.#prelude;
    // Synchronous on purpose: an async call costs two thread hand-offs, a large share of a trivial run
    // (measured 2.0 -> 1.5 CPU ms per run). It cannot wait on a program: the sandbox stages a context
    // only on an isolate whose last run has ended (runs are serialised; an isolate that did not stop
    // is retired, never staged on).
    const context = this.isolate.createContextSync();
    try {
      const drive = (await prelude.run(context, { reference: true, timeout: timeoutMs })) as Stage['drive'];
      return { context, drive };
    } catch (err) {
      context.release();
      throw err;
    }
  }

  /** The heap V8 holds (committed heap plus ArrayBuffer memory); the isolate must be idle. */
  heapBytes(): number | undefined {
    try {
      const heap = this.isolate.getHeapStatisticsSync();
      return heap.total_heap_size + heap.externally_allocated_size;
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }
}

export function releaseStage(stage: Stage): void {
  try {
    stage.drive.release();
    stage.context.release();
  } catch {
    // The isolate is already gone.
  }
}
