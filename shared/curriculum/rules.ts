import { z } from 'zod';
import { keepByHash } from './sample.ts';

/**
 * The rule language of a curriculum spec: conditions over one problem's per-model pass rates,
 * combined with `all` / `any` / `not`, plus a seeded `sample` leaf for "keep a share of these".
 *
 *   {model: "1.5b", op: "in_open", range: [0, 1]}      p15 strictly between 0 and 1
 *   {model: "32b", op: "eq", value: 0}                 p32 == 0
 *   {sample: {math: 0.5, code: 0.1}}                   keep 50% of math, 10% of code (hash of the id)
 *   {all: [...]}, {any: [...]}, {not: {...}}
 *
 * Any condition may carry a `tag` ("L2a"): a problem meeting its level's rule is also marked with the
 * tags of the conditions that held for it (inside `not`, none), so levels.parquet can say which branch
 * of a rule a problem came through.
 */

const ModelName = z.string().min(1, 'a model name from `models`');
const PassRate = z.number().min(0).max(1);
const Tag = z.string().min(1).max(64).optional();

const COMPARISONS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const;
const RANGES = ['in_open', 'in_closed', 'in_open_closed', 'in_closed_open'] as const;
export type ComparisonOp = (typeof COMPARISONS)[number];
export type RangeOp = (typeof RANGES)[number];

const Comparison = z
  .object({ model: ModelName, op: z.enum(COMPARISONS), value: PassRate, tag: Tag })
  .strict()
  .describe('a comparison {model, op: eq|ne|gt|gte|lt|lte, value}');

const Range = z
  .object({
    model: ModelName,
    op: z.enum(RANGES),
    range: z.tuple([PassRate, PassRate]).refine(([lo, hi]) => lo <= hi, 'range [lo, hi] with lo <= hi'),
    tag: Tag,
  })
  .strict()
  .describe('a range test {model, op: in_open|in_closed|in_open_closed|in_closed_open, range: [lo, hi]}');

/** Share of problems kept, per ability (the row's `ability`); `default` covers the others (else 1). */
export const Shares = z
  .record(z.string().min(1), z.number().min(0).max(1))
  .refine((s) => Object.keys(s).length > 0, 'at least one share, e.g. {math: 0.5, code: 0.1}');

const Sample = z
  .object({
    sample: Shares,
    /** Mixed into the hash with the spec's seed; defaults to the level's name. */
    salt: z.string().min(1).optional(),
    tag: Tag,
  })
  .strict();

export type Condition =
  | z.infer<typeof Comparison>
  | z.infer<typeof Range>
  | z.infer<typeof Sample>
  | { all: Condition[]; tag?: string }
  | { any: Condition[]; tag?: string }
  | { not: Condition; tag?: string };

const All = z.object({ all: z.array(z.lazy(() => Condition)).min(1), tag: Tag }).strict();
const Any = z.object({ any: z.array(z.lazy(() => Condition)).min(1), tag: Tag }).strict();
const Not = z.object({ not: z.lazy(() => Condition), tag: Tag }).strict();

const CONDITION_SHAPES =
  'a condition: {model, op, value}, {model, op, range}, {sample: {...}}, {all: [...]}, {any: [...]} or {not: {...}}';

/** Picks the one shape a value claims to be by its keys, so an error says what is wrong with that shape. */
function shapeOf(value: unknown): z.ZodType | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if ('all' in value) return All;
  if ('any' in value) return Any;
  if ('not' in value) return Not;
  if ('sample' in value) return Sample;
  if ('range' in value) return Range;
  if ('model' in value || 'op' in value) {
    const op = (value as { op?: unknown }).op;
    return typeof op === 'string' && (RANGES as readonly string[]).includes(op) ? Range : Comparison;
  }
  return undefined;
}

