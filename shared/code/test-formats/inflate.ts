/**
 * zlib (RFC 1950) / DEFLATE (RFC 1951) decompression with a hard bound on the output, in plain
 * TypeScript (the parser is bundled into the Cloudflare Worker too, where node:zlib is not), and
 * resumable: a caller decompresses a slice at a time and yields between slices.
 */

export class InflateError extends Error {}

const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
/** The order in which a dynamic block lists the code lengths of its code-length alphabet. */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * A canonical Huffman code as a lookup table indexed by the next `bits` input bits (least significant
 * first); an entry is `symbol << 4 | codeLength`, 0 where no code matches.
 */
interface Huffman {
  table: Uint32Array;
  bits: number;
}

function buildHuffman(lengths: ArrayLike<number>, what: string): Huffman {
  const counts = new Uint16Array(16);
  let bits = 0;
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s] as number;
    counts[len] = (counts[len] as number) + 1;
    if (len > bits) bits = len;
  }
  counts[0] = 0;
  let left = 1;
  for (let len = 1; len < 16; len++) {
    left = (left << 1) - (counts[len] as number);
    if (left < 0) throw new InflateError(`the ${what} code is over-subscribed`);
  }
  const next = new Uint16Array(16);
  for (let len = 1, code = 0; len < 16; len++) {
    code = (code + (counts[len - 1] as number)) << 1;
    next[len] = code;
  }
  const table = new Uint32Array(1 << bits);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s] as number;
    if (len === 0) continue;
    const code = next[len] as number;
    next[len] = code + 1;
    let reversed = 0;
    for (let i = 0; i < len; i++) reversed |= ((code >> i) & 1) << (len - 1 - i);
    for (let j = reversed; j < table.length; j += 1 << len) table[j] = (s << 4) | len;
  }
  return { table, bits };
}

let fixedCodes: { literals: Huffman; distances: Huffman } | undefined;

function fixed(): { literals: Huffman; distances: Huffman } {
  if (fixedCodes) return fixedCodes;
  const lengths = new Uint8Array(288);
  lengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
  fixedCodes = {
    literals: buildHuffman(lengths, 'fixed literal'),
    distances: buildHuffman(new Uint8Array(30).fill(5), 'fixed distance'),
  };
  return fixedCodes;
}

/** Where a resumable inflation stands between two steps. */
type Phase =
  | { at: 'block' }
  | { at: 'stored'; left: number }
  | { at: 'compressed'; codes: { literals: Huffman; distances: Huffman } }
  | { at: 'trailer' }
  | { at: 'done' };

class Inflater {
  private pos = 0;
  private bitBuf = 0;
  private bitCount = 0;
  private readonly data: Uint8Array;
  private readonly maxOutput: number;
  out: Uint8Array;
  length = 0;

  constructor(data: Uint8Array, maxOutput: number) {
    this.data = data;
    this.maxOutput = maxOutput;
    this.out = new Uint8Array(Math.min(maxOutput, Math.max(1024, data.length * 4)));
  }

  bits(n: number): number {
    while (this.bitCount < n) {
      if (this.pos >= this.data.length) throw new InflateError('the compressed data is truncated');
      this.bitBuf |= (this.data[this.pos++] as number) << this.bitCount;
      this.bitCount += 8;
    }
    const value = this.bitBuf & ((1 << n) - 1);
    this.bitBuf >>>= n;
    this.bitCount -= n;
    return value;
  }

  symbol(code: Huffman): number {
    while (this.bitCount < code.bits && this.pos < this.data.length) {
      this.bitBuf |= (this.data[this.pos++] as number) << this.bitCount;
      this.bitCount += 8;
    }
    const entry = code.table[this.bitBuf & ((1 << code.bits) - 1)] as number;
    const len = entry & 15;
    if (len === 0) throw new InflateError('invalid Huffman code in the compressed data');
    if (len > this.bitCount) throw new InflateError('the compressed data is truncated');
    this.bitBuf >>>= len;
    this.bitCount -= len;
    return entry >>> 4;
  }

  /** Drops the bits up to the next byte boundary and hands whole buffered bytes back to the input. */
  alignToByte(): void {
    this.pos -= this.bitCount >> 3;
    this.bitBuf = 0;
    this.bitCount = 0;
  }

