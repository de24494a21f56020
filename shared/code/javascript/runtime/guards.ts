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
const toNumber = Number;
const { min } = Math;

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

// Originals of what the guards below replace or rely on, captured before any of them is installed.
const OriginalMap = Map;
const mapGet = bindCall(Map.prototype.get) as (map: unknown, key: unknown) => unknown;
const mapSet = bindCall(Map.prototype.set) as (map: unknown, key: unknown, value: unknown) => unknown;
const mapSize = bindCall(Object.getOwnPropertyDescriptor(Map.prototype, 'size')?.get as () => number);
const setSize = bindCall(Object.getOwnPropertyDescriptor(Set.prototype, 'size')?.get as () => number);
const weakMapHas = bindCall(WeakMap.prototype.has) as (map: unknown, key: unknown) => boolean;
const weakSetHas = bindCall(WeakSet.prototype.has) as (set: unknown, key: unknown) => boolean;
const { create: createObject } = Object;

export function harden(g: Record<string, unknown>): void {
  removeUncountedFeatures(g);
  g.ArrayBuffer = fixedArrayBuffer(ArrayBuffer);
  guardCollection(Map.prototype, 'set');
  guardCollection(Set.prototype, 'add');
  guardLengthWalks();
  guardGroupBy();
  for (const name of ['union', 'symmetricDifference']) guardSetAlgebra(name);
  guardWeakCollection(WeakMap.prototype, 'set', weakMapHas);
  guardWeakCollection(WeakSet.prototype, 'add', weakSetHas);
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
 * Every Array.prototype method whose work is proportional to the receiver's length. They are generic:
 * on an array-like (`{length: 2 ** 53 - 1}`) or a sparse array, V8 walks every index in a loop that
 * does not check for termination, so neither the timeout nor the watchdog can stop it. A receiver
 * longer than `maxWalk()` could not hold its elements within the memory limit, so the run ends with
 * memory_limit before V8 starts; the rest (at, push, pop, keys, values, entries) touch O(1) indexes
 * or are lazy. `concat` counts its spreadable arguments too.
 */
const LENGTH_WALKS = [
  'copyWithin',
  'every',
  'fill',
  'filter',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'flat',
  'flatMap',
  'forEach',
  'includes',
  'indexOf',
  'join',
  'lastIndexOf',
  'map',
  'reduce',
  'reduceRight',
  'reverse',
  'shift',
  'slice',
  'some',
  'sort',
  'splice',
  'toLocaleString',
  'toReversed',
  'toSorted',
  'toSpliced',
  'unshift',
  'with',
];

/** Indexes a builtin may walk: no more than the elements the limit could hold, and never near 2^32. */
function maxWalk(): number {
  return min(maxElements(), 2 ** 26);
}

/**
 * The receiver's length as the builtin will see it. Read once more than V8 reads it: a `length` getter
 * that answers differently the second time gets past this guard, and then only the host's process
 * recycling contains the run (shared/code/sandbox-process/).
 */
function lengthOf(value: unknown): number {
  if (isArray(value)) return value.length;
  if (value === null || value === undefined) return 0;
  const length = toNumber((value as { length?: unknown }).length);
  // biome-ignore lint/complexity/useMathMinMax: Math is the program's to replace; NaN must become 0.
  return length > 0 ? length : 0;
}

const isConcatSpreadable = Symbol.isConcatSpreadable;

function spreadLength(value: unknown): number {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return 1;
  const spreadable = (value as Record<symbol, unknown>)[isConcatSpreadable];
  if (spreadable === undefined ? isArray(value) : spreadable) return lengthOf(value);
  return 1;
}

function guardLengthWalks(): void {
  const tooLong = (self: unknown) => lengthOf(self) > maxWalk();
  for (const name of LENGTH_WALKS) guard(Array.prototype, name, tooLong);
  guard(Array.prototype, 'concat', (self, args) => {
    let total = spreadLength(self);
    for (let i = 0; i < args.length; i++) total += spreadLength(args[i]);
    return total > maxWalk();
  });
}

/**
 * Object.groupBy and Map.groupBy, in JavaScript: V8's own build their groups in an internal hash table
 * that the Map guard never sees, and rehashing it past the limit is a fatal OOM. As the specification
 * has it: the items' iterator, the callback with (value, index), -0 keys as +0 (Map.groupBy), property
 * keys (Object.groupBy, into a null-prototype object).
 */
function guardGroupBy(): void {
  const group = (items: unknown, callback: unknown, propertyKeys: boolean): Map<unknown, unknown[]> => {
    if (items === null || items === undefined) throw new TypeError(`${items} is not iterable`);
    if (typeof callback !== 'function') throw new TypeError(`${String(callback)} is not a function`);
    const groups = new OriginalMap<unknown, unknown[]>();
    let k = 0;
    for (const value of items as Iterable<unknown>) {
      let key = callback(value, k++);
      if (propertyKeys) key = typeof key === 'symbol' ? key : `${key as string}`;
      else if (key === 0) key = 0;
      const members = mapGet(groups, key) as unknown[] | undefined;
      if (members === undefined) {
        // A group is a table entry and an array of its own: a few hundred bytes at least.
        if (mapSize(groups) >= run.memoryBytes / 256) memoryLimit();
        mapSet(groups, key, [value]);
      } else members[members.length] = value;
    }
    return groups;
  };
  const methods = {
    groupBy(items: unknown, callback: unknown): Map<unknown, unknown[]> {
      return group(items, callback, false);
    },
  };
  const objectMethods = {
    groupBy(items: unknown, callback: unknown): Record<PropertyKey, unknown[]> {
      const out = createObject(null) as Record<PropertyKey, unknown[]>;
      for (const [key, members] of group(items, callback, true)) out[key as PropertyKey] = members;
      return out;
    },
  };
  for (const [target, fn] of [
    [Map, methods.groupBy],
    [Object, objectMethods.groupBy],
  ] as const) {
    Object.defineProperty(fn, 'length', { value: 2, configurable: true });
    Object.defineProperty(target, 'groupBy', {
      value: fn,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}

/**
 * Set.prototype.union and symmetricDifference add every key another set yields to a new set's internal
 * table, out of the Set guard's sight. With a real Set the sizes are known up front; with a set-like, its
 * keys iterator is wrapped so each key it yields is counted before V8 adds it. The wrapper reads each of
 * the set-like's properties once, in the order V8 would, so it observes nothing a program could tell.
 */
function guardSetAlgebra(name: string): void {
  const original = bindCall(Reflect.get(Set.prototype, name) as (other: unknown) => unknown);
  const sizeOfSet = (value: unknown): number | undefined => {
    try {
      return setSize(value);
    } catch {
      return undefined;
    }
  };
  const replacement = {
    [name](this: unknown, other: unknown) {
      const own = sizeOfSet(this);
      if (own === undefined || other === null || typeof other !== 'object') return original(this, other);
      const otherSize = sizeOfSet(other);
      if (otherSize !== undefined) {
        if (own + otherSize > maxEntries()) memoryLimit();
        return original(this, other);
      }
      return original(this, countingSetLike(other as Record<string, unknown>, own));
    },
  }[name] as (other: unknown) => unknown;
  Object.defineProperty(replacement, 'length', { value: 1, configurable: true });
  Object.defineProperty(Set.prototype, name, {
    value: replacement,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

function countingSetLike(other: Record<string, unknown>, own: number): object {
  let yielded = 0;
  return {
    get size() {
      return other.size;
    },
    get has() {
      const has = other.has;
      return typeof has === 'function' ? (key: unknown) => apply(has, other, [key]) : has;
    },
    get keys() {
      const keys = other.keys;
      if (typeof keys !== 'function') return keys;
      return () => {
        const iterator = apply(keys, other, []) as Record<string, unknown>;
        if (iterator === null || typeof iterator !== 'object') return iterator;
        const next = iterator.next;
        if (typeof next !== 'function') return { next };
        return {
          next() {
            if (own + ++yielded > maxEntries()) memoryLimit();
            return apply(next, iterator, []);
          },
        };
      };
    },
  };
}

/**
 * WeakMap.prototype.set and WeakSet.prototype.add: a weak table outgrowing the heap on a rehash is the
 * same fatal OOM as a Map's. A weak collection has no size, so each one's new keys are counted (keys
 * collected later are not uncounted: a bound, not a size).
 */
function guardWeakCollection(
  proto: object,
  name: 'set' | 'add',
  has: (self: unknown, key: unknown) => boolean,
): void {
  const original = bindCall(Reflect.get(proto, name) as (...args: unknown[]) => unknown);
  const counts = new WeakMap<object, number>();
  const countOf = bindCall(WeakMap.prototype.get) as (map: unknown, key: unknown) => number | undefined;
  const setCount = bindCall(WeakMap.prototype.set) as (map: unknown, key: unknown, value: number) => unknown;
  const replacement = {
    [name](this: object, key: unknown, value: unknown) {
      let known: boolean;
      try {
        known = has(this, key);
      } catch {
        return original(this, key, value);
      }
      if (!known) {
        const count = (countOf(counts, this) ?? 0) + 1;
        // The program keeps each key alive for it to count: an object and a table entry, a few hundred bytes.
        if (count > run.memoryBytes / 256) memoryLimit();
        const result = original(this, key, value);
        setCount(counts, this, count);
        return result;
      }
      return original(this, key, value);
    },
  }[name];
  replaceMethod(proto, name, replacement);
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
  Object.defineProperty(replacement, 'length', { value: original.length, configurable: true });
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
  replaceMethod(proto, name, replacement);
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

/** Puts `replacement` in place of the collection method `name` (`set` takes two arguments, `add` one), as V8 has it: writable, configurable, not enumerable. */
function replaceMethod(proto: object, name: string, replacement: unknown): void {
  Object.defineProperty(replacement, 'length', { value: name === 'set' ? 2 : 1, configurable: true });
  Object.defineProperty(proto, name, {
    value: replacement,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
