/**
 * scoreBatch: a batch of items to one result each, in input order. Each item is parsed once into a job
 * (job.ts) and its task's scorer gives the verdict (registry.ts). Small math batches are scored right here
 * on the calling thread; larger ones go to the math threads when the runtime has them; code items run in
 * the sandboxes, a few at a time, admitted whole or refused whole (429) before any item starts.
 */
import { QueueFullError } from '../code/sandbox-pool.ts';
import type { CodeRunner } from '../code/score.ts';
import { DEFAULT_MATH_OPTIONS } from '../math/types.ts';
import type { Admission, Ticket } from './admission.ts';
import { type ItemProblem, isProblem, type Job, type MathJob, parseItem } from './job.ts';
import { resolveTask, scoreJob } from './registry.ts';
import type { RewardItem, RewardResult, RewardStatus } from './schema.ts';
import { gradeMath } from './scorers/math.ts';

/** Anything that scores a batch (compose.ts builds the one every runtime uses; the math threads are one too). */
export interface RewardScorer {
  /** One result per item, in input order. Never rejects because of one item. */
  score(items: RewardItem[]): Promise<RewardResult[]>;
  close(): Promise<void>;
}

/** What a batch is scored with: compose.ts fills it in per runtime. */
export interface ScoreParts {
  /** Math threads (Node): math batches too large to score inline go there, each item under a hard kill. */
  mathThreads?: RewardScorer;
  /** Runs code; without it a batch holding a code item is refused with UnavailableError(`noSandboxes`). */
  sandboxes?: CodeRunner;
  noSandboxes?: string;
  /** Lets code batches in or refuses them whole (429) by the work already admitted. */
  admission?: Admission;
  /** Code items of one batch in flight at once (default 8). */
  codeLanes?: number;
}

/** This runtime cannot score an item of the batch (no sandboxes for code): the route answers 501. */
export class UnavailableError extends Error {}

/**
 * Math batches up to this size and total length are scored inline: every step of the verifier is linear
 * and checks its deadline, so such a batch is bounded by its own size (a few ms), and a single-item request
 * (OpenRLHF's pattern) does not pay two thread crossings. Larger batches go to the threads, which use every
 * core and kill an item that overruns its budget.
 */
export const INLINE_MAX_ITEMS = 8;
export const INLINE_MAX_CHARS = 64 * 1024;

export async function scoreBatch(items: RewardItem[], parts: ScoreParts): Promise<RewardResult[]> {
  const results = new Array<RewardResult>(items.length);
  const jobs = items.map((item) => parseItem(item));
  const math: number[] = [];
  const code: number[] = [];
  jobs.forEach((job, i) => {
    if (isProblem(job)) results[i] = failedResult(items[i], 'error', `${job.path}: ${job.message}`);
    else (job.task === 'math' ? math : code).push(i);
  });
  const { sandboxes } = parts;
  if (code.length > 0 && sandboxes === undefined) {
    const why = parts.noSandboxes ?? 'this runtime has no code sandboxes';
    throw new UnavailableError(`items.${code[0]} is a code item: ${why}`);
  }
  // Admitted whole or refused whole (QueueFullError) before any item of the batch, math included, starts.
  const lanes = Math.min(Math.max(1, parts.codeLanes ?? 8), code.length);
  const ticket = code.length > 0 ? parts.admission?.admit(lanes, code.length) : undefined;
  const codeRun =
    code.length > 0 ? scoreCodeItems(items, jobs, code, results, { ...parts, lanes, ticket }) : undefined;
  await Promise.all([scoreMathItems(items, jobs, math, results, parts.mathThreads), codeRun]);
  return results;
}

/** Inline when the batch is small or there are no threads, else on the threads. */
async function scoreMathItems(
  items: RewardItem[],
  jobs: (Job | ItemProblem)[],
  math: number[],
  results: RewardResult[],
  threads: RewardScorer | undefined,
): Promise<void> {
  if (math.length === 0) return;
  if (threads === undefined || inlineWorthy(items, jobs, math)) {
    for (const i of math) results[i] = await scoreOne(items[i] as RewardItem, jobs[i] as Job, {});
    return;
  }
  const scored = await threads.score(math.map((i) => items[i] as RewardItem));
  scored.forEach((result, k) => {
    results[math[k] as number] = result;
  });
}