  byte(): number {
    if (this.pos >= this.data.length) throw new InflateError('the compressed data is truncated');
    return this.data[this.pos++] as number;
  }

  reserve(n: number): void {
    const needed = this.length + n;
    if (needed <= this.out.length) return;
    if (needed > this.maxOutput)
      throw new InflateError(`the decompressed data is over the limit of ${this.maxOutput} bytes`);
    const grown = new Uint8Array(Math.min(this.maxOutput, Math.max(needed, this.out.length * 2)));
    grown.set(this.out.subarray(0, this.length));
    this.out = grown;
  }

  storedLength(): number {
    this.alignToByte();
    const len = this.byte() | (this.byte() << 8);
    const nlen = this.byte() | (this.byte() << 8);
    if (len !== (~nlen & 0xffff)) throw new InflateError('a stored block has a corrupt length');
    return len;
  }

  /** Copies up to `n` bytes of a stored block. */
  copyStored(n: number): void {
    this.reserve(n);
    for (let i = 0; i < n; i++) this.out[this.length++] = this.byte();
  }

  dynamicCodes(): { literals: Huffman; distances: Huffman } {
    const nLiterals = this.bits(5) + 257;
    const nDistances = this.bits(5) + 1;
    const nCodeLengths = this.bits(4) + 4;
    if (nLiterals > 286 || nDistances > 30) throw new InflateError('a dynamic block has too many codes');
    const codeLengthLengths = new Uint8Array(19);
    for (let i = 0; i < nCodeLengths; i++) codeLengthLengths[CODE_LENGTH_ORDER[i] as number] = this.bits(3);
    const codeLengths = buildHuffman(codeLengthLengths, 'code-length');
    const lengths = new Uint8Array(nLiterals + nDistances);
    for (let i = 0; i < lengths.length; ) {
      const sym = this.symbol(codeLengths);
      if (sym < 16) {
        lengths[i++] = sym;
        continue;
      }
      let value = 0;
      let repeat: number;
      if (sym === 16) {
        if (i === 0) throw new InflateError('a dynamic block repeats a code length before the first');
        value = lengths[i - 1] as number;
        repeat = 3 + this.bits(2);
      } else repeat = sym === 17 ? 3 + this.bits(3) : 11 + this.bits(7);
      if (i + repeat > lengths.length) throw new InflateError('a dynamic block has too many code lengths');
      lengths.fill(value, i, i + repeat);
      i += repeat;
    }
    if (lengths[256] === 0) throw new InflateError('a dynamic block has no end-of-block code');
    return {
      literals: buildHuffman(lengths.subarray(0, nLiterals), 'literal/length'),
      distances: buildHuffman(lengths.subarray(nLiterals), 'distance'),
    };
  }

  /**
   * Decodes symbols of a compressed block until its end (true) or until about `budget` bytes were
   * written (false: call again to go on).
   */
  compressed(codes: { literals: Huffman; distances: Huffman }, budget: number): boolean {
    const stop = this.length + budget;
    while (this.length < stop) {
      let sym = this.symbol(codes.literals);
      if (sym < 256) {
        this.reserve(1);
        this.out[this.length++] = sym;
        continue;
      }
      if (sym === 256) return true;
      sym -= 257;
      if (sym >= 29) throw new InflateError('invalid length code in the compressed data');
      const len = (LENGTH_BASE[sym] as number) + this.bits(LENGTH_EXTRA[sym] as number);
      const dsym = this.symbol(codes.distances);
      if (dsym >= 30) throw new InflateError('invalid distance code in the compressed data');
      const distance = (DISTANCE_BASE[dsym] as number) + this.bits(DISTANCE_EXTRA[dsym] as number);
      if (distance > this.length)
        throw new InflateError('a back-reference points before the start of the data');
      this.reserve(len);
      const out = this.out;
      for (let i = 0; i < len; i++, this.length++) out[this.length] = out[this.length - distance] as number;
    }
    return false;
  }
}

/** What a block header counts for against a step's budget, in bytes of output. */
const BLOCK_HEADER_WORK = 512;

