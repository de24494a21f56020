/** structuredClone for the values programs copy: plain objects, arrays, Map, Set, Date, RegExp, typed arrays. */
export function structuredClone<T>(value: T): T {
  return clone(value, new Map()) as T;
}

function clone(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw new Error(`${String(value)} could not be cloned.`);
  }
  if (typeof value !== 'object' || value === null) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof RegExp) return new RegExp(value.source, value.flags);
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): unknown }).slice();
  if (value instanceof Map) {
    const out = new Map();
    seen.set(value, out);
    for (const [k, v] of value) out.set(clone(k, seen), clone(v, seen));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    seen.set(value, out);
    for (const v of value) out.add(clone(v, seen));
    return out;
  }
  const out: Record<string, unknown> = Array.isArray(value) ? (new Array(value.length) as never) : {};
  seen.set(value, out);
  for (const key of Object.keys(value)) out[key] = clone((value as Record<string, unknown>)[key], seen);
  return out;
}
