import { describe, expect, it } from 'vitest';
import { type Row, readRows } from '../../scripts/data/code-rows.ts';
import { MAX_TESTS_LISTED, MAX_VALUE_DEPTH } from '../../shared/code/limits.ts';
import { mbppEntryPoint } from '../../shared/code/test-formats/formats.ts';
import { parseJsonExact, parseJsonListSliced, toJson } from '../../shared/code/test-formats/json.ts';
import { parseGroundTruth, readGroundTruth } from '../../shared/code/test-formats/parse.ts';
import type { TestCase, TestSuite, TestsError } from '../../shared/code/test-formats/types.ts';
import { needData } from '../helpers/data.ts';

function suiteOf(gt: unknown): TestSuite {
  const parsed = parseGroundTruth(gt);
  if ('error' in parsed) throw new Error(`${parsed.error.code}: ${parsed.error.message}`);
  return parsed;
}

function errorOf(gt: unknown): TestsError['error'] {
  const parsed = parseGroundTruth(gt);
  if (!('error' in parsed)) throw new Error(`expected an error, got ${parsed.cases.length} cases`);
  return parsed.error;
}

function kinds(cases: TestCase[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of cases) out[c.kind] = (out[c.kind] ?? 0) + 1;
  return out;
}

// Every row of every file parses into a non-empty suite; no row is excepted.
const FILES: Array<{ file: string; gt: (row: Row) => unknown; rows: number; cases: Record<string, number> }> =
  [
    { file: 'humaneval.jsonl', gt: (r) => r, rows: 164, cases: { script: 164 } },
    { file: 'mbpp.jsonl', gt: (r) => r, rows: 974, cases: { script: 2922 } },
    { file: 'rllm_leetcode_test.jsonl', gt: (r) => r.tests, rows: 200, cases: { script: 200 } },
    { file: 'rllm_code_contests_test.jsonl', gt: (r) => r.tests, rows: 165, cases: { stdio: 1837 } },
    { file: 'rllm_codeforces_test.jsonl', gt: (r) => r.tests, rows: 408, cases: { stdio: 468 } },
    { file: 'lcb_format_sample.jsonl', gt: (r) => r, rows: 10, cases: { stdio: 186 } },
    { file: 'apps_format_sample.jsonl', gt: (r) => r, rows: 10, cases: { stdio: 46 } },
  ];

const CODE = needData('the parsing of every row of the code data', 'code');

describe.skipIf(!CODE.has())('every row of the code data parses', () => {
  for (const { file, gt, rows, cases } of FILES) {
    it(`${file}: ${rows} rows, ${JSON.stringify(cases)}`, () => {
      const data = readRows(file);
      expect(data).toHaveLength(rows);
      const all: TestCase[] = [];
      for (const row of data) {
        const suite = suiteOf(gt(row));
        expect(suite.cases.length).toBeGreaterThan(0);
        all.push(...suite.cases);
      }
      expect(kinds(all)).toEqual(cases);
    });
  }

  it('reads rllm rows whole ({problem, tests}) as the tests wrapper', () => {
    const row = readRows('rllm_codeforces_test.jsonl')[0] as Row;
    expect(suiteOf(row).cases).toEqual(suiteOf(row.tests).cases);
  });

  it('reads a ground truth given as a JSON string', () => {
    const row = readRows('rllm_code_contests_test.jsonl')[0] as Row;
    expect(suiteOf(JSON.stringify(row.tests))).toEqual(suiteOf(row.tests));
  });

  it('joins LiveCodeBench public and private tests, public first', () => {
    const row = readRows('lcb_format_sample.jsonl')[0] as Row;
    const suite = suiteOf(row);
    expect(suite.cases[0]).toEqual({ kind: 'stdio', input: '4\n4 2 3 1\n', output: '2\n' });
    expect(suite.cases).toHaveLength(4);
    expect(suite.language).toBeUndefined();
  });

  it('makes HumanEval a check(entry_point) script with the prompt as preamble', () => {
    const row = readRows('humaneval.jsonl')[0] as Row;
    const [c] = suiteOf(row).cases;
    expect(c).toMatchObject({ kind: 'script', entryPoints: ['has_close_elements'], preamble: row.prompt });
    expect(c?.kind === 'script' && c.code.endsWith('check(has_close_elements)\n')).toBe(true);
    expect(suiteOf(row).language).toBe('python');
  });

  it('makes one MBPP case per assert, each with the setup code', () => {
    const row = readRows('mbpp.jsonl').find((r) => r.task_id === 367) as Row;
    const suite = suiteOf(row);
    expect(suite.cases).toHaveLength(3);
    for (const c of suite.cases) {
      expect(c).toMatchObject({ kind: 'script', entryPoints: ['is_tree_balanced'] });
      expect(c.kind === 'script' && c.code.startsWith('root = Node(1)')).toBe(true);
    }
  });

  it('marks rllm LeetCode checks for the LeetCode prelude', () => {
    const row = readRows('rllm_leetcode_test.jsonl')[0] as Row;
    expect(suiteOf(row.tests).cases[0]).toMatchObject({
      kind: 'script',
      prelude: 'leetcode',
      entryPoints: ['Solution'],
    });
  });
});

