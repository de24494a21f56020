/**
 * Generators for the stdout judge's property suite (./judge-properties.test.ts): expected outputs made
 * of the tokens programs print (words, integers of any size, zero-padded ids and bit strings, real
 * numbers), whitespace-only rewritings of an output, and a changed token.
 */
import fc from 'fast-check';

export type TokenKind = 'word' | 'integer' | 'real';

export interface Token {
  text: string;
  kind: TokenKind;
}

const word = fc
  .oneof(
    fc.constantFrom(
      'YES',
      'NO',
      'Yes',
      'no',
      'Case',
      '#1:',
      'impossible',
      'Alice',
      'inf',
      'nan',
      '0x1F',
      'a1',
      'x=3',
    ),
    fc.stringMatching(/^[a-zA-Z]{1,8}$/),
  )
  .map((text): Token => ({ text, kind: 'word' }));

const integer = fc
  .oneof(
    fc.bigInt({ min: -1_000_000n, max: 1_000_000n }).map(String),
    fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
    fc.stringMatching(/^[01]{1,16}$/), // bit strings, leading zeros included
    fc.stringMatching(/^0\d{1,6}$/), // zero-padded ids and times
  )
  .map((text): Token => ({ text, kind: 'integer' }));

const real = fc
  .oneof(
    // 12.345, -0.5
    fc
      .tuple(fc.boolean(), fc.stringMatching(/^(0|[1-9]\d{0,6})$/), fc.stringMatching(/^\d{1,6}$/))
      .map(([neg, whole, frac]) => `${neg ? '-' : ''}${whole}.${frac}`),
    // 1.5e-3, 2E5
    fc
      .tuple(
        fc.boolean(),
        fc.integer({ min: 1, max: 9 }),
        fc.stringMatching(/^\d{0,5}$/),
        fc.constantFrom('e', 'E'),
        fc.integer({ min: -12, max: 12 }),
      )
      .map(([neg, lead, frac, e, exp]) => `${neg ? '-' : ''}${lead}${frac ? `.${frac}` : ''}${e}${exp}`),
  )
  .map((text): Token => ({ text, kind: 'real' }));

export const tokenArb = fc.oneof(word, integer, real);

/** An expected output: 1 to 6 lines of 1 to 6 tokens. */
export const outputArb = fc.array(fc.array(tokenArb, { minLength: 1, maxLength: 6 }), {
  minLength: 1,
  maxLength: 6,
});

export type Output = Token[][];

/** The output as a program would print it: single spaces, one newline per line. */
export const canonical = (out: Output) => `${out.map((l) => l.map((t) => t.text).join(' ')).join('\n')}\n`;

// --- whitespace-only rewritings ------------------------------------------------------------------------------

/** Runs of blanks between tokens: spaces, tabs, no-break and ideographic spaces (whitespace to `\s` and Python's split). */
const blanks = fc
  .array(fc.constantFrom(' ', ' ', '\t', '\u00a0', '\u3000'), { minLength: 1, maxLength: 4 })
  .map((xs) => xs.join(''));
const optionalBlanks = fc.oneof(fc.constant(''), blanks);
const lineEnd = fc.constantFrom('\n', '\r\n', '\r');

/**
 * The same output with other whitespace: each separator a run of blanks, blanks at the start and end of
 * lines, LF / CRLF / CR line ends, blank lines before the first line and after the last. Blank lines
 * between lines are not whitespace-only: the judge compares line by line (LiveCodeBench's rule).
 */
export function respaced(out: Output): fc.Arbitrary<string> {
  const lines = out.map((line) =>
    fc
      .tuple(
        optionalBlanks,
        fc.array(blanks, { minLength: line.length - 1, maxLength: line.length - 1 }),
        optionalBlanks,
        lineEnd,
      )
      .map(([lead, seps, trail, end]) => {
        const body = line.map((t, i) => (i === 0 ? t.text : `${seps[i - 1]}${t.text}`)).join('');
        return `${lead}${body}${trail}${end}`;
      }),
  );
  const edge = fc.array(
    fc.tuple(optionalBlanks, lineEnd).map(([b, e]) => b + e),
    { maxLength: 3 },
  );
  return fc.tuple(edge, fc.tuple(...lines), edge, fc.boolean()).map(([head, body, tail, keepLastEnd]) => {
    let text = `${head.join('')}${body.join('')}${tail.join('')}`;
    if (!keepLastEnd && tail.length === 0) text = text.replace(/(?:\r\n|\r|\n)$/, '');
    return text;
  });
}

// --- a changed token -------------------------------------------------------------------------------------

/** Replaces one digit of `text` by another digit. */
function changeDigit(text: string, at: number, by: number): string {
  const positions = [...text].flatMap((c, i) => (/\d/.test(c) ? [i] : []));
  if (positions.length === 0) return `${text}0`;
  const i = positions[at % positions.length] as number;
  const old = Number(text[i]);
  const digit = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((d) => d !== old)[by % 9] as number;
  return `${text.slice(0, i)}${digit}${text.slice(i + 1)}`;
}

/** Same value as an integer token, other text: ±1, a digit, padding, sign, a float or exponent form. */
function otherInteger(t: string): fc.Arbitrary<string> {
  const v = BigInt(t);
  const options: fc.Arbitrary<string>[] = [
    fc.constantFrom(String(v + 1n), String(v - 1n)),
    fc.tuple(fc.nat(40), fc.nat(8)).map(([at, by]) => changeDigit(t, at, by)),
    fc.constantFrom(`0${t.replace(/^-/, '')}`, `+${t}`, `${t}.0`, t.startsWith('-') ? t.slice(1) : `-${t}`),
  ];
  const stripped = t.replace(/^(-?)0+(?=\d)/, '$1');
  if (stripped !== t) options.push(fc.constant(stripped));
  const zeros = /0+$/.exec(t)?.[0].length ?? 0;
  if (zeros > 0 && v !== 0n) options.push(fc.constant(`${t.slice(0, t.length - zeros)}e${zeros}`));
  return fc.oneof(...options);
}

