import { z } from '@hono/zod-openapi';
import { MAX_CODE_LIMITS, MIN_RUN_MEMORY_MB } from '../code/limits.ts';
import { MATH_GOLD } from './gold.ts';
import { isProblem, parseItem } from './job.ts';
import { MathOptionsInput } from './options.ts';
import { strictObject } from './wire.ts';

/** Most items one `POST /v1/reward` request may carry. */
export const MAX_ITEMS = 4096;

export { ErrorBody, ErrorCode, RewardError } from './error-schema.ts';
export { CodeOptionsInput, MathOptionsInput } from './options.ts';

export const Language = z.enum(['python', 'javascript', 'typescript']).openapi('Language');

const ItemId = z
  .union([z.string(), z.number()], { error: unionMessage('a string or a number') })
  .openapi({ description: 'Echoed back on the result.' });

/** Golds a math item accepts: one answer, a number, or several answers (correct if any matches). */
const MathGold = z.union([z.string(), z.number(), z.array(z.string()).min(1)], {
  error: unionMessage(MATH_GOLD),
});

/**
 * Any gold: a math gold, or tests in any layout docs/reward-api.md lists (an object, a list of test cases, or the JSON
 * text of either). Which of them an item needs is checked once its task is known (job.ts).
 */
const Gold = z.union([z.string(), z.number(), z.array(z.unknown()), z.record(z.string(), z.unknown())], {
  error: unionMessage(`${MATH_GOLD} (math), or tests (code): an object, a list of test cases, or their JSON`),
});

/** A union's message: "required" when the field is absent, else what it expected. */
function unionMessage(expected: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : `expected ${expected}`);
}

/** Shown with an unknown item key: where a caller's own data goes. */
const ITEM_HINT = '; put data of your own in extra_info';

const RewardItemFields = strictObject(
  {
    id: ItemId.optional(),
    task: z
      .string()
      .min(1)
      .optional()
      .openapi({
        description:
          'Scorer to use ("math" or "code"). When absent: by data_source; else code when ground_truth is tests; ' +
          'else "math". An unknown name is rejected with UNKNOWN_TASK.',
        example: 'math',
      }),
    response: z.string().openapi({ description: 'The model output to grade.' }),
    ground_truth: Gold.openapi({
      description:
        'Math: the gold answer, a number, or a list of acceptable answers. Code: the tests, in any layout of ' +
        'docs/reward-api.md "Code items" (an object, a list of test cases, or the JSON text of either).',
      example: '42',
    }),
    data_source: z.string().optional().openapi({ example: 'HuggingFaceH4/MATH-500' }),
    extra_info: z.record(z.string(), z.unknown()).optional().openapi({
      description: 'Data of your own, kept with the item and never read by the scorers.',
    }),
    language: Language.optional().openapi({
      description: 'Code items: the program language; by default the test data or the code fence says.',
    }),
    options: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({
        description:
          "MathOptions for math items, CodeOptions for code items (checked against the task's; unknown keys are rejected).",
        anyOf: [{ $ref: '#/components/schemas/MathOptions' }, { $ref: '#/components/schemas/CodeOptions' }],
      }),
  },
  'item fields are',
  ITEM_HINT,
);

/** The keys a RewardItem may have. */
export const REWARD_ITEM_FIELDS: readonly string[] = Object.keys(RewardItemFields.shape);

export const RewardItem = RewardItemFields.superRefine((item, ctx) => {
  const job = parseItem(item);
  if (!isProblem(job)) return;
  ctx.addIssue({
    code: 'custom',
    path: job.path.split('.'),
    message: job.message,
    params: { code: job.code },
  });
}).openapi('RewardItem');
export type RewardItem = z.infer<typeof RewardItem>;

const RunStatus = z.enum(['ok', 'runtime_error', 'compile_error', 'timeout', 'memory_limit', 'output_limit']);

export const TestVerdict = z
  .object({
    passed: z.boolean(),
    status: z.union([RunStatus, z.literal('skipped')]),
    ms: z.number(),
    reason: z.string().optional(),
    firstDiff: z
      .object({ line: z.number(), expected: z.string(), got: z.string() })
      .optional()
      .openapi({ description: 'The first differing output line of a wrong answer (each side capped).' }),
  })
  .openapi('TestVerdict');

export const RewardStatus = z.enum(['ok', 'no_answer', 'unparseable', 'timeout', 'too_large', 'error']);
export type RewardStatus = z.infer<typeof RewardStatus>;

export const RewardResult = z
  .object({
    id: ItemId.optional(),
    task: z.string().openapi({ example: 'math' }),
    score: z.number(),
    correct: z.boolean(),
    status: RewardStatus,
    extracted: z.string().nullable().openapi({ description: 'The answer taken from the response.' }),
    gold_parsed: z.string().optional(),
    reason: z.string().optional(),
    tests: z.array(TestVerdict).optional().openapi({ description: 'Code items: one verdict per test.' }),
    ms: z.number().openapi({ description: 'Time spent scoring this item (ms).' }),
  })
  .openapi('RewardResult');
export type RewardResult = z.infer<typeof RewardResult>;

export const RewardRequest = strictObject(
  { items: z.array(RewardItem).min(1).max(MAX_ITEMS) },
  'a request has only',
).openapi('RewardRequest');
export type RewardRequest = z.infer<typeof RewardRequest>;

export const RewardResponse = z
  .object({ results: z.array(RewardResult).openapi({ description: 'One result per item, in input order.' }) })
  .openapi('RewardResponse');
export type RewardResponse = z.infer<typeof RewardResponse>;

export const MathVerifyRequest = strictObject(
  { response: z.string(), ground_truth: MathGold, options: MathOptionsInput.optional() },
  'fields are',
).openapi('MathVerifyRequest');
export type MathVerifyRequest = z.infer<typeof MathVerifyRequest>;

/** POST /v1/code/run: run one program on each given input, without judging. */
export const CodeRunRequest = strictObject(
  {
    language: Language,
    program: z.string().max(1_000_000),
    inputs: z.array(z.string()).min(1).max(MAX_CODE_LIMITS.runInputs).default(['']).openapi({
      description: 'One run per stdin (the server may allow fewer: GRADUS_CODE_MAX_RUN_INPUTS).',
    }),
    timeLimitS: z
      .number()
      .positive()
      .max(MAX_CODE_LIMITS.runWallMs / 1000)
      .optional(),
    memoryMb: z.number().int().min(MIN_RUN_MEMORY_MB).max(MAX_CODE_LIMITS.runMemoryMb).optional(),
  },
  'fields are',
).openapi('CodeRunRequest');
export type CodeRunRequest = z.infer<typeof CodeRunRequest>;

export const RunResult = z
  .object({
    status: RunStatus,
    stdout: z.string(),
    stderr: z.string(),
    exitCode: z.number().optional(),
    ms: z.number(),
    memory: z.number().optional(),
  })
  .openapi('RunResult');

export const CodeRunResponse = z.object({ results: z.array(RunResult) }).openapi('CodeRunResponse');