describe('call-based layouts', () => {
  it('reads APPS fn_name tests as calls whose expected value may be list-wrapped', () => {
    const gt = JSON.stringify({
      inputs: [
        [1, 2],
        [[3], 4],
      ],
      outputs: [[3], [7]],
      fn_name: 'add',
    });
    expect(suiteOf({ input_output: gt })).toEqual({
      language: 'python',
      cases: [
        { kind: 'call', fnName: 'add', args: [1, 2], expected: [3], unwrapExpected: true },
        { kind: 'call', fnName: 'add', args: [[3], 4], expected: [7], unwrapExpected: true },
      ],
    });
  });

  it('reads LiveCodeBench functional tests: one JSON argument per line, metadata.func_name, big ints exact', () => {
    const suite = suiteOf({
      public_test_cases: JSON.stringify([
        { input: '[1, 2, 3]\n2', output: '12345678901234567891', testtype: 'functional' },
      ]),
      private_test_cases:
        '[{"input": "\\"ab\\"\\n0\\n", "output": "[true, null]", "testtype": "functional"}]',
      metadata: '{"func_name": "solve"}',
    });
    expect(suite.cases).toEqual([
      { kind: 'call', fnName: 'solve', args: [[1, 2, 3], 2], expected: 12345678901234567891n },
      { kind: 'call', fnName: 'solve', args: ['ab', 0], expected: [true, null] },
    ]);
  });

  it('takes the function name of a bare LiveCodeBench list from the wrapper', () => {
    const tests = [{ input: '5', output: '25', testtype: 'functional' }];
    expect(suiteOf({ tests, fn_name: 'square' }).cases).toEqual([
      { kind: 'call', fnName: 'square', args: [5], expected: 25 },
    ]);
  });
});

describe('the wrapper and its limits', () => {
  it('carries language, time and memory limits', () => {
    const suite = suiteOf({
      tests: { inputs: ['1\n'], outputs: ['1\n'] },
      language: 'javascript',
      time_limit_s: 2,
      memory_mb: 512,
    });
    expect(suite).toEqual({
      language: 'javascript',
      timeLimitS: 2,
      memoryMb: 512,
      cases: [{ kind: 'stdio', input: '1\n', output: '1\n' }],
    });
  });

  it('joins APPS lists of lines and reads DeepMind {input, output} lists', () => {
    expect(suiteOf({ inputs: [['1 2', '3']], outputs: [['3', '3']] }).cases).toEqual([
      { kind: 'stdio', input: '1 2\n3', output: '3\n3' },
    ]);
    expect(suiteOf({ input: ['x'], output: ['y'] }).cases).toEqual([
      { kind: 'stdio', input: 'x', output: 'y' },
    ]);
  });
});

