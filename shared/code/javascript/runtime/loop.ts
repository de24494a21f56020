/**
 * The event loop: timers, immediates and I/O callbacks as macrotasks on a virtual clock. The host runs
 * one task per call into the isolate, so V8 drains the microtask queue (promises, queueMicrotask)
 * between two tasks, as Node does. Time is virtual: a 1 s timer fires as soon as nothing runs before
 * it, so sleeping costs no wall time and runs are deterministic.
 */

export interface Task {
  at: number;
  seq: number;
  fn: () => void;
  /** Keeps the loop alive (Node's ref/unref). */
  ref: boolean;
  cancelled: boolean;
  /** Re-armed after it runs, every `interval` ms (setInterval). */
  interval: number;
}

const heap: Task[] = [];
let seq = 0;
let now = 0;
let refCount = 0;

export function schedule(delayMs: number, fn: () => void, interval = 0): Task {
  const task: Task = { at: now + delayMs, seq: seq++, fn, ref: true, cancelled: false, interval };
  push(task);
  refCount++;
  return task;
}

export function cancel(task: Task): void {
  if (task.cancelled) return;
  task.cancelled = true;
  if (task.ref) refCount--;
}

export function setRef(task: Task, ref: boolean): void {
  if (task.ref === ref) return;
  task.ref = ref;
  if (!task.cancelled) refCount += ref ? 1 : -1;
}

/** Whether a task that keeps the loop alive is waiting. */
export function pending(): boolean {
  return refCount > 0;
}

/** Runs the next task, if any; returns whether one ran. Errors propagate to the caller. */
export function runNext(): boolean {
  while (heap.length > 0 && refCount > 0) {
    const task = pop();
    if (task.cancelled) continue;
    if (task.at > now) now = task.at;
    if (task.interval > 0) {
      task.at = now + task.interval;
      task.seq = seq++;
      push(task);
    } else {
      task.cancelled = true;
      if (task.ref) refCount--;
    }
    task.fn();
    return true;
  }
  return false;
}

function before(a: Task, b: Task): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function push(task: Task): void {
  heap.push(task);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(task, heap[parent] as Task)) break;
    heap[i] = heap[parent] as Task;
    i = parent;
  }
  heap[i] = task;
}

function pop(): Task {
  const top = heap[0] as Task;
  const last = heap.pop() as Task;
  if (heap.length > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && before(heap[r] as Task, heap[l] as Task) ? r : l;
      if (!before(heap[child] as Task, last)) break;
      heap[i] = heap[child] as Task;
      i = child;
    }
    heap[i] = last;
  }
  return top;
}
