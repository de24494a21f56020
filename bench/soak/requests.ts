/**
 * The requests the soak (`npm run soak`) and the hostile-request tests send: honest items whose verdict is
 * known, and one request of each hostile family that once crashed, froze or wedged the server. A hostile
 * request may be answered with any status below 500 (a 4xx refusal, or a 200 whose items say why they
 * were not scored); it must never take the server down, stall it, or leave memory or threads behind.
 */

export interface SoakRequest {
  name: string;
  path: string;
  /** The raw body (a string, so bodies that are not valid JSON or UTF-8 can be sent too). */
  body: string | Uint8Array;
  contentType?: string;
  /** Honest requests: check the reply, return null when right or what was wrong. */
  check?: (status: number, reply: unknown) => string | null;
}

const fence = (language: string, code: string) => `\`\`\`${language}\n${code}\n\`\`\``;

function rewardItems(items: unknown[]): string {
  return JSON.stringify({ items });
}

/** The results of a `/v1/reward` reply, or null when it has none. */
function results(reply: unknown): { correct?: boolean; status?: string }[] | null {
  const r = (reply as { results?: unknown } | null)?.results;
  return Array.isArray(r) ? r : null;
}

function expectVerdicts(expected: boolean[]): SoakRequest['check'] {
  return (status, reply) => {
    if (status !== 200) return `HTTP ${status}`;
    const got = results(reply);
    if (!got || got.length !== expected.length) return 'wrong number of results';
    for (let i = 0; i < expected.length; i++) {
      const r = got[i] as { correct?: boolean; status?: string };
      if (r.correct !== expected[i]) return `item ${i}: correct=${r.correct} (status ${r.status})`;
    }
    return null;
  };
}

export const honestMath: SoakRequest = {
  name: 'honest math',
  path: '/v1/reward',
  body: rewardItems([
    {
      task: 'math',
      response: '<think>half of one</think> so $x = \\boxed{\\frac{1}{2}}$',
      ground_truth: '0.5',
    },
    { task: 'math', response: 'The answer is $\\boxed{7}$.', ground_truth: '8' },
    { task: 'math', response: 'Thus $\\boxed{(-\\infty, 2]}$.', ground_truth: 'x \\le 2' },
  ]),
  check: expectVerdicts([true, false, true]),
};

export const honestPython: SoakRequest = {
  name: 'honest python',
  path: '/v1/reward',
  body: rewardItems([
    {
      task: 'code',
      response: fence('python', 'a, b = map(int, input().split())\nprint(a + b)'),
      ground_truth: { inputs: ['1 2\n', '5 7\n'], outputs: ['3\n', '12\n'] },
    },
    {
      task: 'code',
      response: fence('python', 'a, b = map(int, input().split())\nprint(a - b)'),
      ground_truth: { inputs: ['1 2\n'], outputs: ['3\n'] },
    },
  ]),
  check: expectVerdicts([true, false]),
};

export const honestJavaScript: SoakRequest = {
  name: 'honest javascript',
  path: '/v1/reward',
  body: rewardItems([
    {
      task: 'code',
      language: 'javascript',
      response: fence(
        'javascript',
        "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(' ').map(Number);\nconsole.log(a * b);",
      ),
      ground_truth: { inputs: ['3 4\n'], outputs: ['12\n'] },
    },
  ]),
  check: expectVerdicts([true]),
};

export const honestRequests: SoakRequest[] = [honestMath, honestPython, honestJavaScript];

/** A JSON value nested `depth` levels deep, built as text (no recursion). */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

function jsItem(program: string, extra: Record<string, unknown> = {}): unknown {
  return {
    task: 'code',
    language: 'javascript',
    response: fence('javascript', program),
    ground_truth: { inputs: [''], outputs: ['1\n'], ...extra },
    options: { timeLimitS: 1 },
  };
}

function pyItem(program: string, groundTruth: unknown = { inputs: [''], outputs: ['1\n'] }): unknown {
  return { task: 'code', response: fence('python', program), ground_truth: groundTruth };
}

const HUGE_ARRAY_LIKE = [
  'Array.prototype.lastIndexOf.call({length: 2**53-1}, 1)',
  'Array.prototype.includes.call({length: 2**53-1}, 1)',
  'Array.prototype.indexOf.call({length: 2**32}, 1, 0)',
  'Array.prototype.reverse.call({length: 2**32})',
  'Array.prototype.copyWithin.call({length: 2**32}, 1, 0)',
  'Array.prototype.flat.call({length: 2**32})',
  'Array.prototype.toSorted.call({length: 2**32 - 2})',
  'Array.prototype.splice.call({length: 2**53-1}, 0, 1)',
  'Array.prototype.unshift.call({length: 2**32}, 1)',
];