describe('bad ground truths are errors with a code and a message', () => {
  it.each([
    ['a string that is not JSON', 'print(1)', /not JSON/],
    ['an unknown object', { foo: 1 }, /unrecognised ground truth \(an object with keys foo\)/],
    ['a number', 42, /unrecognised ground truth \(a number\)/],
    ['null', null, /unrecognised/],
    ['inputs and outputs of different lengths', { inputs: ['1'], outputs: [] }, /1 items but outputs has 0/],
    [
      'functional tests without a function name',
      [{ input: '1', output: '1', testtype: 'functional' }],
      /func_name/,
    ],
    [
      'functional input that is not JSON',
      { tests: [{ input: 'x y', output: '1', testtype: 'functional' }], fn_name: 'f' },
      /must be JSON/,
    ],
    [
      'compressed LiveCodeBench private tests',
      { public_test_cases: '[]', private_test_cases: 'eJzLSM3JyQcABiwCFQ==' },
      /base64 \+ zlib \+ pickle/,
    ],
    [
      'a list entry without output',
      [{ input: '1' }],
      /read as a LiveCodeBench\/codeforces test list, but 0\.output/,
    ],
    [
      'an entry_point that is not an identifier',
      { test: 'def check(c): pass', entry_point: 'a b' },
      /Python identifier/,
    ],
    ['tests nested in tests', { tests: { tests: [] } }, /nested/],
    ['a stdin test whose input is an object', { inputs: [{}], outputs: ['1'] }, /string inputs and outputs/],
  ])('%s', (_name, gt, message) => {
    const error = errorOf(gt);
    expect(error.code).toBe('BAD_TESTS');
    expect(error.message).toMatch(message);
  });

  it('an empty test list is NO_TESTS', () => {
    expect(errorOf([]).code).toBe('NO_TESTS');
    expect(errorOf({ inputs: [], outputs: [] }).code).toBe('NO_TESTS');
  });
});

/** `[[...[leaf]...]]`, `depth` lists deep, built without recursion. */
function nested(depth: number, leaf: unknown = 1): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** A LiveCodeBench row with `publicCount` public stdin tests and `privateCount` private ones, as JSON text. */
function lcbRow(publicCount: number, privateCount = 0): Record<string, string> {
  const tests = (n: number) =>
    JSON.stringify(Array.from({ length: n }, (_, i) => ({ input: `${i}`, output: '', testtype: 'stdin' })));
  return { public_test_cases: tests(publicCount), private_test_cases: tests(privateCount) };
}

