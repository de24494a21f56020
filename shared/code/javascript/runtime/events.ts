/** Node's EventEmitter, as far as programs reading stdin use it (process, streams, readline). */

type Listener = (...args: never[]) => unknown;
type Call = (this: unknown, ...args: unknown[]) => unknown;
interface OnceWrapper extends Listener {
  listener: Listener;
}

export class EventEmitter {
  #events = new Map<string | symbol, Listener[]>();
  #max = 10;

  /** Called when a listener is added; streams start flowing on their first 'data' listener. */
  protected listenerAdded(_event: string | symbol): void {}

  on(event: string | symbol, listener: Listener): this {
    return this.#add(event, listener, false);
  }
  addListener(event: string | symbol, listener: Listener): this {
    return this.#add(event, listener, false);
  }
  prependListener(event: string | symbol, listener: Listener): this {
    return this.#add(event, listener, true);
  }
  once(event: string | symbol, listener: Listener): this {
    return this.#add(event, this.#onceWrapper(event, listener), false);
  }
  prependOnceListener(event: string | symbol, listener: Listener): this {
    return this.#add(event, this.#onceWrapper(event, listener), true);
  }
  off(event: string | symbol, listener: Listener): this {
    return this.removeListener(event, listener);
  }
  removeListener(event: string | symbol, listener: Listener): this {
    const list = this.#events.get(event);
    if (!list) return this;
    const i = list.findLastIndex((l) => l === listener || (l as OnceWrapper).listener === listener);
    if (i >= 0) this.#events.set(event, list.toSpliced(i, 1));
    return this;
  }
  removeAllListeners(event?: string | symbol): this {
    if (event === undefined) this.#events.clear();
    else this.#events.delete(event);
    return this;
  }
  emit(event: string | symbol, ...args: unknown[]): boolean {
    const list = this.#events.get(event);
    if (!list || list.length === 0) {
      if (event === 'error')
        throw args[0] instanceof Error ? args[0] : new Error(`Unhandled error. (${args[0]})`);
      return false;
    }
    for (const listener of list) (listener as Call).apply(this, args);
    return true;
  }
  listeners(event: string | symbol): Listener[] {
    return (this.#events.get(event) ?? []).map((l) => (l as OnceWrapper).listener ?? l);
  }
  rawListeners(event: string | symbol): Listener[] {
    return [...(this.#events.get(event) ?? [])];
  }
  listenerCount(event: string | symbol): number {
    return this.#events.get(event)?.length ?? 0;
  }
  eventNames(): Array<string | symbol> {
    return [...this.#events.keys()].filter((e) => (this.#events.get(e)?.length ?? 0) > 0);
  }
  setMaxListeners(n: number): this {
    this.#max = n;
    return this;
  }
  getMaxListeners(): number {
    return this.#max;
  }

  #add(event: string | symbol, listener: Listener, prepend: boolean): this {
    if (typeof listener !== 'function')
      throw new TypeError('The "listener" argument must be of type function');
    const list = this.#events.get(event) ?? [];
    this.#events.set(event, prepend ? [listener, ...list] : [...list, listener]);
    this.listenerAdded(event);
    return this;
  }

  #onceWrapper(event: string | symbol, listener: Listener): OnceWrapper {
    let fired = false;
    const wrapper = ((...args: never[]) => {
      this.removeListener(event, wrapper);
      if (fired) return undefined;
      fired = true;
      return (listener as Call).apply(this, args);
    }) as OnceWrapper;
    wrapper.listener = listener;
    return wrapper;
  }
}

/** `events.once(emitter, name)`: a promise of the next event's arguments. */
export function once(emitter: EventEmitter, event: string | symbol): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const onError = (err: unknown) => {
      emitter.removeListener(event, onEvent);
      reject(err);
    };
    const onEvent = (...args: unknown[]) => {
      if (event !== 'error') emitter.removeListener('error', onError);
      resolve(args);
    };
    emitter.once(event, onEvent);
    if (event !== 'error') emitter.once('error', onError);
  });
}

export function eventsModule(): object {
  return Object.assign(EventEmitter, { EventEmitter, once, defaultMaxListeners: 10 });
}
