// The host-facing functions of one Python interpreter, evaluated after prelude.js. The host calls them
// through `__gradus.*` with copied strings and buffers only; nothing here holds a host reference.
//
//   boot(options)        load Pyodide: cold (optionally to take a memory snapshot) or from a snapshot
//   snapshot()           the memory snapshot of a cold-booted interpreter
//   probeStack()         how many trivial JS frames fit on this thread's native stack
//   prepare(options)     once per interpreter: bind I/O, remove the FFI, take the clean image
//   run(...)             one program; ends with the reset to the clean image
//   partial()            what a killed run wrote, for the host to report
//
// Defences against a program that reaches JavaScript (see README.md, "Isolation"): the gate in Pyodide's
// module (assets.ts) is locked by prepare(), so no JS value can become a Python object; a run that tried
// is reported `dead` and the interpreter replaced. What the host relies on between runs (the clean image,
// the heap cap, the memory and the typed-array methods that restore it, the I/O buffers) lives in this
// closure and was captured before Pyodide loaded, never looked up on a global or a prototype at run time.
// After boot, the realm cannot compile code from strings: Function, eval and the constructors of async
// and generator functions throw.

{
  // Captured before any other code runs in this isolate.
  const apply = Reflect.apply;
  const U8 = Uint8Array;
  const I32 = Int32Array;
  const TypedArrayProto = Object.getPrototypeOf(U8.prototype);
  const getter = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
  const typedSet = TypedArrayProto.set;
  const typedFill = TypedArrayProto.fill;
  const typedSlice = TypedArrayProto.slice;
  const typedSubarray = TypedArrayProto.subarray;
  const typedLength = getter(TypedArrayProto, 'length');
  const typedBuffer = getter(TypedArrayProto, 'buffer');
  const memoryBuffer = getter(WebAssembly.Memory.prototype, 'buffer');
  const bufferLength = getter(ArrayBuffer.prototype, 'byteLength');
  const lengthOf = (view) => apply(typedLength, view, []);
  const min = Math.min;
  const randomReset = globalThis.__random.reset;
  delete globalThis.__random;
  const EvalErrorCtor = EvalError;
  const defineProperty = Object.defineProperty;
  const freeze = Object.freeze;
  const FunctionPrototype = Function.prototype;
  const codeConstructorPrototypes = [
    FunctionPrototype,
    Object.getPrototypeOf(async () => {}),
    Object.getPrototypeOf(function* () {}),
    Object.getPrototypeOf(async function* () {}),
  ];

  const io = {
    out: [],
    err: [],
    outBytes: 0,
    maxOut: 0,
    truncated: false,
    stdin: new Uint8Array(0),
    stdinPos: 0,
    /** Output lengths when Pyodide first logged an error in this run: its fatal-error report starts there. */
    errorAt: null,
  };
  /** Set by boot / prepare. */
  const s = {
    py: null,
    M: null,
    exec: null,
    /** The clean image (see imageOf): its length, its zero runs and its data runs. */
    clean: null,
    sp: 0,
    home: '',
    scratch: [],
    baseFds: null,
    /** The gate in Pyodide's module (assets.ts), taken off the global by boot(). */
    gate: null,
    /** The wasm memory and Emscripten's stackRestore, captured by prepare(). */
    memory: null,
    stackRestore: null,
    /** A JS error reached Pyodide's error handler after the lock: the interpreter is replaced. */
    jsError: false,
    /** File metadata of the clean state (see recordMeta). */
    meta: null,
  };

  /** The wasm memory as bytes, through the captured getters (the memory grows: never cache the view). */
  const heapView = () => new U8(apply(memoryBuffer, s.memory, []));
  const heapBytes = () => apply(bufferLength, apply(memoryBuffer, s.memory, []), []);
  const copy = (view, start, end) => apply(typedSlice, view, [start, end]);

  /** A write past the output cap keeps what fits and fails with EFBIG: Python sees an OSError. */
  const writer = (stream) => (buf) => {
    const chunks = io[stream];
    const room = io.maxOut - io.outBytes;
    const length = lengthOf(buf);
    if (length > room) {
      if (room > 0) chunks[chunks.length] = copy(buf, 0, room);
      io.outBytes = io.maxOut;
      io.truncated = true;
      throw Object.assign(new Error('output limit exceeded'), { code: 'EFBIG' });
    }
    chunks[chunks.length] = copy(buf, 0, length);
    io.outBytes += length;
    return length;
  };

  const read = (buf) => {
    const n = min(lengthOf(buf), lengthOf(io.stdin) - io.stdinPos);
    apply(typedSet, buf, [apply(typedSubarray, io.stdin, [io.stdinPos, io.stdinPos + n])]);
    io.stdinPos += n;
    return n;
  };

  const concat = (chunks) => {
    let length = 0;
    for (let i = 0; i < chunks.length; i++) length += lengthOf(chunks[i]);
    const out = new U8(length);
    let at = 0;
    for (let i = 0; i < chunks.length; i++) {
      apply(typedSet, out, [chunks[i], at]);
      at += lengthOf(chunks[i]);
    }
    return apply(typedBuffer, out, []);
  };

  /** Pyodide replaces its public API with throwing getters after a fatal error or an exit. */
  const isDead = () => {
    try {
      void s.py.globals;
      return false;
    } catch {
      return true;
    }
  };

  const rmTree = (FS, path) => {
    const st = FS.lstat(path);
    if (FS.isDir(st.mode)) {
      FS.chmod(path, 0o777);
      for (const name of FS.readdir(path)) if (name !== '.' && name !== '..') rmTree(FS, `${path}/${name}`);
      FS.rmdir(path);
    } else FS.unlink(path);
  };

  const inScratch = (path) => s.scratch.some((dir) => path.startsWith(`${dir}/`));

  /**
   * Everything outside the scratch directories becomes read-only: files, and every directory (those of
   * /dev and /proc too, so nothing can be added there; their device nodes keep their modes).
   */
  const freezeFs = (FS, path) => {
    if (s.scratch.includes(path)) return;
    let st;
    try {
      st = FS.lstat(path);
    } catch {
      return;
    }
    const special =
      path === '/dev' || path === '/proc' || path.startsWith('/dev/') || path.startsWith('/proc/');
    try {
      if (FS.isDir(st.mode)) {
        for (const name of FS.readdir(path)) {
          if (name !== '.' && name !== '..') freezeFs(FS, `${path === '/' ? '' : path}/${name}`);
        }
        FS.chmod(path, 0o555);
      } else if (FS.isFile(st.mode) && !special) FS.chmod(path, 0o444);
    } catch {}
  };

  /**
   * The read-only tree must stay read-only: a mode changes only inside the scratch directories. Every
   * chmod (path, fd, through a symlink) ends in FS.doSetAttr with a `mode`.
   */
  const guardChmod = (FS) => {
    const setAttr = FS.doSetAttr;
    FS.doSetAttr = (stream, node, attr) => {
      if (attr.mode !== undefined && !inScratch(FS.getPath(node)))
        throw new FS.ErrnoError(s.py.ERRNO_CODES.EPERM);
      return setAttr(stream, node, attr);
    };
  };

  const STD_STREAMS = [
    ['/dev/stdin', 0],
    ['/dev/stdout', 1],
    ['/dev/stderr', 1],
  ];

  const openFds = (FS) => new Set(FS.streams.map((stream, fd) => (stream ? fd : -1)).filter((fd) => fd >= 0));

  /** Granularity of the clean image's zero runs. */
  const CHUNK = 4096;

  /**
   * The wasm memory as the reset restores it: runs of whole zero chunks, which the reset fills (writing
   * only), and the rest, kept packed in one buffer and copied back (reading and writing). A third or
   * more of the image is zero (free heap, the stack below its pointer, the top of the memory), so a
   * reset moves less memory than copying the whole image; what it leaves is the same, byte for byte.
   */
  const imageOf = (image) => {
    const length = lengthOf(image);
    const words = new I32(apply(typedBuffer, image, []), 0, length >>> 2);
    const zero = [];
    const data = [];
    let start = 0;
    let runIsZero = null;
    for (let at = 0; at < length; at += CHUNK) {
      let isZero = at + CHUNK <= length;
      for (let w = at >>> 2, end = (at + CHUNK) >>> 2; isZero && w < end; w++) isZero = words[w] === 0;
      if (isZero !== runIsZero) {
        if (runIsZero !== null) (runIsZero ? zero : data).push([start, at]);
        start = at;
        runIsZero = isZero;
      }
    }
    if (runIsZero !== null) (runIsZero ? zero : data).push([start, length]);
    let packedLength = 0;
    for (let i = 0; i < data.length; i++) packedLength += data[i][1] - data[i][0];
    const packed = new U8(packedLength);
    let offset = 0;
    const dataRuns = [];
    for (let i = 0; i < data.length; i++) {
      const [from, to] = data[i];
      const view = apply(typedSubarray, packed, [offset, offset + to - from]);
      apply(typedSet, view, [apply(typedSubarray, image, [from, to])]);
      dataRuns[i] = [from, view];
      offset += to - from;
    }
    return { length, zeroRuns: zero, dataRuns };
  };

  /**
   * What a run can change about files outside its scratch directories' contents, where a later run could
   * read it: every node's times and mode (`os.utime` needs no write permission), the inode counter (new
   * files' `st_ino`, `statvfs().f_ffree`) and the counters that name pipes and sockets. Recorded once the
   * tree is final; the tree itself cannot change outside the scratch directories (read-only).
   */
  const recordMeta = (FS, M) => {
    const nodes = [];
    const stack = [FS.root];
    while (stack.length > 0) {
      const node = stack.pop();
      nodes[nodes.length] = [node, node.atime, node.mtime, node.ctime, node.mode];
      const dir = node.mounted ? node.mounted.root : node;
      if (dir !== node) stack[stack.length] = dir;
      else if (FS.isDir(node.mode) && node.contents) {
        for (const name in node.contents) stack[stack.length] = node.contents[name];
      }
    }
    const counters = [M.PIPEFS?.nextname, M.SOCKFS?.nextname].filter(Boolean);
    return { nodes, nextInode: FS.nextInode, counters: counters.map((c) => [c, c.current]) };
  };

  const restoreMeta = (FS) => {
    const { nodes, nextInode, counters } = s.meta;
    for (let i = 0; i < nodes.length; i++) {
      const [node, atime, mtime, ctime, mode] = nodes[i];
      node.atime = atime;
      node.mtime = mtime;
      node.ctime = ctime;
      node.mode = mode;
    }
    // Nodes the run made outside the tree (pipes) stay in the name table: drop them with their numbers.
    const table = FS.nameTable;
    for (let h = 0; h < table.length; h++) {
      let node = table[h];
      while (node && node.id >= nextInode) node = node.name_next;
      table[h] = node;
      while (node) {
        while (node.name_next && node.name_next.id >= nextInode) node.name_next = node.name_next.name_next;
        node = node.name_next;
      }
    }
    FS.nextInode = nextInode;
    for (let i = 0; i < counters.length; i++) counters[i][0].current = counters[i][1];
  };

  /** Back to the clean image: wasm memory, stack pointer, files and their metadata, working directory, random seed. */
  const reset = () => {
    const FS = s.py.FS;
    s.stackRestore(s.sp);
    const heap = heapView();
    const { length, zeroRuns, dataRuns } = s.clean;
    for (let i = 0; i < zeroRuns.length; i++) apply(typedFill, heap, [0, zeroRuns[i][0], zeroRuns[i][1]]);
    for (let i = 0; i < dataRuns.length; i++) apply(typedSet, heap, [dataRuns[i][1], dataRuns[i][0]]);
    if (lengthOf(heap) > length) apply(typedFill, heap, [0, length]);
    FS.streams.forEach((stream, fd) => {
      if (stream && !s.baseFds.has(fd)) FS.close(stream);
    });
    // A program may close fd 0, 1 or 2 (e.g. `open(0).read()` closes stdin when the file object dies).
    STD_STREAMS.forEach(([path, flags], fd) => {
      if (!FS.streams[fd] && FS.open(path, flags).fd !== fd) throw new Error(`cannot reopen fd ${fd}`);
    });
    for (const dir of s.scratch) {
      for (const name of FS.readdir(dir)) if (name !== '.' && name !== '..') rmTree(FS, `${dir}/${name}`);
    }
    restoreMeta(FS);
    FS.chdir(s.home);
    randomReset();
  };

  /**
   * No code from strings once Pyodide is up (it needs none at run time): `Function`, `eval` and the
   * constructors reachable as `(async / generator function).constructor` throw. `Function` keeps its
   * prototype, so `instanceof Function` still holds.
   */
  const lockRealm = () => {
    const refuse = () => {
      throw new EvalErrorCtor('code generation from strings is disabled in the sandbox');
    };
    defineProperty(refuse, 'name', { value: 'Function' });
    defineProperty(refuse, 'prototype', { value: FunctionPrototype, writable: false });
    freeze(refuse);
    for (const proto of codeConstructorPrototypes) {
      defineProperty(proto, 'constructor', { value: refuse, writable: false, configurable: false });
    }
    for (const name of ['Function', 'eval']) {
      defineProperty(globalThis, name, { value: refuse, writable: false, configurable: false });
    }
  };

  /**
   * After the lock a JS error caught in one of Pyodide's EM_JS functions would become a JsException, a
   * Python object wrapping the JS Error (and so the realm's Function): it becomes a plain RuntimeError
   * (RecursionError for V8's stack overflow) instead, and the interpreter is replaced after the run.
   * Fatal errors and Python errors crossing JavaScript keep Pyodide's own handling.
   */
  const guardJsErrors = (py, M) => {
    const handle = M.handle_js_error;
    const PythonError = py.ffi.PythonError;
    const { gate } = s;
    const U32 = Uint32Array;
    const typeAt = (address) => new U32(apply(memoryBuffer, s.memory, []))[address >>> 2];
    const runtimeError = typeAt(M._PyExc_RuntimeError);
    const recursionError = typeAt(M._PyExc_RecursionError);
    const { _PyErr_Occurred, _PyErr_SetString, stringToNewUTF8, _free } = M;
    const ErrorCtor = Error;
    const RangeErrorCtor = RangeError;
    M.handle_js_error = (e) => {
      if (!gate.locked() || e?.pyodide_fatal_error || e instanceof PythonError) return handle(e);
      s.jsError = true;
      if (_PyErr_Occurred()) return;
      let type = runtimeError;
      let message = 'JavaScript is not reachable from the sandbox';
      if (e !== gate.refusal) {
        const stack = e instanceof RangeErrorCtor && /call stack/.test(String(e.message));
        type = stack ? recursionError : runtimeError;
        message = stack
          ? 'maximum recursion depth exceeded (native stack)'
          : `JavaScript error: ${e instanceof ErrorCtor ? String(e.message).slice(0, 200) : typeof e}`;
      }
      const text = stringToNewUTF8(message);
      _PyErr_SetString(type, text);
      _free(text);
    };
  };

  const api = {
    async boot({ snapshot, makeSnapshot, home, pythonSetup }) {
      s.gate = globalThis.__gradusGate;
      delete globalThis.__gradusGate;
      const py = await globalThis.loadPyodide({
        indexURL: '/pyodide/',
        packageBaseUrl: '/pyodide/',
        createPyodideModule: globalThis._createPyodideModule,
        lockFileContents: globalThis.read('/pyodide/pyodide-lock.json'),
        jsglobals: Object.create(null),
        env: { HOME: home, PYTHONHASHSEED: '0' },
        stdout: (line) => console.log(line),
        stderr: (line) => console.error(line),
        ...(makeSnapshot ? { _makeSnapshot: true } : {}),
        ...(snapshot ? { _loadSnapshot: new Uint8Array(snapshot) } : {}),
      });
      s.py = py;
      s.M = py._module;
      if (pythonSetup) py.runPython(pythonSetup);
      for (const path of Object.keys(globalThis.__files)) delete globalThis.__files[path];
      return s.M.HEAPU8.length;
    },

    snapshot() {
      return new Uint8Array(s.py.makeMemorySnapshot()).buffer;
    },

    probeStack() {
      let depth = 0;
      const down = () => {
        depth++;
        down();
      };
      try {
        down();
      } catch {}
      return depth;
    },

    prepare({ home, scratch, cStackBytes }) {
      const { py, M } = s;
      s.home = home;
      s.scratch = scratch;
      const logError = console.error;
      console.error = (...args) => {
        io.errorAt ??= [io.out.length, io.err.length];
        logError(...args);
      };
      py.setStdout({ write: writer('out'), isatty: false });
      py.setStderr({ write: writer('err'), isatty: false });
      py.setStdin({ read, isatty: false });
      for (const name of ['js', 'pyodide_js']) {
        try {
          py.unregisterJsModule(name);
        } catch {}
      }
      const call = (name) => {
        const fn = py.globals.get(name);
        try {
          fn();
        } finally {
          fn.destroy();
        }
      };
      s.exec = py.globals.get('_gradus_run');
      call('_gradus_harden');
      // Deep C-level recursion (e.g. through functools.lru_cache) uses the native stack faster than the
      // wasm data stack; CPython's own check then raises RecursionError before V8's stack overflows.
      const top = M._emscripten_stack_get_base();
      const size = Math.min(cStackBytes, top - M._emscripten_stack_get_end() - (1 << 16));
      if (M._PyUnstable_ThreadState_SetStackProtection(M._PyThreadState_Get(), top - size, size) !== 0) {
        throw new Error('PyUnstable_ThreadState_SetStackProtection failed');
      }
      call('_gradus_collect');
      const FS = py.FS;
      for (const dir of scratch) FS.mkdirTree(dir);
      freezeFs(FS, '/');
      guardChmod(FS);
      FS.chdir(home);
      s.baseFds = openFds(FS);
      s.memory = M.memory;
      s.stackRestore = M.stackRestore;
      guardJsErrors(py, M);
      lockRealm();
      s.gate.lock();
      s.meta = recordMeta(FS, M);
      s.sp = M.stackSave();
      // The stack below its pointer is free: zero in the image, so that the reset fills it rather than
      // copying what boot and the warm-up left there.
      apply(typedFill, heapView(), [0, M._emscripten_stack_get_end(), s.sp]);
      s.clean = imageOf(copy(heapView(), 0, heapBytes()));
      reset();
      return { heapBytes: s.clean.length, cStackBytes: size };
    },

    run(program, stdin, maxOut, heapMax, recursionLimit) {
      io.out = [];
      io.err = [];
      io.outBytes = 0;
      io.maxOut = maxOut;
      io.truncated = false;
      io.stdin = new U8(stdin);
      io.stdinPos = 0;
      io.errorAt = null;
      s.gate.setHeapMax(heapMax);
      let outcome;
      let exitCode;
      let error;
      try {
        outcome = s.exec(program, recursionLimit);
      } catch (e) {
        // os._exit(n) ends Emscripten's runtime with ExitStatus; anything else escaping Python is fatal.
        if (e && typeof e.status === 'number') {
          outcome = 'exit';
          exitCode = e.status;
        } else {
          outcome = 'fatal';
          // Drop the Python stack Pyodide dumps to stdout when it fails fatally.
          if (io.errorAt) [io.out.length, io.err.length] = io.errorAt;
        }
        error = String((e && (e.stack || e.message)) || e).slice(0, 4000);
      }
      // A run that tried to bring a JS value into Python (or met a JS error) may have changed Pyodide's
      // JavaScript, which the reset does not restore: the interpreter is replaced.
      const touchedJs = s.gate.tainted() || s.jsError;
      const dead = isDead() || touchedJs;
      if (touchedJs && !error) error = 'the program reached for JavaScript (the interpreter was replaced)';
      const result = {
        outcome,
        exitCode,
        error,
        dead,
        stdout: concat(io.out),
        stderr: concat(io.err),
        truncated: io.truncated,
        heapBytes: heapBytes(),
      };
      if (!dead) {
        try {
          reset();
        } catch (e) {
          result.dead = true;
          result.error = `reset failed: ${String(e?.message || e)}`;
        }
      }
      io.stdin = new U8(0);
      return result;
    },

    partial() {
      return { stdout: concat(io.out), stderr: concat(io.err), truncated: io.truncated };
    },
  };

  // A program that reached JavaScript anyway must not be able to swap the functions the host calls.
  Object.defineProperty(globalThis, '__gradus', {
    value: Object.freeze(api),
    writable: false,
    configurable: false,
  });
}