const MEMORY_HOGS = [
  "const memo = {}; for (let i = 0; ; i++) memo['k' + i] = i;",
  'const a = []; for (let i = 0; ; i += 7) a[i * 1000] = i;',
  'const xs = Array.from({length: 5e7}, (_, i) => i); console.log(Object.groupBy(xs, (x) => x % 1e6));',
  'const xs = Array.from({length: 5e7}, (_, i) => i); console.log(Map.groupBy(xs, (x) => x));',
  'const s = new Set(); for (let i = 0; ; i++) s.add(i);',
  'const w = new WeakMap(); const keep = []; for (;;) { const k = {}; keep.push(k); w.set(k, new Array(64)); }',
];

/** One request per hostile family; each once crashed, froze, or wedged the server. */
export const hostileRequests: SoakRequest[] = [
  {
    name: 'extra_info nested 10,000 deep',
    path: '/v1/reward',
    body: `{"items":[{"task":"math","response":"\\\\boxed{1}","ground_truth":"1","extra_info":${nested(10_000)}}]}`,
  },
  {
    name: 'verl row nested 10,000 deep',
    path: '/v1/verl/rows',
    body: `{"rows":[{"data_source":"math","reward_model":{"ground_truth":"1"},"response":"\\\\boxed{1}","extra_info":${nested(10_000)}}]}`,
  },
  ...HUGE_ARRAY_LIKE.map((expr) => ({
    name: `JS ${expr.split('.call')[0]}`,
    path: '/v1/reward',
    body: rewardItems([jsItem(`console.log(${expr});`)]),
  })),
  ...MEMORY_HOGS.map((program, i) => ({
    name: `JS memory hog ${i + 1}`,
    path: '/v1/reward',
    body: rewardItems([jsItem(program)]),
  })),
  {
    name: 'digit run ending in a letter vs expected 1',
    path: '/v1/reward',
    body: rewardItems([pyItem("print('1' * 120000 + 'x')")]),
  },
  {
    name: 'long zero run in a decimal',
    path: '/v1/reward',
    body: rewardItems([pyItem("print('1.' + '0' * 160000 + '1')", { inputs: [''], outputs: ['1.5\n'] })]),
  },
  {
    name: 'memory_mb 65536 in the data',
    path: '/v1/reward',
    body: rewardItems([
      jsItem('const a = []; for (;;) a.push(new Array(1e6).fill(1));', { memory_mb: 65_536 }),
    ]),
  },
  {
    name: 'time_limit_s 600 in the data',
    path: '/v1/reward',
    body: rewardItems([pyItem('while True: pass', { inputs: [''], outputs: ['1\n'], time_limit_s: 600 })]),
  },
  {
    name: '200,000 empty tests',
    path: '/v1/reward',
    body: rewardItems([
      pyItem('print(1)', { inputs: Array(200_000).fill(''), outputs: Array(200_000).fill('1\n') }),
    ]),
  },
  {
    name: 'call arguments nested 5,000 deep',
    path: '/v1/reward',
    body: `{"items":[{"task":"code","response":"\`\`\`python\\ndef f(x):\\n    return 1\\n\`\`\`","ground_truth":{"fn_name":"f","inputs":[[${'['.repeat(5000)}1${']'.repeat(5000)}]],"outputs":[1]}}]}`,
  },
  {
    name: 'math phrase in \\text',
    path: '/v1/reward',
    body: rewardItems([
      {
        task: 'math',
        response: '\\boxed{60 \\text{ distinct arrangements of the letters in BANANA, counted}}',
        ground_truth: '60',
      },
    ]),
  },
  {
    name: 'twenty \\pm',
    path: '/v1/reward',
    body: rewardItems([{ task: 'math', response: `\\boxed{${'1 \\pm '.repeat(20)}1}`, ground_truth: '1' }]),
  },
  {
    name: 'runs of \\[',
    path: '/v1/reward',
    body: rewardItems([{ task: 'math', response: '\\['.repeat(20_000), ground_truth: '1' }]),
  },
  {
    name: 'invalid UTF-8',
    path: '/v1/reward',
    body: new Uint8Array([
      ...new TextEncoder().encode('{"items":[{"response":"'),
      0xff,
      0xfe,
      ...new TextEncoder().encode('","ground_truth":"1"}]}'),
    ]),
  },
  {
    name: '100,000 unknown keys',
    path: '/v1/reward',
    body: `{"items":[{"response":"1","ground_truth":"1",${Array.from({ length: 100_000 }, (_, i) => `"k${i}":0`).join(',')}}]}`,
  },
  {
    name: 'code/run over the caps',
    path: '/v1/code/run',
    body: JSON.stringify({
      language: 'python',
      program: 'while True: pass',
      inputs: Array(64).fill(''),
      timeLimitS: 60,
      memoryMb: 4096,
    }),
  },
];
