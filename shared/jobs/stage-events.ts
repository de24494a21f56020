import { z } from 'zod';

/**
 * What a stage does as it happens, for `gradus stage run` to show: a local stage job sends these to the
 * runner over its IPC channel (see `LocalRunnerConfig.onMessage`); `runStagesLocally` adds the rest.
 */
export const StageEvent = z.discriminatedUnion('type', [
  /** The stage's data and checkpoints are in place and the trainer starts. */
  z.object({
    type: z.literal('started'),
    stage: z.number().int(),
    totalSteps: z.number().int().optional(),
    resumedFrom: z.number().int().optional(),
    log: z.string().optional(),
  }),
  /** The trainer reported a step (verl's console logger: a line starting `step:<n>`). */
  z.object({
    type: z.literal('step'),
    stage: z.number().int(),
    step: z.number().int(),
    totalSteps: z.number().int().optional(),
  }),
  /** A checkpoint was sealed on storage: complete, and the newest a resume would start from. */
  z.object({ type: z.literal('checkpoint'), stage: z.number().int(), step: z.number().int() }),
  /** The stage succeeded in an earlier run; nothing ran. */
  z.object({ type: z.literal('skipped'), stage: z.number().int() }),
  /**
   * The stage's job ended; `reason` is the stage's own (the trainer's exit code, a missing checkpoint, or
   * for a stage its plateau rule ended, why and which checkpoint it hands on: `finalCheckpoint`).
   */
  z.object({
    type: z.literal('finished'),
    stage: z.number().int(),
    state: z.enum(['succeeded', 'failed']),
    reason: z.string().optional(),
    latestCheckpoint: z.number().int().optional(),
    finalCheckpoint: z.number().int().optional(),
    log: z.string().optional(),
  }),
]);
export type StageEvent = z.infer<typeof StageEvent>;

/** verl's console metrics line, `step:12 - actor/...`: the prefix is all that is read. */
const STEP_LINE = /^step:(\d{1,12})(?:\s|$)/;
/** Enough of a line to hold `step:<12 digits>` and the character after. */
const PREFIX_CHARS = 18;

/**
 * Feeds the trainer's output through, calling `onStep` for each line that starts with `step:<n>`. Keeps
 * only the first characters of the current line, so memory stays bounded whatever the trainer prints.
 */
export function stepScanner(onStep: (step: number) => void): (chunk: string) => void {
  let prefix = '';
  let full = false;
  const endLine = () => {
    const match = STEP_LINE.exec(prefix);
    if (match) onStep(Number(match[1]));
    prefix = '';
    full = false;
  };
  return (chunk) => {
    let start = 0;
    while (start <= chunk.length) {
      const end = chunk.indexOf('\n', start);
      const stop = end < 0 ? chunk.length : end;
      if (!full) {
        prefix += chunk.slice(start, Math.min(stop, start + PREFIX_CHARS - prefix.length));
        full = prefix.length >= PREFIX_CHARS;
      }
      if (end < 0) return;
      endLine();
      start = end + 1;
    }
  };
}
