/** Whole numbers written in English words, 0 to 999: `seven`, `Twenty-One`, `two hundred five`. */

const UNITS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

const WORDS = new Map<string, number>([
  ...UNITS.map((w, i) => [w, i] as [string, number]),
  ...TENS.map((w, i) => [w, 20 + 10 * i] as [string, number]),
  ['hundred', 100],
  ['a', -1],
  ['and', -2],
]);
/** Longest first, so `seventeen` is read before `seven`. */
const BY_LENGTH = [...WORDS.keys()].sort((a, b) => b.length - a.length);

/** The words of `s` (letters only, spaces and hyphens dropped), or null when some part is not a number word. */
function splitWords(s: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const word = BY_LENGTH.find((w) => s.startsWith(w, i));
    if (!word) return null;
    out.push(word);
    i += word.length;
  }
  return out;
}

/** Below one hundred: a unit word, a tens word, or a tens word and a unit 1..9. */
function belowHundred(words: string[]): number | null {
  const [first, second] = words.map((w) => WORDS.get(w) as number);
  if (words.length === 1 && first !== undefined && first >= 0) return first;
  if (words.length === 2 && first !== undefined && second !== undefined && first >= 20 && first % 10 === 0)
    return second >= 1 && second <= 9 ? first + second : null;
  return null;
}

/** The value of `s` as a number word, or null. Case, spaces and hyphens do not matter. */
export function numberFromWords(s: string): number | null {
  if (s.length > 60) return null;
  const letters = s.toLowerCase().replace(/[\s-]+/g, '');
  if (!/^[a-z]+$/.test(letters)) return null;
  const words = splitWords(letters);
  if (!words || words.length === 0) return null;
  const h = words.indexOf('hundred');
  if (h < 0) return belowHundred(words);
  const count =
    h === 0 ? 1 : words[0] === 'a' && h === 1 ? 1 : h === 1 ? belowHundred(words.slice(0, 1)) : null;
  if (count === null || count < 1 || count > 9) return null;
  const rest = words.slice(h + 1);
  if (rest[0] === 'and') rest.shift();
  if (rest.length === 0) return 100 * count;
  const tail = belowHundred(rest);
  return tail === null || tail === 0 ? null : 100 * count + tail;
}
