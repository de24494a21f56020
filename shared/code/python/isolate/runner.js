// The host-facing functions of one Python interpreter, evaluated after prelude.js. The host calls them
// through `__gradus.*` with copied strings and buffers only; nothing here holds a host reference.
//
//   boot(options)        load Pyodide: cold (optionally to take a memory snapshot) or from a snapshot
//   snapshot()           the memory snapshot of a cold-booted interpreter
//   probeStack()         how many trivial JS frames fit on this thread's native stack
//   prepare(options)     once per interpreter: bind I/O, remove the FFI, take the clean image
//   run(...)             one program; ends with the reset to the clean image
//   partial()            what a killed run wrote, for the host to report

{
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
  const s = { py: null, M: null, exec: null, clean: null, sp: 0, home: '', scratch: [], baseFds: null };

  /** A write past the output cap keeps what fits and fails with EFBIG: Python sees an OSError. */
  const writer = (stream) => (buf) => {
    const chunks = io[stream];
    const room = io.maxOut - io.outBytes;
    if (buf.length > room) {
      if (room > 0) chunks.push(buf.slice(0, room));
      io.outBytes = io.maxOut;
      io.truncated = true;
      throw Object.assign(new Error('output limit exceeded'), { code: 'EFBIG' });
    }
    chunks.push(buf.slice());
    io.outBytes += buf.length;
    return buf.length;
  };

  const read = (buf) => {
    const n = Math.min(buf.length, io.stdin.length - io.stdinPos);
    buf.set(io.stdin.subarray(io.stdinPos, io.stdinPos + n));
    io.stdinPos += n;
    return n;
  };

  const concat = (chunks) => {
    let length = 0;
    for (const c of chunks) length += c.length;
    const out = new Uint8Array(length);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out.buffer;
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

  /** Back to the clean image: wasm memory, stack pointer, files, working directory, random seed. */
  const reset = () => {
    const { M } = s;
    const FS = s.py.FS;
    M.stackRestore(s.sp);
    const heap = M.HEAPU8;
    heap.set(s.clean);
    if (heap.length > s.clean.length) heap.fill(0, s.clean.length);
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
    FS.chdir(s.home);
    globalThis.__random.reset();
  };

  const api = {
    async boot({ snapshot, makeSnapshot, home, pythonSetup }) {
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
      s.sp = M.stackSave();
      s.clean = M.HEAPU8.slice();
      reset();
      return { heapBytes: s.clean.length, cStackBytes: size };
    },

    run(program, stdin, maxOut, heapMax, recursionLimit) {
      io.out = [];
      io.err = [];
      io.outBytes = 0;
      io.maxOut = maxOut;
      io.truncated = false;
      io.stdin = new Uint8Array(stdin);
      io.stdinPos = 0;
      io.errorAt = null;
      globalThis.__HEAP_MAX = heapMax;
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
      const dead = isDead();
      const result = {
        outcome,
        exitCode,
        error,
        dead,
        stdout: concat(io.out),
        stderr: concat(io.err),
        truncated: io.truncated,
        heapBytes: s.M.HEAPU8.length,
      };
      if (!dead) {
        try {
          reset();
        } catch (e) {
          result.dead = true;
          result.error = `reset failed: ${String(e?.message || e)}`;
        }
      }
      io.stdin = new Uint8Array(0);
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
