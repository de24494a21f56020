/**
 * Wire shapes of code ground truths, as zod schemas (exportable to OpenAPI). Unknown keys are allowed
 * and ignored, so whole dataset rows (an APPS row, a HumanEval row, ...) may be passed as they are.
 */
import { z } from '../zod.ts';

/** APPS / TACO / DeepMind code_contests as rllm ships it: parallel lists; `fn_name` makes them call tests. */
export const AppsTests = z
  .object({
    inputs: z.array(z.unknown()),
    outputs: z.array(z.unknown()),
    fn_name: z.string().min(1).nullish(),
  })
  .openapi('AppsTests', {
    description:
      'stdin tests (each input/output a string or a list of lines), or call tests when fn_name is set ' +
      '(each input a list of arguments, each output the return value, possibly wrapped in a list).',
  });

/** DeepMind CodeContests' own layout (`public_tests`): singular key names. */
export const CodeContestsTests = z
  .object({ input: z.array(z.string()), output: z.array(z.string()) })
  .openapi('CodeContestsTests');

/** An APPS/TACO row: `input_output` holds AppsTests, usually as a JSON string. */
export const AppsRow = z.object({ input_output: z.union([z.string(), AppsTests]) }).openapi('AppsRow');

/** One LiveCodeBench test; codeforces-style `{input, output}` without testtype means stdin. */
export const LcbTestCase = z
  .object({
    input: z.string(),
    output: z.string(),
    testtype: z.enum(['stdin', 'functional']).optional(),
  })
  .openapi('LcbTestCase', {
    description: 'functional: input is one JSON value per line (the arguments), output one JSON value.',
  });

export const LcbTests = z.array(LcbTestCase).openapi('LcbTests');

/** A LiveCodeBench code_generation row: test lists as JSON strings, `metadata.func_name` for functional tests. */
export const LcbRow = z
  .object({
    public_test_cases: z.union([z.string(), LcbTests]).optional(),
    private_test_cases: z.union([z.string(), LcbTests]).optional(),
    metadata: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  })
  .openapi('LcbRow');

export const HumanEvalTests = z
  .object({
    test: z.string().min(1),
    entry_point: z.string().regex(/^[A-Za-z_]\w*$/, 'entry_point must be a Python identifier'),
    prompt: z.string().optional().openapi({ description: 'Run before the program (imports, helpers).' }),
  })
  .openapi('HumanEvalTests');

export const MbppTests = z
  .object({
    test_list: z.array(z.string().min(1)).min(1),
    test_setup_code: z.string().optional(),
    test_imports: z.array(z.string()).optional(),
  })
  .openapi('MbppTests', { description: 'One test per assert; challenge_test_list is not run.' });

export const LeetCodeTests = z
  .object({ functional: z.string().min(1) })
  .openapi('LeetCodeTests', { description: 'rllm: `def check(candidate): ...` then `check(Solution().f)`.' });

export const TestsWrapper = z
  .object({
    tests: z.unknown(),
    language: z.enum(['python', 'javascript', 'typescript']).optional(),
    time_limit_s: z.number().positive().max(600).optional(),
    memory_mb: z.number().int().positive().max(65_536).optional(),
    fn_name: z.string().min(1).optional().openapi({ description: 'Function of LCB functional tests.' }),
  })
  .openapi('CodeTests', {
    description: 'Any of the test layouts (object or JSON string) under `tests`, with optional limits.',
  });

export type AppsTests = z.infer<typeof AppsTests>;
export type CodeContestsTests = z.infer<typeof CodeContestsTests>;
export type LcbTestCase = z.infer<typeof LcbTestCase>;
export type LcbRow = z.infer<typeof LcbRow>;
export type HumanEvalTests = z.infer<typeof HumanEvalTests>;
export type MbppTests = z.infer<typeof MbppTests>;
export type LeetCodeTests = z.infer<typeof LeetCodeTests>;
export type TestsWrapper = z.infer<typeof TestsWrapper>;