export const Condition: z.ZodType<Condition> = z.unknown().transform((value, ctx): Condition => {
  const shape = shapeOf(value);
  if (shape === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected ${CONDITION_SHAPES}` });
    return z.NEVER;
  }
  const parsed = shape.safeParse(value);
  if (parsed.success) return parsed.data as Condition;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
}) as unknown as z.ZodType<Condition>;

/** What a rule sees of one problem. `passRates` is keyed by the spec's model names. */
export interface ProblemFacts {
  id: string;
  ability: string;
  passRates: ReadonlyMap<string, number>;
}

export interface RuleContext {
  seed: number;
  /** Salt for `sample` leaves without their own (the level's name). */
  salt: string;
}

function compare(op: ComparisonOp, p: number, value: number): boolean {
  switch (op) {
    case 'eq':
      return p === value;
    case 'ne':
      return p !== value;
    case 'gt':
      return p > value;
    case 'gte':
      return p >= value;
    case 'lt':
      return p < value;
    case 'lte':
      return p <= value;
  }
}

function inRange(op: RangeOp, p: number, [lo, hi]: readonly [number, number]): boolean {
  switch (op) {
    case 'in_open':
      return p > lo && p < hi;
    case 'in_closed':
      return p >= lo && p <= hi;
    case 'in_open_closed':
      return p > lo && p <= hi;
    case 'in_closed_open':
      return p >= lo && p < hi;
  }
}

/** Share of `ability` kept by a sample leaf: its own entry, else `default`, else everything. */
export function shareFor(shares: Record<string, number>, ability: string): number {
  return shares[ability] ?? shares.default ?? 1;
}

/**
 * Evaluates a condition. Callers make sure every model the condition names has a pass rate
 * (`modelsIn`), so a missing one here is a bug, not an input error.
 */
export function evaluate(cond: Condition, facts: ProblemFacts, ctx: RuleContext): boolean {
  if ('all' in cond) return cond.all.every((c) => evaluate(c, facts, ctx));
  if ('any' in cond) return cond.any.some((c) => evaluate(c, facts, ctx));
  if ('not' in cond) return !evaluate(cond.not, facts, ctx);
  if ('sample' in cond) {
    const share = shareFor(cond.sample, facts.ability);
    return keepByHash(facts.id, share, ctx.seed, cond.salt ?? ctx.salt);
  }
  const p = facts.passRates.get(cond.model);
  if (p === undefined) throw new Error(`no pass rate for model "${cond.model}" on problem ${facts.id}`);
  return 'range' in cond ? inRange(cond.op, p, cond.range) : compare(cond.op, p, cond.value);
}

/**
 * Like `evaluate`, and also the tags of the conditions that held (every branch of an `any` is looked at,
 * so a problem in two groups of a level gets both tags). Tags under a `not` are not reported.
 */
export function evaluateTagged(
  cond: Condition,
  facts: ProblemFacts,
  ctx: RuleContext,
): { holds: boolean; tags: string[] } {
  let holds: boolean;
  let tags: string[] = [];
  if ('all' in cond || 'any' in cond) {
    const parts = ('all' in cond ? cond.all : cond.any).map((c) => evaluateTagged(c, facts, ctx));
    holds = 'all' in cond ? parts.every((p) => p.holds) : parts.some((p) => p.holds);
    if (holds) tags = parts.filter((p) => p.holds).flatMap((p) => p.tags);
  } else {
    holds = evaluate(cond, facts, ctx);
  }
  if (holds && cond.tag !== undefined) tags.push(cond.tag);
  return { holds, tags };
}

/** Every model name a condition refers to. */
export function modelsIn(cond: Condition, into: Set<string> = new Set()): Set<string> {
  if ('all' in cond) for (const c of cond.all) modelsIn(c, into);
  else if ('any' in cond) for (const c of cond.any) modelsIn(c, into);
  else if ('not' in cond) modelsIn(cond.not, into);
  else if ('model' in cond) into.add(cond.model);
  return into;
}
