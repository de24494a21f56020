import { describe, expect, it } from 'vitest';
import { NUMBERS_INPUT, NUMBERS_OUTPUT, useSandbox } from './helpers.ts';

/** Programs in the styles models write to read stdin; each sums every line after the count. */
const sumLines =
  'const sums = (lines) => lines.slice(1, 1 + Number(lines[0])).map((l) => l.split(" ").map(Number).reduce((a, b) => a + b, 0));';

const programs: Record<string, string> = {
  'readFileSync(0, "utf8")': `${sumLines}
const lines = require('fs').readFileSync(0, 'utf8').trim().split('\\n');
console.log(sums(lines).join('\\n'));`,
  "readFileSync('/dev/stdin', 'utf8')": `${sumLines}
const fs = require('node:fs');
const lines = fs.readFileSync('/dev/stdin', 'utf8').split(/\\r?\\n/);
for (const s of sums(lines)) console.log(s);`,
  'readFileSync(0).toString()': `${sumLines}
const input = require('fs').readFileSync(0).toString();
process.stdout.write(sums(input.trim().split('\\n')).join('\\n') + '\\n');`,
  "readline on('line') / on('close')": `${sumLines}
const readline = require('readline');
const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: false });
const lines = [];
rl.on('line', (line) => lines.push(line));
rl.on('close', () => console.log(sums(lines).join('\\n')));`,
  'for await (const line of rl)': `${sumLines}
const readline = require('readline');
async function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const lines = [];
  for await (const line of rl) lines.push(line);
  console.log(sums(lines).join('\\n'));
}
main();`,
  'rl[Symbol.asyncIterator]().next()': `${sumLines}
const rl = require('readline').createInterface({ input: process.stdin });
const it = rl[Symbol.asyncIterator]();
(async () => {
  const n = Number((await it.next()).value);
  const lines = [String(n)];
  for (let i = 0; i < n; i++) lines.push((await it.next()).value);
  console.log(sums(lines).join('\\n'));
  rl.close();
})();`,
  "process.stdin.on('data' / 'end') with setEncoding and resume": `${sumLines}
let input = '';
process.stdin.resume();
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => console.log(sums(input.trim().split('\\n')).join('\\n')));`,
  "process.stdin.on('data') with Buffer chunks": `${sumLines}
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  if (!Buffer.isBuffer(chunks[0])) throw new Error('expected Buffer chunks');
  console.log(sums(Buffer.concat(chunks).toString('utf8').trim().split('\\n')).join('\\n'));
});`,
  "process.stdin.on('readable') with read()": `${sumLines}
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('readable', () => { let c; while ((c = process.stdin.read()) !== null) input += c; });
process.stdin.on('end', () => console.log(sums(input.trim().split('\\n')).join('\\n')));`,
  'for await (const chunk of process.stdin)': `${sumLines}
(async () => {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  console.log(sums(input.trim().split('\\n')).join('\\n'));
})();`,
  'fs.readSync(0, buffer) loop': `${sumLines}
const fs = require('fs');
const buf = Buffer.alloc(4);
let input = '';
let n;
while ((n = fs.readSync(0, buf, 0, buf.length, null)) > 0) input += buf.toString('utf8', 0, n);
console.log(sums(input.trim().split('\\n')).join('\\n'));`,
  'rl.question callbacks': `${sumLines}
const rl = require('readline').createInterface({ input: process.stdin });
rl.question('', (n) => {
  const lines = [n];
  const next = () => lines.length > Number(n)
    ? (console.log(sums(lines).join('\\n')), rl.close())
    : rl.question('', (l) => { lines.push(l); next(); });
  next();
});`,
  'fs.createReadStream("/dev/stdin") with readline': `${sumLines}
const rl = require('readline').createInterface({ input: require('fs').createReadStream('/dev/stdin') });
const lines = [];
rl.on('line', (l) => lines.push(l)).on('close', () => console.log(sums(lines).join('\\n')));`,
};

describe('stdin styles', () => {
  const { run } = useSandbox();
  for (const [style, program] of Object.entries(programs)) {
    it(`reads multi-line input with ${style}`, async () => {
      const result = await run(program, NUMBERS_INPUT);
      expect(result.stderr).toBe('');
      expect(result).toMatchObject({ status: 'ok', stdout: NUMBERS_OUTPUT, exitCode: 0 });
    });
  }

  it('emits a last line without a trailing newline, and CRLF lines without \\r', async () => {
    const program = `const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (l) => console.log(JSON.stringify(l)));`;
    const result = await run(program, 'a\r\nb\n\nc');
    expect(result.stdout).toBe('"a"\n"b"\n""\n"c"\n');
  });

  it('gives empty input as an empty string, and close without lines', async () => {
    const program = `const s = require('fs').readFileSync(0, 'utf8');
const rl = require('readline').createInterface({ input: process.stdin });
let n = 0;
rl.on('line', () => n++);
rl.on('close', () => console.log(JSON.stringify(s), n));`;
    expect((await run(program, '')).stdout).toBe('"" 0\n');
  });

  it('keeps non-ASCII input intact through Buffer and readline', async () => {
    const program = `const b = require('fs').readFileSync(0);
console.log(b.length, b.toString().split('\\n')[0]);`;
    expect((await run(program, 'héllo wörld ✓ 😀\n')).stdout).toBe('23 héllo wörld ✓ 😀\n');
  });

  it('stops line events after rl.close() in a handler, then fires close once', async () => {
    const program = `const rl = require('readline').createInterface({ input: process.stdin });
let seen = 0, closes = 0;
rl.on('line', (l) => { seen++; if (seen === 2) rl.close(); });
rl.on('close', () => { closes++; });
process.on('exit', () => console.log(seen, closes));`;
    expect((await run(program, '1\n2\n3\n4\n')).stdout).toBe('2 1\n');
  });

  it('answers readline/promises questions, losing lines that arrive before the next question (as Node)', async () => {
    // All piped input arrives as one chunk, so lines emitted while the awaiting code has not yet asked
    // again go to 'line' listeners (none here), exactly as in Node.
    const program = `const readline = require('node:readline/promises');
(async () => {
  const rl = readline.createInterface({ input: process.stdin });
  const first = await rl.question('');
  rl.on('line', (l) => console.log('line event:', l));
  console.log('answer:', first);
})();`;
    expect((await run(program, 'a\nb\n')).stdout).toBe('answer: a\n');
  });

  it('reads a 200,000-line input', async () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => `${i} ${i * 2}`);
    const program = `const rl = require('readline').createInterface({ input: process.stdin });
let total = 0;
rl.on('line', (l) => { const [a, b] = l.split(' ').map(Number); total += a + b; });
rl.on('close', () => console.log(total));`;
    const result = await run(program, `${lines.join('\n')}\n`);
    expect(result).toMatchObject({ status: 'ok', stdout: `${3 * ((199_999 * 200_000) / 2)}\n` });
  });
});
