/** The per-task `options` of a RewardItem: one strict schema per task (job.ts reads an item's options with it). */
import { z } from '@hono/zod-openapi';
import { CodeOptionsInput as CodeOptionsFields } from '../code/score.ts';
import type { MathOptions } from '../math/types.ts';
import type { TaskName } from './tasks.ts';
import { strictObject } from './wire.ts';

export const MathOptionsInput = strictObject(
  {
    timeoutMs: z.number().int().min(1).max(10_000).openapi({ description: 'Hard per-item budget (ms).' }),
    precision: z.number().int().min(1).max(15),
    strict: z.boolean(),
    allowSetRelation: z.boolean(),
    extraction: z.array(z.enum(['latex', 'expr'])).min(1),
    requireThinkClose: z.boolean(),
    percentLenient: z.boolean(),
    maxResponseChars: z.number().int().min(1),
    maxAnswerChars: z.number().int().min(1),
  },
  'math options are',
)
  .partial()
  .openapi('MathOptions', {
    description: 'Overrides of the math verifier defaults; unknown keys are rejected.',
  });
export type MathOptionsInput = z.infer<typeof MathOptionsInput>;

// Compile-time guard: the wire options name exactly the verifier's options, no more, no fewer.
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
true satisfies SameKeys<MathOptionsInput, MathOptions>;

/** The code scorer's options (shared/code/score.ts), with the same unknown-key message as every wire object. */
export const CodeOptionsInput = strictObject(CodeOptionsFields.shape, 'code options are').openapi(
  'CodeOptions',
  {
    description: 'Overrides of the code scorer defaults; unknown keys are rejected.',
  },
);
export type CodeOptionsInput = z.infer<typeof CodeOptionsInput>;

/** Each task's options schema. */
export const OPTIONS_SCHEMAS = { math: MathOptionsInput, code: CodeOptionsInput } satisfies Record<
  TaskName,
  z.ZodType
>;
