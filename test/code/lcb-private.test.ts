import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nativePythonRunner } from '../../scripts/native-python.ts';
import { MAX_CODE_LIMITS } from '../../shared/code/limits.ts';
import { scoreCode } from '../../shared/code/score.ts';
import {
  decodeLcbPrivateTests,
  decodeLcbPrivateTestsAsync,
  LCB_PRIVATE_MAX_BYTES,
  LcbPrivateError,
  unpickleString,
} from '../../shared/code/test-formats/lcb-private.ts';
import { parseGroundTruth, readGroundTruth } from '../../shared/code/test-formats/parse.ts';
import type { TestSuite } from '../../shared/code/test-formats/types.ts';
import { findBenchmark, loadProblems } from '../../shared/eval/benchmarks.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradus-lcb-private-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a Python snippet that prints one JSON value (the payloads are made by CPython's own pickle and zlib). */
function python(code: string): unknown {
  const prelude = 'import base64, json, pickle, zlib\n';
  return JSON.parse(
    execFileSync('python3', ['-c', prelude + code], { encoding: 'utf8', maxBuffer: 64 << 20 }),
  );
}

// Non-ASCII, astral, backslash, quote and newline characters exercise protocol 0's escapes too.
const TESTS = [
  { input: '3\n1 2 3\n', output: '6\n', testtype: 'stdin' },
  { input: 'héllo \\ "x" 😀\n', output: '\u0100\r\n', testtype: 'stdin' },
  { input: '12345678901234567891\n', output: '0\n', testtype: 'stdin' },
];
const PROTOCOLS = [0, 1, 2, 3, 4, 5] as const;
const payloads = python(
  `tests = json.loads(${JSON.stringify(JSON.stringify(TESTS))})
print(json.dumps({str(p): base64.b64encode(zlib.compress(pickle.dumps(json.dumps(tests), protocol=p))).decode()
                  for p in ${JSON.stringify(PROTOCOLS)}}))`,
) as Record<string, string>;

describe('decodeLcbPrivateTests', () => {
  it.each(PROTOCOLS)('reads back a JSON test list pickled with protocol %i', (protocol) => {
    const payload = payloads[String(protocol)] as string;
    expect(JSON.parse(decodeLcbPrivateTests(payload))).toEqual(TESTS);
  });

  it('reads a large list (dynamic Huffman blocks, protocol 5 frames)', () => {
    const [payload, expected] = python(
      `tests = [{"input": f"{i} {i * 7919}\\n", "output": f"{i % 97}\\n", "testtype": "stdin"} for i in range(50000)]
text = json.dumps(tests)
print(json.dumps([base64.b64encode(zlib.compress(pickle.dumps(text, protocol=5))).decode(), text]))`,
    ) as [string, string];
    expect(decodeLcbPrivateTests(payload)).toBe(expected);
  });

  it('refuses a pickled list without building it', () => {
    const payload = python(
      'print(json.dumps(base64.b64encode(zlib.compress(pickle.dumps([{"input": "1"}], protocol=4))).decode()))',
    ) as string;
    expect(() => decodeLcbPrivateTests(payload)).toThrow(/opcode EMPTY_LIST at byte \d+ is refused/);
  });

  it.each([0, 2, 4])('refuses a GLOBAL/REDUCE pickle (protocol %i) without running it', (protocol) => {
    const marker = join(dir, `ran-${protocol}`);
    const payload = python(
      `import os
class Exploit:
    def __reduce__(self):
        return (os.system, (${JSON.stringify(`touch ${marker}`)},))
print(json.dumps(base64.b64encode(zlib.compress(pickle.dumps(Exploit(), protocol=${protocol}))).decode()))`,
    ) as string;
    expect(() => decodeLcbPrivateTests(payload)).toThrow(
      /^pickle: opcode (GLOBAL|STACK_GLOBAL) at byte \d+ is refused/,
    );
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a pickle whose string is followed by other values', () => {
    // SHORT_BINUNICODE "a", SHORT_BINUNICODE "b", STOP: two values on the stack.
    const bytes = Uint8Array.from([0x80, 4, 0x8c, 1, 0x61, 0x8c, 1, 0x62, 0x2e]);
    expect(() => unpickleString(bytes)).toThrow(/expected one string at STOP, found 2/);
    expect(() => unpickleString(bytes.subarray(0, 8))).toThrow(/ends without STOP/);
    expect(() => unpickleString(Uint8Array.from([0x80, 4, 0x8c, 9, 0x61]))).toThrow(/truncated/);
  });

  it('says which step failed on corrupt base64, corrupt zlib and truncated data', () => {
    const good = payloads['4'] as string;
    expect(() => decodeLcbPrivateTests('not base64 at all!')).toThrow(/^base64: /);
    const bytes = Buffer.from(good, 'base64');
    const flipped = Buffer.from(bytes);
    const middle = Math.floor(bytes.length / 2);
    flipped[middle] = (bytes[middle] as number) ^ 0xff;
    expect(() => decodeLcbPrivateTests(flipped.toString('base64'))).toThrow(/^zlib: /);
    expect(() => decodeLcbPrivateTests(bytes.subarray(0, bytes.length - 8).toString('base64'))).toThrow(
      /^zlib: .*truncated/,
    );
    expect(() => decodeLcbPrivateTests(Buffer.from('plain text, not zlib').toString('base64'))).toThrow(
      /^zlib: not zlib data/,
    );
  });

  it('stops a zlib bomb at the bound instead of inflating it', () => {
    // 64 MiB of zeros compress to about 64 KiB; the bound here is 1 MiB.
    const bomb = python(
      'print(json.dumps(base64.b64encode(zlib.compress(pickle.dumps("0" * (64 << 20), protocol=4), 9)).decode()))',
    ) as string;
    expect(bomb.length).toBeLessThan(200_000);
    expect(() => decodeLcbPrivateTests(bomb, 1 << 20)).toThrow(/^zlib: .*over the limit of 1048576 bytes/);
  });
});