/** A small batch of math items that ask for no more than the default time: scored inline. */
function inlineWorthy(items: RewardItem[], jobs: (Job | ItemProblem)[], math: number[]): boolean {
  if (math.length > INLINE_MAX_ITEMS) return false;
  let chars = 0;
  for (const i of math) {
    const job = jobs[i] as MathJob;
    if ((job.options.timeoutMs ?? 0) > DEFAULT_MATH_OPTIONS.timeoutMs) return false;
    chars += (items[i] as RewardItem).response.length;
    for (const gold of job.golds) chars += gold.length;
  }
  return chars <= INLINE_MAX_CHARS;
}

/** Code items with at most `lanes` in flight; the ticket is released when the last is done. */
async function scoreCodeItems(
  items: RewardItem[],
  jobs: (Job | ItemProblem)[],
  code: number[],
  results: RewardResult[],
  parts: ScoreParts & { lanes: number; ticket: Ticket | undefined },
): Promise<void> {
  const { lanes, ticket } = parts;
  const ctx = { sandboxes: parts.sandboxes };
  const tasks = code.map((i) => async () => {
    const t0 = performance.now();
    results[i] = await scoreOne(items[i] as RewardItem, jobs[i] as Job, ctx);
    ticket?.itemDone(performance.now() - t0);
  });
  try {
    await runLimited(tasks, lanes);
  } finally {
    ticket?.release();
  }
}

/** One job's result; a scorer that throws gives the item an `error` result (an UnavailableError or a full queue, the batch's). */
async function scoreOne(
  item: RewardItem,
  job: Job,
  ctx: Parameters<typeof scoreJob>[1],
): Promise<RewardResult> {
  const t0 = performance.now();
  try {
    const verdict = await scoreJob(job, ctx);
    return { ...withId(item), task: job.task, ...verdict, ms: performance.now() - t0 };
  } catch (err) {
    if (err instanceof UnavailableError || err instanceof QueueFullError) throw err;
    return failedResult(
      item,
      'error',
      `scorer "${job.task}" failed: ${errorMessage(err)}`,
      performance.now() - t0,
    );
  }
}

/**
 * One math item on the calling thread, synchronously: what a math thread runs for each item it is sent.
 * Any other task is an error here (code never goes to a thread).
 */
export function scoreMathItem(item: RewardItem): RewardResult {
  const t0 = performance.now();
  const job = parseItem(item);
  if (isProblem(job)) return failedResult(item, 'error', `${job.path}: ${job.message}`);
  if (job.task !== 'math') return failedResult(item, 'error', `a ${job.task} item was sent to a math thread`);
  try {
    return { ...withId(item), task: 'math', ...gradeMath(job), ms: performance.now() - t0 };
  } catch (err) {
    return failedResult(item, 'error', `scorer "math" failed: ${errorMessage(err)}`, performance.now() - t0);
  }
}

/** Runs the tasks with at most `limit` in flight; on the first failure starts no more and rejects with it. */
async function runLimited(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < tasks.length && !failed) {
      try {
        await (tasks[next++] as () => Promise<void>)();
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
}

/** A zero-score result for an item that could not be graded. */
export function failedResult(
  item: Partial<Pick<RewardItem, 'id' | 'task' | 'data_source'>> | undefined,
  status: RewardStatus,
  reason: string,
  ms = 0,
): RewardResult {
  const task = item === undefined ? 'unknown' : resolveTask(item);
  return {
    ...withId(item),
    task: typeof task === 'string' ? task : (item?.task ?? 'unknown'),
    score: 0,
    correct: false,
    status,
    extracted: null,
    reason,
    ms,
  };
}

function withId(item: Pick<RewardItem, 'id'> | undefined): Pick<RewardResult, 'id'> {
  return item?.id === undefined ? {} : { id: item.id };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
