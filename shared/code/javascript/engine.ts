import ivm from 'isolated-vm';
import { DRIVE_GLOBAL } from './prelude.ts';

/**
 * One V8 isolate made from the runtime's startup snapshot. Every run gets a fresh context (its own global
 * object and builtins, the runtime already installed by the snapshot); the isolate itself is shared by
 * consecutive runs until the sandbox retires it.
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
 * Isolates lost since the process started: to a catastrophic error, or abandoned by the host's watchdog. Each one keeps a sleeping thread and
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
  #lost = false;

  constructor(
    memoryMb: number,
    snapshot: ivm.ExternalCopy<ArrayBuffer>,
    onCatastrophe?: (message: string) => void,
  ) {
    let report: (c: Catastrophe) => void = () => {};
    this.catastrophe = new Promise((resolve) => {
      report = resolve;
    });
    this.memoryMb = memoryMb;
    this.isolate = new ivm.Isolate({
      memoryLimit: memoryMb,
      snapshot,
      onCatastrophicError: (message) => {
        this.markLost();
        onCatastrophe?.(message);
        report({ message });
      },
    });
  }

  /**
   * Counts this isolate as lost for good (once): a catastrophic error, or a run the host gave up on
   * because it did not stop (its thread may never return).
   */
  markLost(): void {
    if (this.#lost) return;
    this.#lost = true;
    catastrophes++;
  }

  get disposed(): boolean {
    return this.isolate.isDisposed;
  }

  /**
   * A fresh context with its `drive`. No program has run in it yet, so reading and deleting the global
   * that carries `drive` cannot meet a getter or a proxy; after this the program cannot reach it.
   */
  async stage(): Promise<Stage> {
    const context = await this.isolate.createContext();
    try {
      const drive = context.global.getSync(DRIVE_GLOBAL, { reference: true }) as Stage['drive'];
      context.global.deleteSync(DRIVE_GLOBAL);
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