/** The JSON text of nested(depth) (JSON.stringify itself recurses, and overflows at this depth). */
const nestedText = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe('hostile test data: no stack overflow, no recursion without a bound', () => {
  it(`reads ${MAX_TESTS_LISTED} tests of a LiveCodeBench row (no spread of the list into arguments)`, async () => {
    const row = lcbRow(MAX_TESTS_LISTED);
    expect(suiteOf(row).cases).toHaveLength(MAX_TESTS_LISTED);
    const read = await readGroundTruth(row);
    expect('cases' in read && read.cases.length).toBe(MAX_TESTS_LISTED);
  });

  it.each([
    ['a LiveCodeBench row of 130k tests', lcbRow(130_000)],
    ['a LiveCodeBench row whose public and private lists add up past the ceiling', lcbRow(6000, 6000)],
    [
      'APPS lists of 200k empty tests',
      { inputs: Array(200_000).fill(''), outputs: Array(200_000).fill('1') },
    ],
    [
      'APPS input_output text of 20k tests',
      { input_output: JSON.stringify({ inputs: Array(20_000).fill(''), outputs: Array(20_000).fill('') }) },
    ],
    ['a test list under tests', { tests: Array(MAX_TESTS_LISTED + 1).fill({ input: '', output: '' }) }],
    ['CodeContests lists', { input: Array(MAX_TESTS_LISTED + 1).fill(''), output: ['1'] }],
  ])('refuses more than the listed-tests ceiling before reading them: %s', async (_name, gt) => {
    const error = errorOf(gt);
    expect(error.code).toBe('TOO_MANY_TESTS');
    expect(error.message).toMatch(new RegExp(`reads at most ${MAX_TESTS_LISTED} per item`));
    expect(await readGroundTruth(gt)).toMatchObject({ error: { code: 'TOO_MANY_TESTS' } });
  });

  it.each([
    ['APPS call arguments as objects', { inputs: [[nested(5000)]], outputs: [1], fn_name: 'f' }],
    ['APPS expected value as an object', { inputs: [[1]], outputs: [nested(5000)], fn_name: 'f' }],
    [
      'APPS call arguments as JSON text',
      `{"inputs": [[${nestedText(5000)}]], "outputs": [1], "fn_name": "f"}`,
    ],
    [
      'LiveCodeBench functional input',
      { tests: [{ input: nestedText(5000), output: '1', testtype: 'functional' }], fn_name: 'f' },
    ],
  ])('refuses values nested 5,000 deep with a clear error: %s', async (_name, gt) => {
    const message = errorOf(gt).message;
    expect(message).toMatch(/nest(s)? deeper than \d+ levels/);
    expect(await readGroundTruth(gt)).toMatchObject({ error: { code: 'BAD_TESTS' } });
  });

  it(`accepts call values nested ${MAX_VALUE_DEPTH} deep, refuses one more`, () => {
    const at = (depth: number) => ({ inputs: [[nested(depth - 1)]], outputs: [nested(depth)], fn_name: 'f' });
    expect(suiteOf(at(MAX_VALUE_DEPTH)).cases).toHaveLength(1);
    expect(errorOf(at(MAX_VALUE_DEPTH + 1)).message).toMatch(/test 0: .* deeper than 100 levels/);
  });

  it('toJson writes a 100,000-deep value without recursing, as JSON.stringify would', () => {
    const deep = nested(100_000);
    const text = toJson(deep);
    expect(text.length).toBe(200_001);
    expect(text.startsWith('[[[') && text.endsWith(']]]')).toBe(true);
    const value = { a: [1, 'x', null, { b: true }], 'k"': -2.5, big: 12345678901234567891n, u: undefined };
    expect(toJson(value)).toBe(
      '{"a":[1,"x",null,{"b":true}],"k\\"":-2.5,"big":12345678901234567891,"u":null}',
    );
  });

  it('parseJsonListSliced reads a list an element at a time, pausing between slices, as parseJsonExact would', async () => {
    const texts = [
      ' [ {"input": "a,]}[{\\"", "output": "x"} , [1, [2, {"k": [3]}]], "s\\\\", 12345678901234567891, null ] ',
      '[]',
      '{"not": "a list"}',
      '"text"',
    ];
    for (const text of texts) {
      expect(await parseJsonListSliced(text, async () => {}, 1)).toEqual(parseJsonExact(text));
    }
    let pauses = 0;
    const list = JSON.stringify(
      Array.from({ length: 100 }, (_, i) => ({ input: 'x'.repeat(100), output: `${i}` })),
    );
    await parseJsonListSliced(list, async () => void pauses++, 1000);
    expect(pauses).toBeGreaterThanOrEqual(10);
    for (const bad of ['[1, 2', '[1] x', '[1,,2]', `[${nestedText(200)}]`]) {
      await expect(parseJsonListSliced(bad, async () => {}, 1)).rejects.toThrow(SyntaxError);
    }
  });

  it('parseJsonExact refuses deep documents with a SyntaxError and still keeps big integers exact', () => {
    expect(() => parseJsonExact(nestedText(5000))).toThrow(SyntaxError);
    expect(() => parseJsonExact(nestedText(5000))).toThrow(/deeper than \d+ levels/);
    expect(parseJsonExact('[12345678901234567891, 1.5, 3]')).toEqual([12345678901234567891n, 1.5, 3]);
    expect(parseJsonExact(JSON.stringify(nested(100)))).toEqual(nested(100));
  });
});

describe('mbppEntryPoint', () => {
  it.each([
    ['assert min_cost([[1, 2, 3]], 2, 2) == 8', 'min_cost'],
    ['assert set(similar_elements((3, 4), (5, 4))) == set((4,))', 'similar_elements'],
    ['assert sum(10,15) == 6', 'sum'],
    ['assert (max_height(root1)) == 5 ', 'max_height'],
    ['assert math.isclose(area(2), 12.56)', 'area'],
    ['assert max_chain_length([Pair(5, 24)], 4) == 3', 'max_chain_length'],
    ['assert x == 1', undefined],
  ])('%s -> %s', (assertion, name) => {
    expect(mbppEntryPoint(assertion)).toBe(name);
  });
});
