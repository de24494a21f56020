import { Buffer } from './buffer.ts';
import { EventEmitter } from './events.ts';
import { schedule } from './loop.ts';
import { utf8Decode, utf8Encode } from './utf8.ts';

/**
 * Standard input: the run's whole input, read once by whichever API gets there first, as from a pipe.
 * fs.readFileSync(0) takes what is left; fs.readSync(0, ...) takes bytes; process.stdin (and
 * readline on top of it) delivers what is left as one 'data' chunk after the main script, then 'end'.
 */
let text = '';
let bytes: Uint8Array | null = null;
/** Bytes consumed so far; while 0, the original string is still whole. */
let position = 0;
let exhausted = false;

export function setInput(input: string): void {
  text = input;
}

function allBytes(): Uint8Array {
  bytes ??= utf8Encode(text);
  return bytes;
}

/** The rest of the input as text, consuming it. */
export function takeText(): string {
  if (exhausted) return '';
  exhausted = true;
  if (position === 0) return text;
  const b = allBytes();
  const rest = utf8Decode(b, position, b.length);
  position = b.length;
  return rest;
}

/** The rest of the input as a Buffer, consuming it. */
export function takeBuffer(): Buffer {
  if (exhausted) return Buffer.alloc(0);
  exhausted = true;
  const b = allBytes();
  const rest = Buffer.from(b.subarray(position));
  position = b.length;
  return rest;
}

/** fs.readSync(0, buffer, offset, length): copies up to `length` bytes; 0 at the end of input. */
export function readInto(target: Uint8Array, offset: number, length: number): number {
  if (exhausted) return 0;
  const b = allBytes();
  const n = Math.max(0, Math.min(length, target.length - offset, b.length - position));
  target.set(b.subarray(position, position + n), offset);
  position += n;
  if (position >= b.length) exhausted = true;
  return n;
}

const TEXT_LISTENER = Symbol('text listener');

/** Marks a 'data' listener that wants the chunk as text whatever the encoding (readline). */
export function textListener<T extends (chunk: string) => void>(fn: T): T {
  (fn as T & { [TEXT_LISTENER]?: true })[TEXT_LISTENER] = true;
  return fn;
}

/** process.stdin: a paused readable stream that starts flowing on a 'data' listener or resume(). */
export class Stdin extends EventEmitter {
  readonly fd = 0;
  readonly isTTY = undefined;
  readable = true;
  readableEnded = false;
  #encoding: string | null = null;
  #flowing = false;
  #scheduled = false;
  #readableMode = false;
  #buffered: string | Buffer | null = null;

  setEncoding(encoding = 'utf8'): this {
    this.#encoding = encoding;
    return this;
  }
  resume(): this {
    this.#flowing = true;
    this.#start();
    return this;
  }
  pause(): this {
    this.#flowing = false;
    return this;
  }
  isPaused(): boolean {
    return !this.#flowing;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  destroy(): this {
    this.readable = false;
    return this;
  }
  /** 'readable' mode: the whole input once, then null. */
  read(): string | Buffer | null {
    const chunk = this.#buffered;
    this.#buffered = null;
    return chunk;
  }
  pipe<T>(destination: T): T {
    this.on('data', (chunk: unknown) => (destination as { write(c: unknown): void }).write(chunk));
    return destination;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string | Buffer> {
    const chunk = this.#chunk();
    this.#finish();
    if (chunk.length > 0) yield chunk;
  }

  protected override listenerAdded(event: string | symbol): void {
    if (event === 'data') this.resume();
    else if (event === 'readable') {
      this.#readableMode = true;
      this.#start();
    }
  }

  #chunk(): string | Buffer {
    return this.#encoding === null ? takeBuffer() : takeText();
  }

  #start(): void {
    if (this.#scheduled || this.readableEnded) return;
    this.#scheduled = true;
    schedule(0, () => this.#deliver());
  }

  #deliver(): void {
    if (this.#readableMode && !this.#flowing) {
      const chunk = this.#chunk();
      this.#buffered = chunk.length > 0 ? chunk : null;
      if (this.#buffered !== null) this.emit('readable');
      schedule(0, () => {
        this.#buffered = null;
        this.emit('readable');
        this.#end();
      });
      return;
    }
    if (!this.#flowing) {
      this.#scheduled = false;
      return;
    }
    const listeners = this.rawListeners('data');
    if (listeners.length > 0 && !exhausted) {
      const asText = takeText();
      let asBuffer: Buffer | null = null;
      for (const listener of listeners) {
        let chunk: string | Buffer = asText;
        if (this.#encoding === null && !(listener as { [TEXT_LISTENER]?: true })[TEXT_LISTENER]) {
          asBuffer ??= Buffer.from(asText);
          chunk = asBuffer;
        }
        if (asText.length > 0) (listener as (c: unknown) => void).call(this, chunk);
      }
    } else takeText();
    schedule(0, () => this.#end());
  }

  #end(): void {
    this.#finish();
    this.emit('end');
    this.emit('close');
  }

  #finish(): void {
    this.readableEnded = true;
    this.readable = false;
  }
}