describe('decodeLcbPrivateTestsAsync: a slice at a time, within a budget and a size cap', () => {
  // 24 MiB of test text that compresses well: the decompression is most of the work.
  const big = python(
    `text = json.dumps([{"input": "7 " * (1 << 20), "output": "", "testtype": "stdin"} for _ in range(12)])
print(json.dumps([base64.b64encode(zlib.compress(pickle.dumps(text, protocol=4))).decode(), len(text)]))`,
  ) as [string, number];

  it('yields to the event loop while it decompresses and decodes, and gives the same text', async () => {
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const text = await decodeLcbPrivateTestsAsync(big[0], { sliceBytes: 1 << 20 });
    ticking = false;
    expect(text.length).toBe(big[1]);
    expect(text).toBe(decodeLcbPrivateTests(big[0]));
    // One turn at least per MiB decompressed and per MiB decoded; the synchronous form allows none.
    expect(turns).toBeGreaterThanOrEqual(2 * Math.floor(big[1] / (1 << 20)));
  });

  it('stops at the deadline with an error saying so', async () => {
    const late = decodeLcbPrivateTestsAsync(big[0], { deadline: performance.now() - 1 });
    await expect(late).rejects.toThrow(LcbPrivateError);
    await expect(decodeLcbPrivateTestsAsync(big[0], { deadline: performance.now() - 1 })).rejects.toThrow(
      /time budget/,
    );
  });

  it(`bounds the decompressed size at ${MAX_CODE_LIMITS.inflatedBytes >> 20} MiB (was 256 MiB)`, async () => {
    expect(LCB_PRIVATE_MAX_BYTES).toBe(MAX_CODE_LIMITS.inflatedBytes);
    expect(LCB_PRIVATE_MAX_BYTES).toBeLessThanOrEqual(64 << 20);
    const bomb = python(
      `print(json.dumps(base64.b64encode(zlib.compress(pickle.dumps("0" * ${LCB_PRIVATE_MAX_BYTES + 1}, protocol=4), 9)).decode()))`,
    ) as string;
    await expect(decodeLcbPrivateTestsAsync(bomb)).rejects.toThrow(
      /^zlib: .*over the limit of 67108864 bytes/,
    );
  });

  it("an unreadable compressed list is the item's error, also through readGroundTruth", async () => {
    const read = await readGroundTruth({
      public_test_cases: '[]',
      private_test_cases: 'eJzLSM3JyQcABiwCFQ==',
    });
    expect(read).toMatchObject({ error: { code: 'BAD_TESTS' } });
    const late = await readGroundTruth(
      { public_test_cases: '[]', private_test_cases: big[0] },
      { deadline: performance.now() - 1 },
    );
    expect('error' in late && late.error.message).toMatch(/time budget/);
  });
});

