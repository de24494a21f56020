import { memoryLimit, run } from './state.ts';

// Captured before any program code runs, so a program replacing them cannot reach the originals.
const { apply, construct } = Reflect;
const fnCall = Function.prototype.call;
// bind.call(bind, target, self) === target.bind(self): a bind that no later patch of bind can change.
const callBind = Function.prototype.call.bind(Function.prototype.bind) as (
  target: (...args: never[]) => unknown,
  self: unknown,
) => unknown;
const { isArray } = Array;

/**
 * Hardening of the context's globals, installed before any program code runs.
 *
 * Removed, because they escape the isolate's memory limit or schedule work outside the run:
 * - WebAssembly: wasm memory is not counted by isolated-vm's memoryLimit.
 * - SharedArrayBuffer: its growable form (grow) is not counted either; no program needs it.
 * - resizable ArrayBuffers (the maxByteLength option): resize() commits memory the limit never sees.
 * - FinalizationRegistry and Atomics.waitAsync: their callbacks would run as platform tasks, after
 *   the run that created them.
 *
 * Memory guards. When one object outgrows the heap in a single step, V8 does not fail cleanly:
 * - a fatal OOM, which isolated-vm turns into a lost thread ("catastrophic error"): a Map or Set
 *   rehashing to a table larger than the space left;
 * - a builtin looping over a huge sparse array without checking for termination, so the timeout
 *   cannot stop it (fill, sort, Array.from of a huge array-like);
 * - worst, a CHECK failure that aborts the whole process ("Fatal JavaScript invalid size error"):
 *   split or match producing more than ~134M elements from one string.
 * These guards end the run with memory_limit before V8 gets there, at sizes that could not fit the
 * limit anyway. They cover the patterns found by probing, not every builtin: see the sandbox notes.
 */

/** Entries a Map or Set may hold: its next rehash (about 3x the table's size) must fit the limit. */
function maxEntries(): number {
  return run.memoryBytes / 84;
}

/** Elements an array may be filled to: 8 bytes each. */
function maxElements(): number {
  return run.memoryBytes / 8;
}

/** Characters a string may have to be split or matched: at most one element each, never near V8's 2^27. */
function maxSplitLength(): number {
  return Math.min(maxElements(), 2 ** 26);
}

function stringLength(value: unknown): number {
  return typeof value === 'string' ? value.length : String(value).length;
}

export function harden(g: Record<string, unknown>): void {
  removeUncountedFeatures(g);
  g.ArrayBuffer = fixedArrayBuffer(ArrayBuffer);
  guardCollection(Map.prototype, 'set');
  guardCollection(Set.prototype, 'add');
  const hugeArray = (self: unknown) => isArray(self) && self.length > maxElements();
  guard(Array.prototype, 'fill', hugeArray);
  guard(Array.prototype, 'sort', hugeArray);
  guard(Array, 'from', (_self, args) => {
    const length = (args[0] as { length?: unknown } | null | undefined)?.length;
    return typeof length === 'number' && length > maxElements();
  });
  const hugeString = (self: unknown) => stringLength(self) > maxSplitLength();
  for (const name of ['split', 'match', 'matchAll', 'replace', 'replaceAll'])
    guard(String.prototype, name, hugeString);
  guard(String.prototype, 'repeat', (self, args) => {
    const n = Number(args[0]);
    return Number.isFinite(n) && stringLength(self) * n > run.memoryBytes;
  });
  const hugePad = (_self: unknown, args: unknown[]) => Number(args[0]) > run.memoryBytes;
  guard(String.prototype, 'padStart', hugePad);
  guard(String.prototype, 'padEnd', hugePad);
}

/**
 * V8 installs these on every new context, after deserialising the snapshot's, so the runtime removes
 * them again as each program starts (the prototype guards below survive in the snapshot).
 */
export function removeUncountedFeatures(g: Record<string, unknown>): void {
  delete g.WebAssembly;
  delete g.SharedArrayBuffer;
  delete g.FinalizationRegistry;
  delete (g.Atomics as Record<string, unknown>).waitAsync;
}

/**
 * Replaces `target[name]` with a method that ends the run when `tooBig(this, args)`, else calls the
 * original. A method definition keeps the name and, like a builtin, cannot be called with `new`.
 */
function guard(target: object, name: string, tooBig: (self: unknown, args: unknown[]) => boolean): void {
  const original = Reflect.get(target, name) as (...args: unknown[]) => unknown;
  const replacement = {
    [name](this: unknown, ...args: unknown[]) {
      if (tooBig(this, args)) memoryLimit();
      return apply(original, this, args);
    },
  }[name];
  Object.defineProperty(target, name, {
    value: replacement,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/** Map.prototype.set and Set.prototype.add, on hot paths: bound calls, no argument arrays. */
function guardCollection(proto: object, name: 'set' | 'add'): void {
  const sizeOf = bindCall(Object.getOwnPropertyDescriptor(proto, 'size')?.get as () => number);
  const original = bindCall(Reflect.get(proto, name) as (...args: unknown[]) => unknown);
  const replacement = {
    [name](this: unknown, key: unknown, value: unknown) {
      if (sizeOf(this) >= maxEntries()) memoryLimit();
      return original(this, key, value);
    },
  }[name];
  Object.defineProperty(proto, name, {
    value: replacement,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/** `fn.call` bound once, so later changes to Function.prototype.call cannot reach `fn`. */
function bindCall<A extends unknown[], R>(fn: (...args: A) => R): (self: unknown, ...args: A) => R {
  return callBind(fnCall, fn) as (self: unknown, ...args: A) => R;
}

/** ArrayBuffer without the maxByteLength option; the original constructor stays unreachable. */
function fixedArrayBuffer(Original: ArrayBufferConstructor): ArrayBufferConstructor {
  function FixedArrayBuffer(
    this: unknown,
    length: unknown,
    options?: { maxByteLength?: unknown },
  ): ArrayBuffer {
    if (new.target === undefined) throw new TypeError("Constructor ArrayBuffer requires 'new'");
    if (options !== null && typeof options === 'object' && options.maxByteLength !== undefined) {
      throw new RangeError('Resizable ArrayBuffers are not available in this sandbox');
    }
    return construct(Original, [length], new.target);
  }
  Object.defineProperty(FixedArrayBuffer, 'name', { value: 'ArrayBuffer' });
  Object.defineProperty(FixedArrayBuffer, 'prototype', { value: Original.prototype, writable: false });
  Object.defineProperty(FixedArrayBuffer, 'isView', {
    value: Original.isView,
    writable: true,
    configurable: true,
  });
  Object.defineProperty(FixedArrayBuffer, Symbol.species, {
    get: () => FixedArrayBuffer,
    configurable: true,
  });
  Object.defineProperty(Original.prototype, 'constructor', {
    value: FixedArrayBuffer,
    writable: true,
    configurable: true,
  });
  Object.setPrototypeOf(FixedArrayBuffer, Object.getPrototypeOf(Original));
  return FixedArrayBuffer as unknown as ArrayBufferConstructor;
}