/**
 * A zlib stream (header, DEFLATE blocks, Adler-32 checksum) decompressed a slice at a time, refusing to
 * produce more than `maxOutput` bytes. Each `step` does work in proportion to its budget (bytes written;
 * a block header counts as BLOCK_HEADER_WORK), so a caller can yield between steps. Errors are InflateError saying
 * what is wrong; trailing bytes after the checksum are ignored.
 */
export class ZlibInflation {
  readonly #inflater: Inflater;
  #phase: Phase = { at: 'block' };
  #last = false;
  #adlerA = 1;
  #adlerB = 0;
  #summed = 0;

  constructor(data: Uint8Array, maxOutput: number) {
    if (data.length < 6) throw new InflateError('too short to be zlib data');
    const cmf = data[0] as number;
    const flg = data[1] as number;
    if ((cmf & 15) !== 8 || cmf >> 4 > 7 || (cmf * 256 + flg) % 31 !== 0)
      throw new InflateError('not zlib data (bad header)');
    if (flg & 0x20) throw new InflateError('zlib data with a preset dictionary is not supported');
    this.#inflater = new Inflater(data.subarray(2), maxOutput);
  }

  get done(): boolean {
    return this.#phase.at === 'done';
  }

  /** Bytes decompressed so far. */
  get length(): number {
    return this.#inflater.length;
  }

  /** Goes on for about `budget` bytes of output; true once the whole stream is read and checked. */
  step(budget: number): boolean {
    const inflater = this.#inflater;
    let stop = inflater.length + budget;
    while (this.#phase.at !== 'done' && inflater.length < stop) {
      const phase = this.#phase;
      if (phase.at === 'block') {
        if (this.#last) {
          this.#phase = { at: 'trailer' };
          continue;
        }
        this.#last = inflater.bits(1) === 1;
        const type = inflater.bits(2);
        if (type === 0) this.#phase = { at: 'stored', left: inflater.storedLength() };
        else if (type === 1) this.#phase = { at: 'compressed', codes: fixed() };
        else if (type === 2) this.#phase = { at: 'compressed', codes: inflater.dynamicCodes() };
        else throw new InflateError('invalid block type in the compressed data');
        // A block header is work even when its block is empty: it counts against the budget.
        stop -= BLOCK_HEADER_WORK;
      } else if (phase.at === 'stored') {
        const n = Math.min(phase.left, stop - inflater.length);
        inflater.copyStored(n);
        phase.left -= n;
        if (phase.left === 0) this.#phase = { at: 'block' };
      } else if (phase.at === 'compressed') {
        if (inflater.compressed(phase.codes, stop - inflater.length)) this.#phase = { at: 'block' };
      } else {
        this.#sum();
        inflater.alignToByte();
        let expected = 0;
        for (let i = 0; i < 4; i++) expected = expected * 256 + inflater.byte();
        if ((this.#adlerB * 65536 + this.#adlerA) >>> 0 !== expected)
          throw new InflateError('the zlib checksum does not match (corrupt data)');
        this.#phase = { at: 'done' };
      }
    }
    this.#sum();
    return this.done;
  }

  /** The decompressed bytes; only once `done`. */
  result(): Uint8Array {
    if (!this.done) throw new InflateError('the decompression is not finished');
    return this.#inflater.out.subarray(0, this.#inflater.length);
  }

  /** Adler-32 over the bytes written since the last call. */
  #sum(): void {
    const out = this.#inflater.out;
    const end = this.#inflater.length;
    let a = this.#adlerA;
    let b = this.#adlerB;
    for (let i = this.#summed; i < end; ) {
      // 5552 bytes is the most that can be summed before b could overflow 2^32.
      const stop = Math.min(end, i + 5552);
      for (; i < stop; i++) {
        a += out[i] as number;
        b += a;
      }
      a %= 65521;
      b %= 65521;
    }
    this.#adlerA = a;
    this.#adlerB = b;
    this.#summed = end;
  }
}

/** Decompresses a whole zlib stream at once (see ZlibInflation for the slice-at-a-time form). */
export function inflateZlib(data: Uint8Array, maxOutput: number): Uint8Array {
  const inflation = new ZlibInflation(data, maxOutput);
  while (!inflation.step(1 << 30)) {}
  return inflation.result();
}
