import { cancel, schedule, setRef, type Task } from './loop.ts';

/** Node's timer API over the virtual-time loop (loop.ts). */

type Callback = (...args: unknown[]) => void;

const byId = new Map<number, Task>();
let nextId = 1;

/** What setTimeout returns: Node's Timeout, reduced to what programs touch. */
class Timeout {
  readonly #task: Task;
  readonly #id: number;
  constructor(task: Task, id: number) {
    this.#task = task;
    this.#id = id;
  }
  ref(): this {
    setRef(this.#task, true);
    return this;
  }
  unref(): this {
    setRef(this.#task, false);
    return this;
  }
  hasRef(): boolean {
    return this.#task.ref;
  }
  refresh(): this {
    return this;
  }
  close(): this {
    clear(this);
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.#id;
  }
  static task(t: Timeout): Task {
    return t.#task;
  }
}

function start(fn: unknown, delay: unknown, args: unknown[], repeat: boolean): Timeout {
  if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
  let ms = Number(delay);
  if (!(ms >= 1 && ms <= 2147483647)) ms = 1;
  ms = Math.trunc(ms);
  const id = nextId++;
  const task = schedule(ms, () => (fn as Callback)(...args), repeat ? ms : 0);
  byId.set(id, task);
  return new Timeout(task, id);
}

function clear(handle: unknown): void {
  if (handle instanceof Timeout) cancel(Timeout.task(handle));
  else if (typeof handle === 'number' || typeof handle === 'string') {
    const task = byId.get(Number(handle));
    if (task) cancel(task);
  }
}

class Immediate {
  readonly task: Task;
  constructor(task: Task) {
    this.task = task;
  }
  ref(): this {
    setRef(this.task, true);
    return this;
  }
  unref(): this {
    setRef(this.task, false);
    return this;
  }
  hasRef(): boolean {
    return this.task.ref;
  }
}

const tickQueue: Array<() => void> = [];

function drainTicks(): void {
  // Errors propagate like any microtask error: an unhandled rejection the host reports.
  while (tickQueue.length > 0) (tickQueue.shift() as () => void)();
}

export const timers = {
  setTimeout: (fn: unknown, delay?: unknown, ...args: unknown[]) => start(fn, delay, args, false),
  setInterval: (fn: unknown, delay?: unknown, ...args: unknown[]) => start(fn, delay, args, true),
  clearTimeout: clear,
  clearInterval: clear,
  setImmediate(fn: unknown, ...args: unknown[]): Immediate {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    return new Immediate(schedule(0, () => (fn as Callback)(...args)));
  },
  clearImmediate(handle: unknown): void {
    if (handle instanceof Immediate) cancel(handle.task);
  },
  queueMicrotask(fn: unknown): void {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    Promise.resolve().then(fn as Callback);
  },
  /** Node runs next-tick callbacks before promise callbacks; one microtask drains them in order. */
  nextTick(fn: unknown, ...args: unknown[]): void {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    if (tickQueue.length === 0) Promise.resolve().then(drainTicks);
    tickQueue.push(() => (fn as Callback)(...args));
  },
};
