/**
 * LiveCodeBench's release (livecodebench/code_generation_lite) stores `private_test_cases` as
 * base64(zlib(pickle(json_text))). This reads that form back to the JSON text, with a bound on the
 * decompressed size, and a pickle reader that accepts one pickled `str` and nothing else: it never
 * looks up a global, calls anything or builds an object.
 */
import { MAX_CODE_LIMITS } from '../limits.ts';
import { InflateError, inflateZlib, ZlibInflation } from './inflate.ts';

/** The largest decompressed payload read by default (the server's ceiling, limits.ts). */
export const LCB_PRIVATE_MAX_BYTES = MAX_CODE_LIMITS.inflatedBytes;

export class LcbPrivateError extends Error {}

/** The JSON text inside a compressed private test list. Throws LcbPrivateError saying which step failed. */
export function decodeLcbPrivateTests(encoded: string, maxBytes = LCB_PRIVATE_MAX_BYTES): string {
  const compressed = base64Bytes(encoded);
  let pickled: Uint8Array;
  try {
    pickled = inflateZlib(compressed, maxBytes);
  } catch (e) {
    if (e instanceof InflateError) throw new LcbPrivateError(`zlib: ${e.message}`);
    throw e;
  }
  return unpickleString(pickled);
}

export interface DecodeOptions {
  maxBytes?: number;
  /** performance.now() after which decoding stops with an error (the item's budget). */
  deadline?: number;
  /** Bytes decompressed or decoded between two yields to the event loop (default 1 MiB, a few ms). */
  sliceBytes?: number;
}

/** Decodings run one at a time, so that at most one decompressed payload is being built at once. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * decodeLcbPrivateTests a slice at a time: decompression and UTF-8 decoding yield to the event loop
 * every `sliceBytes`, so a large list never holds the thread for long, and stop at `deadline`.
 */
export function decodeLcbPrivateTestsAsync(encoded: string, options: DecodeOptions = {}): Promise<string> {
  const result = queue.then(() => decodeSliced(encoded, options));
  queue = result.catch(() => undefined);
  return result;
}

async function decodeSliced(encoded: string, options: DecodeOptions): Promise<string> {
  const slice = options.sliceBytes ?? 1 << 20;
  const pause = async () => {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    if (options.deadline !== undefined && performance.now() > options.deadline)
      throw new LcbPrivateError("reading the tests ran out of the item's time budget");
  };
  await pause();
  const compressed = await base64Sliced(encoded, slice, pause);
  let pickled: Uint8Array;
  try {
    const inflation = new ZlibInflation(compressed, options.maxBytes ?? LCB_PRIVATE_MAX_BYTES);
    while (!inflation.step(slice)) await pause();
    pickled = inflation.result();
  } catch (e) {
    if (e instanceof InflateError) throw new LcbPrivateError(`zlib: ${e.message}`);
    throw e;
  }
  const value = unpickle(pickled);
  if (typeof value === 'string') return value;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parts: string[] = [];
  try {
    for (let at = 0; at < value.length; at += slice) {
      parts.push(decoder.decode(value.subarray(at, at + slice), { stream: true }));
      await pause();
    }
    parts.push(decoder.decode());
  } catch (e) {
    if (e instanceof LcbPrivateError) throw e;
    throw new LcbPrivateError('pickle: a string is not valid UTF-8');
  }
  return parts.join('');
}

/**
 * A cheap look at the start of a value: why it cannot be the compressed form (not base64, or no zlib
 * header), or null when it may be. Lets a loader reject a bad row without decompressing every row.
 */
export function lcbPrivateHeaderProblem(encoded: string): string | null {
  const head = encoded.trimStart().slice(0, 4);
  if (!/^[A-Za-z0-9+/]{4}$/.test(head)) return 'it does not start with base64 text';
  const bytes = base64Bytes(head);
  const cmf = bytes[0] as number;
  const flg = bytes[1] as number;
  return (cmf & 15) === 8 && (cmf * 256 + flg) % 31 === 0 ? null : 'its base64 content is not zlib data';
}

/** base64Bytes a slice at a time: atob on 16 MB of text alone holds the thread for ~100 ms. */
async function base64Sliced(text: string, slice: number, pause: () => Promise<void>): Promise<Uint8Array> {
  // Whitespace would shift the 4-character groups a slice must start on; atob skips it anyway.
  const compact = /\s/.test(text) ? text.replace(/\s+/g, '') : text;
  const step = Math.max(4, slice - (slice % 4));
  if (compact.length <= step) return base64Bytes(compact);
  const bytes = new Uint8Array(Math.floor((compact.length * 3) / 4));
  let length = 0;
  for (let at = 0; at < compact.length; at += step) {
    const part = base64Bytes(compact.slice(at, at + step));
    bytes.set(part, length);
    length += part.length;
    await pause();
  }
  return bytes.subarray(0, length);
}

