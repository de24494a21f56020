import { EventEmitter } from './events.ts';
import { textListener } from './stdin.ts';

/**
 * Node's readline over a non-TTY input: 'line' for each line (\n, \r\n or \r), a last unterminated
 * line at the end of input, then 'close'. question(), prompt(), the async iterator and the promise API
 * (readline/promises) are supported; closing the interface stops further 'line' events.
 */

interface Writable {
  write(chunk: string): unknown;
}
interface Options {
  input?: EventEmitter;
  output?: Writable;
  prompt?: string;
  terminal?: boolean;
}

const LINE_END = /\r\n|\n|\r/;

export class Interface extends EventEmitter {
  readonly terminal = false;
  readonly input: EventEmitter | undefined;
  readonly output: Writable | undefined;
  line = '';
  cursor = 0;
  closed = false;
  #prompt: string;
  #partial = '';
  #questions: Array<(answer: string) => void> = [];
  #promises: boolean;

  constructor(input?: EventEmitter | Options, output?: Writable, promises = false) {
    super();
    const options: Options =
      input !== undefined && !(input instanceof EventEmitter)
        ? input
        : { input, ...(output ? { output } : {}) };
    this.input = options.input;
    this.output = options.output;
    this.#prompt = options.prompt ?? '> ';
    this.#promises = promises;
    const onData = textListener((chunk: string) => this.#write(chunk));
    const onEnd = () => {
      if (this.#partial !== '') this.#emitLine(this.#partial);
      this.#partial = '';
      this.close();
    };
    this.input?.on('data', onData);
    this.input?.on('end', onEnd);
  }

  #write(chunk: string): void {
    const parts = (this.#partial + chunk).split(LINE_END);
    this.#partial = parts.pop() ?? '';
    for (const line of parts) {
      if (this.closed) return;
      this.#emitLine(line);
    }
  }

  #emitLine(line: string): void {
    const answer = this.#questions.shift();
    if (answer) answer(line);
    else this.emit('line', line);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
  pause(): this {
    this.emit('pause');
    return this;
  }
  resume(): this {
    this.emit('resume');
    return this;
  }
  setPrompt(prompt: string): void {
    this.#prompt = prompt;
  }
  getPrompt(): string {
    return this.#prompt;
  }
  prompt(): void {
    this.output?.write(this.#prompt);
  }
  write(_data: unknown): void {}

  question(
    query: string,
    optionsOrCallback?: unknown,
    callback?: (answer: string) => void,
  ): Promise<string> | undefined {
    const cb =
      typeof optionsOrCallback === 'function' ? (optionsOrCallback as (answer: string) => void) : callback;
    this.output?.write(String(query));
    if (this.#promises || cb === undefined) {
      return new Promise((resolve) => this.#questions.push(resolve));
    }
    this.#questions.push(cb);
    return undefined;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<string> {
    const lines: string[] = [];
    const waiting: Array<(r: IteratorResult<string>) => void> = [];
    let done = this.closed;
    this.on('line', (line: string) => {
      const next = waiting.shift();
      if (next) next({ value: line, done: false });
      else lines.push(line);
    });
    this.on('close', () => {
      done = true;
      for (const next of waiting.splice(0)) next({ value: undefined, done: true });
    });
    const iterator: AsyncIterableIterator<string> = {
      next: () => {
        if (lines.length > 0) return Promise.resolve({ value: lines.shift() as string, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => waiting.push(resolve));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}

function noop(): boolean {
  return true;
}

export function readlineModule(promises: boolean): object {
  const createInterface = (input?: EventEmitter | Options, output?: Writable) =>
    new Interface(input, output, promises);
  const module = {
    createInterface,
    Interface,
    clearLine: noop,
    clearScreenDown: noop,
    cursorTo: noop,
    moveCursor: noop,
    emitKeypressEvents: () => undefined,
  };
  return promises ? module : { ...module, promises: readlineModule(true) };
}
