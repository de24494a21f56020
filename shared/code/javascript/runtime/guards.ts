import { memoryLimit, run } from './state.ts';

// Captured before any program code runs, so a program replacing them cannot reach the originals.
const { apply, construct } = Reflect;
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
  delete g.WebAssembly;
  delete g.SharedArrayBuffer;
  delete g.FinalizationRegistry;
  delete (g.Atomics as Record<string, unknown>).waitAsync;
  g.ArrayBuffer = fixedArrayBuffer(ArrayBuffer);
  guardCollection(Map.prototype, 'set');
  guardCollection(Set.prototype, 'add');
  for (const name of ['fill', 'sort'] as const) {
    const original = Array.prototype[name];
    replaceMethod(Array.prototype, name, function (this: unknown[], ...args: unknown[]) {
      if (isArray(this) && this.length > maxElements()) memoryLimit();
      return apply(original, this, args);
    });
  }
  for (const name of ['split', 'match', 'matchAll', 'replace', 'replaceAll'] as const) {
    const original = String.prototype[name] as (...args: unknown[]) => unknown;
    replaceMethod(String.prototype, name, function (this: unknown, ...args: unknown[]) {
      if (stringLength(this) > maxSplitLength()) memoryLimit();
      return apply(original, this, args);
    });
  }
  const repeat = String.prototype.repeat;
  replaceMethod(String.prototype, 'repeat', function (this: unknown, count: unknown) {
    const n = Number(count);
    if (Number.isFinite(n) && stringLength(this) * n > run.memoryBytes) memoryLimit();
    return apply(repeat, this, [count]);
  });
  for (const name of ['padStart', 'padEnd'] as const) {
    const original = String.prototype[name] as (...args: unknown[]) => unknown;
    replaceMethod(String.prototype, name, function (this: unknown, ...args: unknown[]) {
      if (Number(args[0]) > run.memoryBytes) memoryLimit();
      return apply(original, this, args);
    });
  }
  const from = Array.from;
  replaceMethod(Array, 'from', function (this: unknown, items: unknown, ...rest: unknown[]) {
    const length = (items as { length?: unknown } | null)?.length;
    if (typeof length === 'number' && length > maxElements()) memoryLimit();
    return apply(from, this, [items, ...rest]);
  });
}

function replaceMethod(target: object, name: string, fn: (...args: never[]) => unknown): void {
  const original = Reflect.get(target, name) as { name: string; length: number };
  Object.defineProperty(fn, 'name', { value: original.name });
  Object.defineProperty(fn, 'length', { value: original.length });
  Object.defineProperty(target, name, { value: fn, writable: true, configurable: true, enumerable: false });
}

function guardCollection(proto: Map<unknown, unknown> | Set<unknown>, method: 'set' | 'add'): void {
  const original = Reflect.get(proto, method) as (...args: unknown[]) => unknown;
  const size = Object.getOwnPropertyDescriptor(proto, 'size')?.get as (this: unknown) => number;
  replaceMethod(proto, method, function (this: unknown, key: unknown, value: unknown) {
    if (apply(size, this, []) >= maxEntries()) memoryLimit();
    return apply(original, this, [key, value]);
  });
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
