/**
 * String-level clean-up of an answer before parsing: spacing commands, units, currency, percent words,
 * degree marks, thousands separators and connecting words. Pure functions of the text.
 */

const UNICODE: [RegExp, string][] = [
  [/π/g, '\\pi '],
  [/∞/g, '\\infty '],
  [/√/g, '\\sqrt '],
  [/≤|⩽/g, '\\le '],
  [/≥|⩾/g, '\\ge '],
  [/≠/g, '\\ne '],
  [/×/g, '\\times '],
  [/÷/g, '\\div '],
  [/[·⋅]/g, '\\cdot '],
  [/[−–—]/g, '-'],
  [/∪/g, '\\cup '],
  [/∈/g, '\\in '],
  [/±/g, '\\pm '],
  [/°/g, '^\\circ'],
  [/²/g, '^2'],
  [/³/g, '^3'],
  [/α/g, '\\alpha '],
  [/β/g, '\\beta '],
  [/γ/g, '\\gamma '],
  [/θ/g, '\\theta '],
  [/λ/g, '\\lambda '],
  [/μ/g, '\\mu '],
  [/[€£¥]/g, ''],
  [/\u00a0/g, ' '],
];

/** Commands that some datasets store with a doubled backslash (`\\frac`); LaTeX row breaks stay intact. */
const DOUBLED =
  /(?<!\\)\\\\(?=(frac|dfrac|tfrac|boxed|left|right|sqrt|text|le|ge|leq|geq|lt|gt|pi|infty|cdot|times|pm|in|cup|mathbf|mathrm|begin|end|quad|circ)(?![a-zA-Z]))/g;

const SPACING =
  /(?<!\\)\\(left|right|bigl|bigr|Bigl|Bigr|big|Big|biggl|biggr|displaystyle|textstyle|limits|nolimits)(?![a-zA-Z])|(?<!\\)\\[!,;:> ]|\\q?quad|~/g;

const UNIT_WORDS = [
  'cm',
  'mm',
  'km',
  'kg',
  'mg',
  'lb',
  'lbs',
  'oz',
  'sec',
  'secs',
  'second',
  'seconds',
  'min',
  'mins',
  'minute',
  'minutes',
  'hr',
  'hrs',
  'hour',
  'hours',
  'day',
  'days',
  'week',
  'weeks',
  'month',
  'months',
  'year',
  'years',
  'ft',
  'feet',
  'foot',
  'in',
  'inch',
  'inches',
  'yd',
  'yard',
  'yards',
  'mile',
  'miles',
  'mph',
  'meter',
  'meters',
  'metre',
  'metres',
  'centimeter',
  'centimeters',
  'kilometer',
  'kilometers',
  'liter',
  'liters',
  'ml',
  'dollar',
  'dollars',
  'cent',
  'cents',
  'yuan',
  'euro',
  'euros',
  'unit',
  'units',
  'sq',
  'square',
  'cubic',
  'degree',
  'degrees',
  'deg',
  'radian',
  'radians',
  'rad',
  'people',
  'students',
  'ways',
  'times',
  'points',
  'items',
  'apples',
  'pages',
  'books',
  'boxes',
  'balls',
  'marbles',
  'coins',
  'cookies',
  'candies',
  'hours',
  'games',
  'numbers',
  'integers',
  'digits',
  'pairs',
  'triangles',
  'squares',
  'steps',
  'moves',
  'outfits',
  'men',
  'women',
  'children',
];
const UNIT_ALT = UNIT_WORDS.join('|');
/**
 * Words in `\text{}` after a number: a unit (`5\text{ cm}^2`) or a phrase the answer trails off into
 * (`60 \text{ distinct arrangements, counted}`). One character class, no nested quantifier: linear.
 */
