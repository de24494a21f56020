/**
 * A zod issue told the way a person fixes it: where, and what was expected. Unions say which branch the
 * value nearly matched ("0.response: expected a string, got a number") or which kinds would do, instead of
 * zod's bare "Invalid input"; a missing field says "required".
 */
import type { core } from 'zod';
import { quoteKey } from './wire.ts';

export interface IssueText {
  path: PropertyKey[];
  message: string;
  /** An error code a refinement attached (`params.code`), e.g. UNKNOWN_TASK. */
  code?: string;
}

/** Reads `input` (the value that was parsed, when the caller has it) to tell a missing field from a bad one. */
export function describeIssue(issue: core.$ZodIssue, input?: unknown): IssueText {
  return describe(issue, [], input === undefined ? undefined : { value: input });
}

type Root = { value: unknown } | undefined;

function describe(issue: core.$ZodIssue, prefix: PropertyKey[], root: Root): IssueText {
  const path = [...prefix, ...issue.path];
  const at = root === undefined ? undefined : valueAt(root.value, path);
  const missing = at !== undefined && !at.present;
  switch (issue.code) {
    case 'invalid_union': {
      if (issue.message !== 'Invalid input') return { path, message: issue.message };
      if (missing) return { path, message: 'required' };
      const branch = closestBranch(issue.errors);
      const first = branch?.[0];
      if (first !== undefined) return describe(first, path, root);
      return { path, message: `expected ${kinds(issue.errors)}${at ? `, got ${kindOf(at.value)}` : ''}` };
    }
    case 'invalid_type':
      if (missing) return { path, message: 'required' };
      if (!issue.message.startsWith('Invalid input')) return { path, message: issue.message };
      return {
        path,
        message: `expected ${kindName(issue.expected)}${at ? `, got ${kindOf(at.value)}` : ''}`,
      };
    case 'unrecognized_keys':
      return {
        path,
        message: issue.message.startsWith('Unrecognized key')
          ? `unknown key ${quoteKey(issue.keys[0] ?? '')}`
          : issue.message,
      };
    case 'custom': {
      const code = (issue.params as { code?: unknown } | undefined)?.code;
      return typeof code === 'string'
        ? { path, message: issue.message, code }
        : { path, message: issue.message };
    }
    default:
      return { path, message: issue.message };
  }
}

/**
 * The branch the value nearly matched: not one that failed on the value's kind, and of those the one whose
 * first problem is deepest. Undefined when every branch wants another kind of value.
 */
function closestBranch(branches: core.$ZodIssue[][]): core.$ZodIssue[] | undefined {
  let best: core.$ZodIssue[] | undefined;
  let bestDepth = -1;
  for (const branch of branches) {
    const first = branch[0];
    if (first === undefined || isKindMismatch(first)) continue;
    const depth = first.path.length + (first.code === 'unrecognized_keys' ? 1 : 0);
    if (depth > bestDepth) {
      best = branch;
      bestDepth = depth;
    }
  }
  return best;
}

function isKindMismatch(issue: core.$ZodIssue): boolean {
  return issue.path.length === 0 && (issue.code === 'invalid_type' || isNestedMismatch(issue));
}

function isNestedMismatch(issue: core.$ZodIssue): boolean {
  return (
    issue.code === 'invalid_union' && issue.errors.every((b) => b[0] !== undefined && isKindMismatch(b[0]))
  );
}

/** "a string, a number or a list", from the kinds the branches expected. */
function kinds(branches: core.$ZodIssue[][]): string {
  const names: string[] = [];
  const collect = (issue: core.$ZodIssue) => {
    if (issue.code === 'invalid_type') names.push(kindName(issue.expected));
    else if (issue.code === 'invalid_union') for (const b of issue.errors) if (b[0]) collect(b[0]);
  };
  for (const branch of branches) if (branch[0]) collect(branch[0]);
  const unique = [...new Set(names)];
  return unique.length < 2
    ? (unique[0] ?? 'another value')
    : `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`;
}

const KIND_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'a list',
  object: 'an object',
  record: 'an object',
  null: 'null',
};

function kindName(expected: string): string {
  return KIND_NAMES[expected] ?? expected;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return kindName(typeof value);
}

/** The value at `path`, and whether it is there at all (a key absent from its object is not). */
function valueAt(
  root: unknown,
  path: readonly PropertyKey[],
): { present: boolean; value: unknown } | undefined {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    if (!Object.hasOwn(value, key)) return { present: false, value: undefined };
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return { present: value !== undefined, value };
}