/** A real token with one of its first three significant digits changed, or its sign flipped. */
function otherReal(t: string): fc.Arbitrary<string> {
  const exponent = t.search(/[eE]/);
  const mantissa = exponent < 0 ? t : t.slice(0, exponent);
  const digitAt = [...mantissa].flatMap((c, i) => (/\d/.test(c) ? [i] : []));
  const firstNonZero = digitAt.findIndex((i) => mantissa[i] !== '0');
  // Of a zero (`0.000`), its first digit; else one of the first three significant digits.
  const significant = firstNonZero < 0 ? digitAt.slice(0, 1) : digitAt.slice(firstNonZero, firstNonZero + 3);
  return fc.oneof(
    fc.tuple(fc.constantFrom(...significant), fc.nat(8)).map(([i, by]) => {
      const old = Number(t[i]);
      const digit = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0].filter((d) => d !== old)[by % 9] as number;
      return `${t.slice(0, i)}${digit}${t.slice(i + 1)}`;
    }),
    fc.constant(t.startsWith('-') ? t.slice(1) : `-${t}`),
  );
}

/** A token that must not pass for `t`: for a word another text, for a number another value or writing. */
export function changedToken(t: Token): fc.Arbitrary<string> {
  const another = tokenArb.map((u) => u.text);
  const words = fc.oneof(
    fc.constant(t.text.toUpperCase() === t.text ? t.text.toLowerCase() : t.text.toUpperCase()),
    fc.constant(`${t.text}x`),
  );
  const specific =
    t.kind === 'integer' ? otherInteger(t.text) : t.kind === 'real' ? otherReal(t.text) : words;
  return fc
    .oneof({ weight: 3, arbitrary: specific }, { weight: 1, arbitrary: another })
    .filter((u) => u !== t.text && !/\s/.test(u) && u !== '' && !(t.kind === 'real' && sameReal(u, t.text)));
}

/**
 * Both decimal literals with values within 100 times the judge's tolerance (1e-6, absolute or relative):
 * for an expected real such a token may pass, so it is not a change.
 */
function sameReal(a: string, b: string): boolean {
  const isNumber = (s: string) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s);
  return (
    isNumber(a) && isNumber(b) && Math.abs(Number(a) - Number(b)) <= 1e-4 * Math.max(1, Math.abs(Number(b)))
  );
}

/** One token of the output replaced, removed, or a token inserted after it. */
export function withChangedToken(out: Output): fc.Arbitrary<{ got: string; where: string }> {
  const positions = out.flatMap((line, i) => line.map((_, j) => [i, j] as const));
  return fc.constantFrom(...positions).chain(([i, j]) => {
    const t = (out[i] as Token[])[j] as Token;
    const edit = (replace: string[]) =>
      out.map((line, a) =>
        a === i ? line.flatMap((u, b) => (b === j ? replace : [u.text])) : line.map((u) => u.text),
      );
    const render = (lines: string[][]) => `${lines.map((l) => l.join(' ')).join('\n')}\n`;
    return fc.oneof(
      {
        weight: 4,
        arbitrary: changedToken(t).map((u) => ({
          got: render(edit([u])),
          where: `line ${i + 1} token ${j + 1}: ${t.text} -> ${u}`,
        })),
      },
      {
        weight: 1,
        arbitrary: fc.constant({ got: render(edit([])), where: `line ${i + 1} token ${j + 1} removed` }),
      },
      {
        weight: 1,
        arbitrary: tokenArb.map((u) => ({
          got: render(edit([t.text, u.text])),
          where: `line ${i + 1}: ${u.text} inserted after token ${j + 1}`,
        })),
      },
    );
  });
}

// --- real tokens written another way --------------------------------------------------------------------

/** The same decimal value written differently: trailing zeros, plain or exponent form. */
export function rewrittenReal(t: string): fc.Arbitrary<string> {
  const [mantissa = '', exp = '0'] = t.toLowerCase().split('e');
  const neg = mantissa.startsWith('-');
  const [whole = '', frac = ''] = mantissa.replace(/^-/, '').split('.');
  const digits = `${whole}${frac}`;
  const point = whole.length + Number(exp); // value = 0.digits * 10^point
  return fc
    .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: -3, max: 3 }), fc.boolean())
    .map(([zeros, shift, sci]) => {
      const padded = `${digits}${'0'.repeat(zeros)}`;
      if (sci) {
        // d.ddd e(point - 1 + shift) with the point moved by `shift`
        const at = Math.max(1, 1 + shift);
        const body =
          at >= padded.length
            ? `${padded}${'0'.repeat(at - padded.length)}`
            : `${padded.slice(0, at)}.${padded.slice(at)}`;
        return `${neg ? '-' : ''}${body}e${point - at}`;
      }
      let p = point;
      let s = padded;
      if (p <= 0) {
        s = `${'0'.repeat(1 - p)}${s}`;
        p = 1;
      }
      if (p >= s.length) s = `${s}${'0'.repeat(p - s.length + 1)}`;
      return `${neg ? '-' : ''}${s.slice(0, p)}.${s.slice(p)}`;
    });
}
