import { latin1Decode, utf8Decode, utf8Encode, utf8Length } from './utf8.ts';

/**
 * Node's Buffer as a Uint8Array subclass with the encodings programs use on stdin data (utf8, latin1,
 * ascii, hex, base64), plus TextEncoder and TextDecoder (utf-8 only).
 */

type Encoding = 'utf8' | 'latin1' | 'ascii' | 'hex' | 'base64';

function encodingOf(name: unknown): Encoding {
  const n = String(name ?? 'utf8').toLowerCase();
  if (n === 'utf8' || n === 'utf-8') return 'utf8';
  if (n === 'latin1' || n === 'binary') return 'latin1';
  if (n === 'ascii' || n === 'hex' || n === 'base64') return n;
  throw new TypeError(`Unknown encoding: ${String(name)}`);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function encode(text: string, encoding: Encoding): Uint8Array {
  if (encoding === 'utf8') return utf8Encode(text);
  if (encoding === 'hex') {
    const out = new Uint8Array(text.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16) || 0;
    return out;
  }
  if (encoding === 'base64') {
    const clean = text.replace(/[^A-Za-z0-9+/]/g, '');
    const out = new Uint8Array((clean.length * 3) >> 2);
    let bits = 0;
    let value = 0;
    let at = 0;
    for (const ch of clean) {
      value = (value << 6) | B64.indexOf(ch);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[at++] = (value >> bits) & 0xff;
      }
    }
    return out;
  }
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

function decode(bytes: Uint8Array, encoding: Encoding, start: number, end: number): string {
  if (encoding === 'utf8') return utf8Decode(bytes, start, end);
  if (encoding === 'latin1') return latin1Decode(bytes, start, end);
  if (encoding === 'ascii')
    return latin1Decode(
      bytes.map((b) => b & 0x7f),
      start,
      end,
    );
  if (encoding === 'hex') {
    let s = '';
    for (let i = start; i < end; i++) s += (bytes[i] as number).toString(16).padStart(2, '0');
    return s;
  }
  let s = '';
  for (let i = start; i < end; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    s += B64[n >> 18] + (B64[(n >> 12) & 63] as string);
    s += i + 1 < end ? B64[(n >> 6) & 63] : '=';
    s += i + 2 < end ? B64[n & 63] : '=';
  }
  return s;
}

export class Buffer extends Uint8Array {
  static override from(value: unknown, encodingOrOffset?: unknown, length?: number): Buffer {
    if (typeof value === 'string') return Buffer.#wrap(encode(value, encodingOf(encodingOrOffset)));
    if (value instanceof ArrayBuffer) return new Buffer(value, Number(encodingOrOffset ?? 0), length);
    if (value instanceof Uint8Array || Array.isArray(value)) return Buffer.#wrap(Uint8Array.from(value));
    throw new TypeError('The first argument must be a string, Buffer, ArrayBuffer or Array');
  }
  static alloc(size: number, fill?: unknown): Buffer {
    const b = new Buffer(size);
    if (typeof fill === 'number') b.fill(fill);
    else if (typeof fill === 'string' && fill.length > 0) {
      const pattern = utf8Encode(fill);
      for (let i = 0; i < size; i++) b[i] = pattern[i % pattern.length] as number;
    }
    return b;
  }
  static allocUnsafe(size: number): Buffer {
    return new Buffer(size);
  }
  static allocUnsafeSlow(size: number): Buffer {
    return new Buffer(size);
  }
  static concat(list: readonly Uint8Array[], totalLength?: number): Buffer {
    const total = totalLength ?? list.reduce((n, b) => n + b.length, 0);
    const out = new Buffer(total);
    let at = 0;
    for (const b of list) {
      if (at >= total) break;
      out.set(b.subarray(0, total - at), at);
      at += b.length;
    }
    return out;
  }
  static byteLength(value: unknown, encoding?: unknown): number {
    if (typeof value !== 'string') return (value as ArrayBufferView).byteLength;
    return encodingOf(encoding) === 'utf8' ? utf8Length(value) : encode(value, encodingOf(encoding)).length;
  }
  static isBuffer(value: unknown): value is Buffer {
    return value instanceof Buffer;
  }
  static isEncoding(name: unknown): boolean {
    try {
      encodingOf(name);
      return true;
    } catch {
      return false;
    }
  }
  static compare(a: Uint8Array, b: Uint8Array): number {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number) ? -1 : 1;
    return Math.sign(a.length - b.length);
  }
  static #wrap(bytes: Uint8Array): Buffer {
    return new Buffer(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length);
  }

  override toString(encoding?: unknown, start = 0, end = this.length): string {
    return decode(this, encodingOf(encoding), Math.max(0, start), Math.min(this.length, end));
  }
  toJSON(): { type: 'Buffer'; data: number[] } {
    return { type: 'Buffer', data: Array.from(this) };
  }
  equals(other: Uint8Array): boolean {
    return Buffer.compare(this, other) === 0;
  }
  compare(other: Uint8Array): number {
    return Buffer.compare(this, other);
  }
  write(text: string, offset = 0): number {
    const bytes = utf8Encode(text).subarray(0, Math.max(0, this.length - offset));
    this.set(bytes, offset);
    return bytes.length;
  }
  override slice(start?: number, end?: number): Buffer {
    return this.subarray(start, end) as Buffer;
  }
}

// The bundler may rename the class (Buffer is also a global name); programs read Buffer.name.
Object.defineProperty(Buffer, 'name', { value: 'Buffer' });

export class TextEncoder {
  readonly encoding = 'utf-8';
  encode(text = ''): Uint8Array {
    return utf8Encode(String(text));
  }
}

export class TextDecoder {
  readonly encoding = 'utf-8';
  constructor(label = 'utf-8') {
    if (encodingOf(label) !== 'utf8') throw new RangeError(`The "${label}" encoding is not supported`);
  }
  decode(input?: ArrayBufferView | ArrayBuffer): string {
    if (input === undefined) return '';
    const bytes =
      input instanceof ArrayBuffer
        ? new Uint8Array(input)
        : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    return utf8Decode(bytes);
  }
}

/** `require('string_decoder')`: whole chunks only (stdin arrives as one chunk here). */
export class StringDecoder {
  readonly #encoding: Encoding;
  constructor(encoding?: unknown) {
    this.#encoding = encodingOf(encoding);
  }
  write(chunk: Uint8Array | string): string {
    return typeof chunk === 'string' ? chunk : decode(chunk, this.#encoding, 0, chunk.length);
  }
  end(chunk?: Uint8Array | string): string {
    return chunk === undefined ? '' : this.write(chunk);
  }
}
