import type { HandOff, PlateauRule } from '../curriculum/stage-end.ts';
import { CHECKPOINT_MANIFEST_NAME } from '../formats/run-contract.ts';
import { getJson, StoredJsonError } from '../io/get-json.ts';
import type { Storage } from '../storage/types.ts';
import { CheckpointEvalStatus, evalKeys, readCompleteCheckpoint } from './checkpoint-eval.ts';
import { type CompleteCheckpoint, runKeys } from './contract.ts';
import { type Evaluation, metricValue, type PlateauDecision, plateauDecision } from './plateau.ts';

export interface PlateauWatchOptions {
  storage: Storage;
  runId: string;
  stage: number;
  rule: PlateauRule;
  handOff?: HandOff;
}

export interface PlateauWatch {
  /** The rule's decision from the stage's checkpoints and their evaluations on storage now. */
  check(): Promise<PlateauDecision>;
}

const STEP_MANIFEST = new RegExp(`^(0|[1-9][0-9]{0,11})/${CHECKPOINT_MANIFEST_NAME.replace('.', '\\.')}$`);

/**
 * Reads a stage's evaluation history for the plateau rule: every checkpoint with a checkpoint manifest,
 * with its evaluation (`evals/<step>/status.json`, written by the evaluation job). A finished evaluation
 * does not change, so each is read once; each check costs one listing plus a read per unfinished one.
 */
export function plateauWatch(o: PlateauWatchOptions): PlateauWatch {
  const done = new Map<number, Evaluation>();
  const evaluation = async (step: number): Promise<Evaluation> => {
    const known = done.get(step);
    if (known) return known;
    // A read that fails (storage unreachable) throws: the next poll tries again. A status that does not
    // parse is the evaluation's own failure, and final.
    const key = evalKeys.status(o.runId, o.stage, step);
    let found: Evaluation;
    try {
      const status = await getJson(o.storage, key, CheckpointEvalStatus);
      if (status.state === 'queued' || status.state === 'running') return { step, state: 'pending' };
      found =
        status.state === 'failed'
          ? { step, state: 'failed', reason: status.reason ?? 'no reason recorded' }
          : { step, state: 'scored', value: metricValue(status.summary ?? [], o.rule.metric) };
    } catch (err) {
      if (!(err instanceof StoredJsonError)) throw err;
      if (err.code === 'NOT_FOUND') return { step, state: 'pending' };
      found = { step, state: 'failed', reason: `${key} is not an evaluation status` };
    }
    done.set(step, found);
    return found;
  };
  return {
    async check() {
      const base = runKeys.checkpoints(o.runId, o.stage);
      const steps: number[] = [];
      for await (const obj of o.storage.list(base)) {
        const m = STEP_MANIFEST.exec(obj.key.slice(base.length));
        if (m?.[1] !== undefined) steps.push(Number(m[1]));
      }
      const history: Evaluation[] = [];
      let waiting = false;
      for (const step of steps.sort((a, b) => a - b)) {
        // The rule reads no further than the first unfinished evaluation: later ones need not be fetched.
        const e: Evaluation = waiting
          ? (done.get(step) ?? { step, state: 'pending' as const })
          : await evaluation(step);
        waiting ||= e.state === 'pending';
        history.push(e);
      }
      return plateauDecision(history, o.rule, o.handOff);
    },
  };
}

/** The checkpoint a stopping decision hands on, when it is complete on storage. */
export function handOffCheckpoint(
  storage: Storage,
  runId: string,
  stage: number,
  decision: Extract<PlateauDecision, { action: 'stop' }>,
): Promise<CompleteCheckpoint | undefined> {
  return readCompleteCheckpoint(storage, { runId, stage, step: decision.handOff });
}

/** How long a trainer asked to stop gets before SIGKILL. */
export const STOP_GRACE_MS = 60_000;

/** How a stage that its plateau rule stopped ends. */
export type StageEnd =
  | { state: 'succeeded'; reason: string; endedBy: 'plateau'; finalCheckpoint: string }
  | { state: 'failed'; reason: string };

export interface StageEnding {
  /** Checks the rule; when it says stop (or cannot be applied), stops the trainer. */
  poll(): Promise<void>;
  /**
   * Once the trainer has exited and its last checkpoint is sealed: how the stage ends because of the
   * rule, read again so that `checkpoint: last` sees that checkpoint; undefined when the rule stopped
   * nothing (the stage ends as it would without one).
   */
  outcome(): Promise<StageEnd | undefined>;
}

export interface StageEndingOptions {
  storage: Storage;
  runId: string;
  stage: number;
  settings: { until?: { plateau?: PlateauRule }; checkpoint?: HandOff };
  /** Stops the trainer (see trainer-process.ts). */
  stop: () => void;
  log: (line: string) => void;
}

/** The plateau rule of a running stage, or undefined when the stage has none. */
export function stageEnding(o: StageEndingOptions): StageEnding | undefined {
  const rule = o.settings.until?.plateau;
  if (rule === undefined) return undefined;
  const watch = plateauWatch({ ...o, rule, handOff: o.settings.checkpoint });
  o.log(
    `plateau rule: ${rule.metric} (${rule.mode}, min_delta ${rule.min_delta}, patience ${rule.patience}), ` +
      `read from each checkpoint's evaluation (runs/${o.runId}/stages/${o.stage}/evals/<step>/status.json)`,
  );
  let fired: Exclude<PlateauDecision, { action: 'continue' }> | undefined;
  let chain: Promise<void> = Promise.resolve();
  const pollOnce = async () => {
    if (fired) return;
    const decision = await watch.check();
    if (decision.action === 'continue') return;
    fired = decision;
    o.log(
      `${decision.action === 'stop' ? decision.reason : `plateau rule: ${decision.reason}`}; stopping the trainer`,
    );
    o.stop();
  };
  return {
    poll() {
      // A failed read (storage hiccup) is retried at the next poll rather than ending the watch.
      chain = chain.catch(() => {}).then(pollOnce);
      return chain;
    },
    async outcome() {
      await chain.catch(() => {});
      if (fired === undefined) return undefined;
      // Evaluations read once do not change, so this stops at the same evaluation, with the newest checkpoint.
      const decision = await watch.check().catch(() => fired);
      const final = decision?.action === 'continue' || decision === undefined ? fired : decision;
      if (final.action === 'error') return { state: 'failed', reason: `plateau rule: ${final.reason}` };
      const checkpoint = await handOffCheckpoint(o.storage, o.runId, o.stage, final);
      if (checkpoint === undefined) {
        return {
          state: 'failed',
          reason: `${final.reason}, but checkpoint ${final.handOff} is not complete`,
        };
      }
      return {
        state: 'succeeded',
        reason: final.reason,
        endedBy: 'plateau',
        finalCheckpoint: checkpoint.prefix,
      };
    },
  };
}