describe('unpickleString on hostile pickles', () => {
  it('reads a PUT whose memo index is 200,000 digits long (no spread into arguments)', () => {
    const digits = new Uint8Array(200_000).fill(0x31);
    const bytes = Uint8Array.from([0x80, 4, 0x8c, 1, 0x61, 0x70, ...digits, 0x0a, 0x2e]);
    expect(unpickleString(bytes)).toBe('a');
  });
});

function suiteOf(gt: unknown): TestSuite {
  const parsed = parseGroundTruth(gt);
  if ('error' in parsed) throw new Error(`${parsed.error.code}: ${parsed.error.message}`);
  return parsed;
}

describe('LiveCodeBench rows with compressed private tests', () => {
  const row = {
    public_test_cases: JSON.stringify([{ input: '2\n5 7\n', output: '12\n', testtype: 'stdin' }]),
    private_test_cases: payloads['5'],
    metadata: '{}',
  };

  it('parseGroundTruth joins the public tests and the decoded private ones', () => {
    const suite = suiteOf(row);
    expect(suite.cases).toHaveLength(1 + TESTS.length);
    expect(suite.cases[1]).toEqual({ kind: 'stdio', input: TESTS[0]?.input, output: TESTS[0]?.output });
    expect(suite.cases[3]).toEqual({ kind: 'stdio', input: TESTS[2]?.input, output: TESTS[2]?.output });
  });

  it('parseGroundTruth names the field when the private tests are neither form', () => {
    const parsed = parseGroundTruth({ ...row, private_test_cases: 'eJzLSM3JyQcABiwCFQ==' });
    expect(parsed).toMatchObject({ error: { code: 'BAD_TESTS' } });
    expect('error' in parsed && parsed.error.message).toMatch(
      /^private_test_cases is neither a JSON list nor .*\(base64 \+ zlib \+ pickle\): pickle: opcode 0x68/,
    );
  });

  it('scoreCode scores 1 with a correct program and 0 with a wrong one', async () => {
    const gt = {
      public_test_cases: JSON.stringify([{ input: '2\n5 7\n', output: '12\n', testtype: 'stdin' }]),
      private_test_cases: python(
        `tests = [{"input": f"3\\n{i} {i + 1} {i * 2}\\n", "output": f"{4 * i + 1}\\n", "testtype": "stdin"} for i in range(5)]
print(json.dumps(base64.b64encode(zlib.compress(pickle.dumps(json.dumps(tests), protocol=4))).decode()))`,
      ),
    };
    const sum = '```python\ninput()\nprint(sum(map(int, input().split())))\n```';
    const product = '```python\nimport math\ninput()\nprint(math.prod(map(int, input().split())))\n```';
    const right = await scoreCode({ response: sum, ground_truth: gt }, nativePythonRunner);
    expect(right).toMatchObject({ score: 1, correct: true, status: 'ok' });
    expect(right.tests).toHaveLength(6);
    const wrong = await scoreCode({ response: product, ground_truth: gt }, nativePythonRunner);
    expect(wrong).toMatchObject({ score: 0, correct: false });
  });

  it('the eval registry loads compressed rows and names the row and field of a bad one', async () => {
    const lcb = findBenchmark('livecodebench');
    if (!lcb) throw new Error('no livecodebench benchmark');
    const line = (id: string, privateTests: string) =>
      JSON.stringify({
        question_id: id,
        question_content: 'Add them.',
        ...row,
        private_test_cases: privateTests,
      });
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, `${line('a', payloads['5'] as string)}\n${line('b', JSON.stringify(TESTS))}\n`);
    const problems = await loadProblems(lcb, good);
    expect(problems.map((p) => suiteOf(p.groundTruth).cases.length)).toEqual([4, 4]);

    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${line('a', payloads['5'] as string)}\n${line('b', '{"input": "1"}')}\n`);
    await expect(loadProblems(lcb, bad)).rejects.toThrow(
      /row 2 \(livecodebench\): field "private_test_cases" is neither a JSON list nor/,
    );
  });
});