function base64Bytes(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new LcbPrivateError('base64: the text is not valid base64');
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const OP = {
  PROTO: 0x80,
  FRAME: 0x95,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE: 0x58, // X
  BINUNICODE8: 0x8d,
  UNICODE: 0x56, // V
  MEMOIZE: 0x94,
  PUT: 0x70, // p
  BINPUT: 0x71, // q
  LONG_BINPUT: 0x72, // r
  STOP: 0x2e, // .
} as const;

/** Names of opcodes a non-string pickle starts with, for the error message. */
const REFUSED: Record<number, string> = {
  99: 'GLOBAL',
  147: 'STACK_GLOBAL',
  82: 'REDUCE',
  105: 'INST',
  111: 'OBJ',
  129: 'NEWOBJ',
  146: 'NEWOBJ_EX',
  98: 'BUILD',
  40: 'MARK',
  93: 'EMPTY_LIST',
  108: 'LIST',
  125: 'EMPTY_DICT',
  41: 'EMPTY_TUPLE',
  75: 'BININT1',
  74: 'BININT',
  78: 'NONE',
  67: 'SHORT_BINBYTES',
  66: 'BINBYTES',
  85: 'SHORT_BINSTRING',
  84: 'BINSTRING',
  83: 'STRING',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a pickle holding exactly one `str` (protocols 0 to 5); refuses every other opcode. */
export function unpickleString(data: Uint8Array): string {
  const value = unpickle(data);
  return typeof value === 'string' ? value : utf8Text(value);
}

function utf8Text(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new LcbPrivateError('pickle: a string is not valid UTF-8');
  }
}

/** The one `str` of a pickle: its UTF-8 bytes (binary protocols) or its text (protocol 0). */
function unpickle(data: Uint8Array): Uint8Array | string {
  let pos = 0;
  const fail = (why: string): never => {
    throw new LcbPrivateError(`pickle: ${why}`);
  };
  const take = (n: number): Uint8Array => {
    if (n > data.length - pos) fail('the data is truncated');
    const bytes = data.subarray(pos, pos + n);
    pos += n;
    return bytes;
  };
  const uint = (n: number): number => {
    let value = 0;
    const bytes = take(n);
    for (let i = n - 1; i >= 0; i--) value = value * 256 + (bytes[i] as number);
    return value;
  };
  const line = (): Uint8Array => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) fail('the data is truncated (a text argument has no end of line)');
    return take(end - pos + 1).subarray(0, end - pos);
  };
  const stack: (Uint8Array | string)[] = [];
  const needTop = (op: string) => {
    if (stack.length === 0) fail(`${op} with nothing to memoize`);
  };
  while (pos < data.length) {
    const at = pos;
    const op = data[pos++] as number;
    switch (op) {
      case OP.PROTO: {
        const version = uint(1);
        if (version > 5) fail(`unknown pickle protocol ${version}`);
        break;
      }
      case OP.FRAME:
        uint(8);
        break;
      case OP.SHORT_BINUNICODE:
        stack.push(take(uint(1)));
        break;
      case OP.BINUNICODE:
        stack.push(take(uint(4)));
        break;
      case OP.BINUNICODE8:
        stack.push(take(uint(8)));
        break;
      case OP.UNICODE:
        stack.push(rawUnicodeEscape(line()));
        break;
      case OP.MEMOIZE:
        needTop('MEMOIZE');
        break;
      case OP.PUT:
        needTop('PUT');
        if (!isDigits(line())) fail(`PUT at byte ${at} has no memo index`);
        break;
      case OP.BINPUT:
        needTop('BINPUT');
        uint(1);
        break;
      case OP.LONG_BINPUT:
        needTop('LONG_BINPUT');
        uint(4);
        break;
      case OP.STOP:
        if (stack.length !== 1) fail(`expected one string at STOP, found ${stack.length} values`);
        return stack[0] as Uint8Array | string;
      default: {
        const name = REFUSED[op] ?? `0x${op.toString(16).padStart(2, '0')}`;
        fail(
          `opcode ${name} at byte ${at} is refused: only a pickled str is read (no globals, calls or objects)`,
        );
      }
    }
  }
  return fail('the data ends without STOP');
}

function isDigits(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  for (const b of bytes) if (b < 0x30 || b > 0x39) return false;
  return true;
}

/** Protocol 0's string text: Latin-1 bytes with \uXXXX and \UXXXXXXXX escapes. */
function rawUnicodeEscape(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const next = bytes[i + 1];
    if (b === 0x5c && (next === 0x75 || next === 0x55)) {
      const digits = next === 0x75 ? 4 : 8;
      let hex = '';
      for (const b of bytes.subarray(i + 2, i + 2 + digits)) hex += String.fromCharCode(b);
      const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === digits ? Number.parseInt(hex, 16) : -1;
      if (code < 0 || code > 0x10ffff)
        throw new LcbPrivateError('pickle: a bad \\u escape in a protocol 0 string');
      out += String.fromCodePoint(code);
      i += 1 + digits;
    } else out += String.fromCharCode(b);
  }
  return out;
}
