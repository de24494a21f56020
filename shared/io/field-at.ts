/** The value at a dotted path of a row (`extra_info.problem_id`), or undefined where the path ends early. */
export function fieldAt(row: unknown, path: string): unknown {
  let value: unknown = row;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
