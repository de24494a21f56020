// Evaluated first in every Python isolate: the few host APIs Pyodide's d8-shell path needs, implemented
// inside the isolate. Nothing here reaches the host; the host copies files in and reads results out.
//
// Pyodide picks its d8 path because `read` and `load` are functions; Emscripten's ENVIRONMENT_IS_SHELL
// holds because the isolate has no window, process or WorkerGlobalScope.

globalThis.self = globalThis;

// Reset-in-place restores the wasm memory after every run; a finalizer running later could decref a
// Python object of an earlier run into the restored heap, so finalizers never run.
globalThis.FinalizationRegistry = class NoFinalization {
  register() {}
  unregister() {
    return false;
  }
};

// isolated-vm never resolves an async compile of a large wasm module (laverdet/isolated-vm#308); a
// synchronous compile is cheap because V8 compiles wasm functions lazily.
{
  const W = WebAssembly;
  W.compile = async (bytes) => new W.Module(bytes);
  W.instantiate = async (source, imports) => {
    if (source instanceof W.Module) return new W.Instance(source, imports);
    const module = new W.Module(source);
    return { module, instance: new W.Instance(module, imports) };
  };
  delete W.compileStreaming;
  delete W.instantiateStreaming;
}

// d8-style file access, backed by buffers the host copies into `__files` before the loader runs.
globalThis.__files = Object.create(null);
{
  const get = (path) => {
    const bytes = globalThis.__files[path];
    if (!bytes) throw new Error(`no such file in the isolate: ${path}`);
    return bytes;
  };
  globalThis.readbuffer = (path) => get(path);
  globalThis.read = (path, mode) =>
    mode === 'binary' ? new Uint8Array(get(path)) : new TextDecoder().decode(get(path));
  globalThis.load = (path) => {
    throw new Error(`load() is not supported: ${path}`);
  };
}

// console writes to a bounded in-isolate log the host may read when a boot fails.
{
  const log = [];
  const write =
    (level) =>
    (...args) => {
      if (log.length < 200) log.push(`${level}: ${args.map(String).join(' ').slice(0, 2000)}`);
    };
  globalThis.__log = log;
  globalThis.console = {
    log: write('log'),
    info: write('info'),
    debug: write('debug'),
    warn: write('warn'),
    error: write('error'),
  };
  globalThis.print = globalThis.console.log;
  globalThis.printErr = globalThis.console.error;
}

if (!globalThis.performance) {
  const origin = Date.now();
  globalThis.performance = { timeOrigin: origin, now: () => Date.now() - origin };
}

// Seeded xorshift128+: runs are deterministic, and `__random.reset()` (runner.js takes it off the global)
// restores the seed between runs.
{
  const SEED = [0x9e3779b9 | 0, 0x243f6a88 | 0];
  let [s0, s1] = SEED;
  const U8 = Uint8Array;
  globalThis.__random = {
    reset() {
      [s0, s1] = SEED;
    },
  };
  globalThis.crypto = {
    getRandomValues(view) {
      const bytes = new U8(view.buffer, view.byteOffset, view.byteLength);
      for (let i = 0; i < bytes.length; i++) {
        let x = s0;
        const y = s1;
        s0 = y;
        x ^= x << 23;
        x ^= x >>> 17;
        x ^= y ^ (y >>> 26);
        s1 = x;
        bytes[i] = (s0 + s1) & 255;
      }
      return view;
    },
  };
}

// TextEncoder / TextDecoder (UTF-8, UTF-16LE, Latin-1): V8 alone has neither.
globalThis.TextEncoder = class TextEncoder {
  get encoding() {
    return 'utf-8';
  }
  encode(text = '') {
    const out = new Uint8Array(text.length * 3);
    return out.subarray(0, this.encodeInto(text, out).written);
  }
  encodeInto(text, out) {
    let i = 0;
    let j = 0;
    for (; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      } else if (c >= 0xd800 && c < 0xe000) {
        c = 0xfffd;
      }
      const need = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      if (j + need > out.length) break;
      if (need === 1) out[j++] = c;
      else if (need === 2) {
        out[j++] = 0xc0 | (c >> 6);
        out[j++] = 0x80 | (c & 63);
      } else if (need === 3) {
        out[j++] = 0xe0 | (c >> 12);
        out[j++] = 0x80 | ((c >> 6) & 63);
        out[j++] = 0x80 | (c & 63);
      } else {
        out[j++] = 0xf0 | (c >> 18);
        out[j++] = 0x80 | ((c >> 12) & 63);
        out[j++] = 0x80 | ((c >> 6) & 63);
        out[j++] = 0x80 | (c & 63);
      }
    }
    return { read: i, written: j };
  }
};

globalThis.TextDecoder = class TextDecoder {
  constructor(encoding = 'utf-8', options = {}) {
    this.enc = String(encoding).toLowerCase();
    this.fatal = Boolean(options.fatal);
  }
  get encoding() {
    return this.enc;
  }
  decode(input) {
    if (input === undefined) return '';
    const u = ArrayBuffer.isView(input)
      ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
      : new Uint8Array(input);
    const parts = [];
    let codes = [];
    const push = (c) => {
      codes.push(c);
      if (codes.length >= 8192) {
        parts.push(String.fromCharCode.apply(null, codes));
        codes = [];
      }
    };
    if (this.enc === 'utf-16le') {
      for (let i = 0; i + 1 < u.length; i += 2) push(u[i] | (u[i + 1] << 8));
    } else if (this.enc === 'latin1' || this.enc === 'ascii' || this.enc === 'iso-8859-1') {
      for (let i = 0; i < u.length; i++) push(u[i]);
    } else {
      for (let i = 0; i < u.length; ) {
        let c = u[i++];
        if (c >= 0x80) {
          const n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : -1;
          if (n < 0 || i + n > u.length) {
            if (this.fatal) throw new TypeError('invalid utf-8');
            c = 0xfffd;
          } else {
            c &= 0x3f >> n;
            for (let k = 0; k < n; k++) {
              const cc = u[i++];
              if ((cc & 0xc0) !== 0x80) {
                if (this.fatal) throw new TypeError('invalid utf-8');
                c = 0xfffd;
                i--;
                break;
              }
              c = (c << 6) | (cc & 63);
            }
          }
        }
        if (c > 0xffff) {
          c -= 0x10000;
          push(0xd800 + (c >> 10));
          push(0xdc00 + (c & 1023));
        } else push(c);
      }
    }
    if (codes.length) parts.push(String.fromCharCode.apply(null, codes));
    return parts.join('');
  }
};