const TEXT_UNIT =
  /(\d|\})\s*\\(?:text|textnormal|textrm|mbox|mathrm|textbf|hbox)\{\s*[a-zA-Z][a-zA-Z\s,.;:'-]*\}(\^\{?[23]\}?)?/g;
const BARE_UNIT = new RegExp(String.raw`(\d)\s*(?:${UNIT_ALT})(\^\{?[23]\}?)?(?![a-zA-Z])\.?\s*$`);

export function cleanLatex(input: string): string {
  let s = input;
  // Each rewrite needs some literal text to match: when the answer lacks it, the scan is skipped (most
  // answers are short and plain, and these scans were most of the clean-up's time).
  if (NON_ASCII.test(s)) for (const [re, rep] of UNICODE) s = s.replace(re, rep);
  const slash = s.includes('\\');
  if (slash) s = s.replace(DOUBLED, '\\');
  // Thousands separators that can never separate list items: `10{,}000`, `11,\!111`.
  if (s.includes(',')) s = s.replace(/(\d)\s*(?:\{\s*,\s*\}|,\\!)\s*(?=\d{3})/g, '$1');
  if (slash || s.includes('~')) s = s.replace(SPACING, ' ');
  if (slash) {
    s = s.replace(/\\[dtc]frac(?![a-zA-Z])/g, '\\frac');
    s = s.replace(/\\(?:mathbb|mathcal)\{?([A-Z])\}?/g, '$1');
    // Degree marks: `30^\circ`, `30^{\circ}`, `30\degree`.
    s = s.replace(/\^\s*(?:\{\s*)?\\circ\s*\}?|\\circ|\\degree(?![a-zA-Z])/g, '');
  }
  // Currency.
  if (s.includes('$')) s = s.replace(/\\\$|\$/g, '');
  // Percent written out.
  // `(?<!\s)`: a run of spaces is tried from its start only, not from each of its characters.
  if (s.includes('%') || s.includes('percent') || s.includes('pct'))
    s = s.replace(/(?<!\s)\s*(?:\\?%|\b(?:percentage|percent|pct)\b)/g, '\\%');
  const text = s.includes('\\text') || s.includes('\\mbox');
  if (text) s = s.replace(/\\text\{\s*\\%\s*\}/g, '\\%');
  // Connecting words between items of a list.
  if (s.includes('and') || s.includes('or')) {
    if (text) s = s.replace(/\\(?:text|textnormal|mbox|textrm)\{\s*(?:,\s*)?(?:and|or)\s*\}/g, ',');
    s = s.replace(/(?<!\s)\s+(?:and|or)\s+|(?<=[\d)\]}])(?:and|or)(?=[A-Za-z(\\[{-])/g, ',');
    s = s.replace(/,\s*(?:and|or)\s+/g, ',');
  }
  // Units after numbers.
  if (s.includes('\\')) s = s.replace(TEXT_UNIT, '$1');
  if (ENDS_IN_LETTERS.test(s)) s = s.replace(BARE_UNIT, '$1');
  if (text) s = s.replace(/\\(?:text|textnormal|mbox)\{\s*\}/g, ' ');
  return trimEdges(s);
}

const NON_ASCII = /[\u0080-\uffff]/;
/** A bare unit ends the answer (maybe followed by `^2`, a period and spaces): it ends in letters or those. */
const ENDS_IN_LETTERS = /[a-zA-Z](?:\^\{?[23]\}?)?\.?\s*$/;

const EDGE_START = /[\s,;:]/;
const EDGE_END = /[\s.,;:]/;

/** `s` without leading spaces and `,;:`, and trailing spaces and `.,;:` (a loop: `[..]+$` is quadratic). */
function trimEdges(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && EDGE_START.test(s[start] as string)) start++;
  while (end > start && EDGE_END.test(s[end - 1] as string)) end--;
  return s.slice(start, end);
}

/** `7,425,000`, `10{,}000`, `11,\!111` and `1 000` when the whole answer is one such number. */
export function joinThousands(s: string): string {
  const unbraced = s.replace(/\{,\}/g, ',').replace(/,\\!\s*/g, ',');
  const sep = /^([-+]?\d{1,3})((?:,\d{3})+|(?: \d{3})+)(\.\d+)?(\\%)?$/.exec(unbraced.trim());
  if (sep) return unbraced.trim().replace(/[, ](?=\d{3})/g, '');
  // Unambiguous separators anywhere (`{,}`, `,\!`): join them, they never separate list items.
  return s.replace(/(\d)(?:\{,\}|,\\!\s*)(?=\d{3})/g, '$1');
}

/** `1000,99` and `0,111` in plain text, where the comma can only be a decimal comma. */
export function decimalComma(s: string): string {
  const m = /^([-+]?)(\d+),(\d+)$/.exec(s.trim());
  if (!m) return s;
  const [, sign, int = '', frac = ''] = m;
  const thousands = frac.length === 3 && int !== '0' && int.length <= 3;
  return thousands ? `${sign}${int}${frac}` : `${sign}${int}.${frac}`;
}
