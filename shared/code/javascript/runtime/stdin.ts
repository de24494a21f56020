import { Buffer } from './buffer.ts';
import { EventEmitter } from './events.ts';
import { exhausted, takeBytes, takeText } from './input.ts';
import { schedule } from './loop.ts';

/** The rest of the input as a Buffer, consuming it. */
export function takeBuffer(): Buffer {
  const bytes = takeBytes();
  return Buffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length);
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
    if (listeners.length > 0 && !exhausted()) {
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
