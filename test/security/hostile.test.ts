/**
 * Hostile programs against the real server and the real sandboxes (Pyodide in isolated-vm for Python,
 * isolated-vm contexts for JavaScript). Every case states the statuses it may end with and what must
 * never appear in its output; after every case the server must still answer /healthz. A case that fails
 * here is a hole in a sandbox: fix the sandbox, not the expectation.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../shared/api/node-server.ts';
import type { RunResult, RunStatus } from '../../shared/code/types.ts';
import {
  type CodeRun,
  codeRun,
  expectHealthy,
  fence,
  hostMarkers,
  lines,
  PY_REACH_JS,
  REPO,
  reward,
  setCanary,
  startSecurityServer,
  warmUpSandboxes,
} from './helpers.ts';

const CANARY = setCanary();
const MARKERS = [CANARY, ...hostMarkers()];

let server: RunningServer;
/** Counts every connection a sandboxed program manages to open to the host. */
let listener: Server;
let listenerPort = 0;
let connections = 0;

beforeAll(async () => {
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerPort = (listener.address() as { port: number }).port;
  server = await startSecurityServer();
  await warmUpSandboxes(server);
}, 180_000);

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => listener?.close(() => resolve()));
  delete process.env.GRADUS_CANARY;
});

type Category =
  | 'infinite loop'
  | 'memory bomb'
  | 'output flood'
  | 'process/thread'
  | 'host files/env'
  | 'network'
  | 'escape'
  | 'pollution';

interface Ctx {
  /** The gradus server's own port and URL. */
  port: number;
  url: string;
  /** A host port that counts connections. */
  listenerPort: number;
}

interface Case {
  name: string;
  language: 'python' | 'javascript';
  category: Category;
  program: string | ((ctx: Ctx) => string);
  /** The statuses the run may end with. */
  status: RunStatus[];
  stdin?: string;
  timeLimitS?: number;
  memoryMb?: number;
  /** Text that must not appear in stdout or stderr (the canary and host markers are always checked). */
  absent?: string[];
  /** stdout must be exactly this. */
  stdout?: string;
  /** stderr must contain this. */
  stderr?: string | RegExp;
  /**
   * The program reached (or tried to reach) Pyodide's JavaScript: replace the interpreter afterwards, so
   * that what it did there cannot change the cases after it.
   */
  recycle?: boolean;
}

const OUTPUT_CAP = 1 << 20;
const MEMORY_MB = 64;

const py = (
  name: string,
  category: Category,
  status: RunStatus[],
  program: Case['program'],
  extra: Partial<Case> = {},
): Case => ({
  name,
  language: 'python',
  category,
  status,
  program,
  ...extra,
});
const js = (
  name: string,
  category: Category,
  status: RunStatus[],
  program: Case['program'],
  extra: Partial<Case> = {},
): Case => ({
  name,
  language: 'javascript',
  category,
  status,
  program,
  ...extra,
});

const LOOP = { timeLimitS: 1 };
const BOMB = { memoryMb: MEMORY_MB, timeLimitS: 5 };

const CASES: Case[] = [
  // ---- infinite loops -------------------------------------------------------------------------------
  py('while True', 'infinite loop', ['timeout'], 'while True:\n    pass\n', LOOP),
  py(
    'loop that swallows every exception, BaseException included',
    'infinite loop',
    ['timeout'],
    lines(
      'while True:',
      '    try:',
      '        while True:',
      '            pass',
      '    except BaseException:',
      '        pass',
    ),
    LOOP,
  ),
  py(
    'loop inside finally after SystemExit',
    'infinite loop',
    ['timeout'],
    lines('try:', '    raise SystemExit(0)', 'finally:', '    while True:', '        pass'),
    LOOP,
  ),
  py(
    'loop inside __del__',
    'infinite loop',
    ['timeout'],
    lines(
      'class A:',
      '    def __del__(self):',
      '        while True:',
      '            pass',
      'a = A()',
      'del a',
      "print('after')",
    ),
    LOOP,
  ),
  py(
    "loop in a generator's finally (on close)",
    'infinite loop',
    ['timeout'],
    lines(
      'def g():',
      '    try:',
      '        yield 1',
      '    finally:',
      '        while True:',
      '            pass',
      'x = g()',
      'next(x)',
      'del x',
    ),
    LOOP,
  ),
  py(
    'loop in an atexit handler',
    'infinite loop',
    ['timeout'],
    lines('import atexit', 'atexit.register(lambda: [None for _ in iter(int, 1)])', "print('registered')"),
    LOOP,
  ),
  py('time.sleep(100)', 'infinite loop', ['timeout'], 'import time\ntime.sleep(100)\n', LOOP),
  js('for (;;) {}', 'infinite loop', ['timeout'], 'for (;;) {}', LOOP),
  js(
    'loop inside finally',
    'infinite loop',
    ['timeout'],
    'try { throw new Error("x"); } finally { for (;;) {} }',
    LOOP,
  ),
  js(
    "loop in a generator's finally (on return)",
    'infinite loop',
    ['timeout'],
    'function* g() { try { yield 1; } finally { for (;;) {} } }\nconst it = g(); it.next(); it.return();',
    LOOP,
  ),
  js(
    'endless microtasks',
    'infinite loop',
    ['timeout'],
    'const f = () => Promise.resolve().then(f);\nf();',
    LOOP,
  ),
  js('setInterval that never stops', 'infinite loop', ['timeout'], 'setInterval(() => {}, 1);', LOOP),
  js(
    'loop in an exit handler',
    'infinite loop',
    ['timeout'],
    'process.on("exit", () => { for (;;) {} });\nconsole.log("bye");',
    LOOP,
  ),
  js(
    'Atomics.wait for 10^9 ms',
    'infinite loop',
    ['runtime_error', 'timeout'],
    'const sab = new SharedArrayBuffer(4);\nAtomics.wait(new Int32Array(sab), 0, 0, 1e9);',
    LOOP,
  ),
  js(
    'Atomics.wait on a plain buffer',
    'infinite loop',
    ['runtime_error', 'timeout'],
    'Atomics.wait(new Int32Array(4), 0, 0, 1e9);',
    LOOP,
  ),

  // ---- memory bombs ---------------------------------------------------------------------------------
  py(
    'list of lists',
    'memory bomb',
    ['memory_limit'],
    'l = []\nwhile True:\n    l.append([0] * 10**6)\n',
    BOMB,
  ),
  py('string doubling', 'memory bomb', ['memory_limit'], "s = 'x'\nwhile True:\n    s += s\n", BOMB),
  py(
    'bytearray growth (wasm memory)',
    'memory bomb',
    ['memory_limit'],
    'b = bytearray()\nwhile True:\n    b.extend(bytes(10**7))\n',
    BOMB,
  ),
  py('one 1 GiB bytearray', 'memory bomb', ['memory_limit'], 'b = bytearray(2**30)\nprint(len(b))\n', BOMB),
  py('[0] * 10**9', 'memory bomb', ['memory_limit'], 'x = [0] * 10**9\nprint(len(x))\n', BOMB),
  py(
    'raising the heap cap through JavaScript, then 300 MB',
    'memory bomb',
    ['memory_limit'],
    lines(
      'try:',
      ...PY_REACH_JS.trimEnd()
        .split('\n')
        .map((l) => `    ${l}`),
      '    F("globalThis.__HEAP_MAX = 3 * 1024 * 1024 * 1024; return 1")()',
      'except Exception:',
      '    pass',
      'b = bytearray(300 * 1024 * 1024)',
      "print('allocated', len(b))",
    ),
    { ...BOMB, recycle: true },
  ),
  js(
    'array of arrays',
    'memory bomb',
    ['memory_limit'],
    'const a = [];\nfor (;;) a.push(new Array(1e5).fill(1.5));',
    BOMB,
  ),
  js(
    'ArrayBuffers of 64 MiB',
    'memory bomb',
    ['memory_limit'],
    'const b = [];\nfor (;;) b.push(new ArrayBuffer(64 * 1024 * 1024));',
    BOMB,
  ),
  js(
    'one 4 GiB ArrayBuffer',
    'memory bomb',
    ['memory_limit'],
    'console.log(new ArrayBuffer(2 ** 32).byteLength);',
    BOMB,
  ),
  js(
    'resizable ArrayBuffer grown to 2 GiB',
    'memory bomb',
    ['memory_limit', 'runtime_error'],
    'const b = new ArrayBuffer(8, { maxByteLength: 2 ** 31 });\nb.resize(2 ** 31 - 1);\nconsole.log(b.byteLength);',
    BOMB,
  ),
  js(
    'WebAssembly.Memory grown to 4 GiB',
    'memory bomb',
    ['memory_limit', 'runtime_error'],
    'const m = new WebAssembly.Memory({ initial: 10, maximum: 65536 });\nfor (;;) m.grow(100);',
    BOMB,
  ),
  js(
    'growable SharedArrayBuffer',
    'memory bomb',
    ['memory_limit', 'runtime_error'],
    'const s = new SharedArrayBuffer(8, { maxByteLength: 2 ** 31 });\ns.grow(2 ** 31 - 1);\nconsole.log(s.byteLength);',
    BOMB,
  ),
  js(
    'Set of numbers',
    'memory bomb',
    ['memory_limit'],
    'const s = new Set();\nfor (let i = 0; ; i++) s.add(i);',
    BOMB,
  ),
  js(
    'new Array(1e9).fill(0)',
    'memory bomb',
    ['memory_limit'],
    'console.log(new Array(1e9).fill(0).length);',
    BOMB,
  ),

  // ---- output floods --------------------------------------------------------------------------------
  py('print loop', 'output flood', ['output_limit'], "while True:\n    print('x' * 1000)\n", LOOP),
  py(
    'print loop that ignores the write errors',
    'output flood',
    ['output_limit'],
    lines(
      'while True:',
      '    try:',
      "        print('x' * 1000)",
      '    except BaseException:',
      '        pass',
    ),
    LOOP,
  ),
  py(
    'stderr flood',
    'output flood',
    ['output_limit'],
    "import sys\nwhile True:\n    sys.stderr.write('e' * 1000)\n",
    LOOP,
  ),
  py(
    'os.write(1) flood',
    'output flood',
    ['output_limit'],
    "import os\nwhile True:\n    os.write(1, b'y' * 4096)\n",
    LOOP,
  ),
  js('console.log loop', 'output flood', ['output_limit'], 'for (;;) console.log("x".repeat(1000));', LOOP),
  js(
    'process.stdout.write of 100 MB',
    'output flood',
    ['output_limit'],
    'process.stdout.write("x".repeat(1e8));',
    LOOP,
  ),
  js(
    'console.error loop',
    'output flood',
    ['output_limit'],
    'for (;;) console.error("e".repeat(1000));',
    LOOP,
  ),

  // ---- processes and threads ------------------------------------------------------------------------
  py('os.fork', 'process/thread', ['runtime_error'], 'import os\nprint(os.fork())\n'),
  py('os.system', 'process/thread', ['ok'], "import os\nprint(os.system('ls /'))\n", { stdout: '-1\n' }),
  py(
    'subprocess.run',
    'process/thread',
    ['runtime_error'],
    "import subprocess\nprint(subprocess.run(['cat', '/etc/passwd'], capture_output=True))\n",
  ),
  py(
    'os.execv',
    'process/thread',
    ['runtime_error'],
    "import os\nos.execv('/bin/sh', ['/bin/sh', '-c', 'env'])\n",
  ),
  py(
    'threading.Thread(...).start()',
    'process/thread',
    ['runtime_error'],
    "import threading\nt = threading.Thread(target=print, args=('from a thread',))\nt.start()\nt.join()\n",
    { absent: ['from a thread'] },
  ),
  py(
    'multiprocessing.Process',
    'process/thread',
    ['runtime_error'],
    'import multiprocessing\nmultiprocessing.Process(target=print).start()\n',
  ),
  py(
    'ThreadPoolExecutor',
    'process/thread',
    ['runtime_error'],
    'from concurrent.futures import ThreadPoolExecutor\nprint(ThreadPoolExecutor().submit(lambda: 1).result())\n',
  ),
  js(
    'require("child_process")',
    'process/thread',
    ['runtime_error'],
    'console.log(require("child_process").execSync("env").toString());',
    {
      stderr: "Cannot find module 'child_process'",
    },
  ),
  js(
    'require("worker_threads")',
    'process/thread',
    ['runtime_error'],
    'const { Worker } = require("worker_threads");\nnew Worker("console.log(1)", { eval: true });',
  ),
  js(
    'process.binding("spawn_sync")',
    'process/thread',
    ['runtime_error'],
    'console.log(process.binding("spawn_sync"));',
  ),
  js(
    'process.dlopen',
    'process/thread',
    ['runtime_error'],
    'process.dlopen({ exports: {} }, "/lib/x86_64-linux-gnu/libc.so.6");',
  ),
  js('new Worker', 'process/thread', ['runtime_error'], 'new Worker("data:,postMessage(1)");'),

  // ---- host files and environment -------------------------------------------------------------------
  py('open /etc/passwd', 'host files/env', ['runtime_error'], "print(open('/etc/passwd').read())\n", {
    stderr: 'FileNotFoundError',
  }),
  py(
    'open /proc/self/environ',
    'host files/env',
    ['runtime_error'],
    "print(open('/proc/self/environ', 'rb').read())\n",
  ),
  py('open ../package.json', 'host files/env', ['runtime_error'], "print(open('../package.json').read())\n"),
  py(
    'open the repo by absolute path',
    'host files/env',
    ['runtime_error'],
    () => `print(open(${JSON.stringify(join(REPO, 'package.json'))}).read())\n`,
  ),
  py(
    'every file under / and the whole environment',
    'host files/env',
    ['ok'],
    lines(
      'import os',
      'print(dict(os.environ))',
      "print(os.getenv('GRADUS_CANARY'))",
      "for root, dirs, files in os.walk('/'):",
      "    if root.startswith(('/lib', '/proc', '/dev')):",
      '        continue',
      '    for f in files:',
      '        p = os.path.join(root, f)',
      '        try:',
      "            print(p, open(p, 'rb').read(2000))",
      '        except Exception as e:',
      '            print(p, e)',
    ),
    { absent: ['node_modules', 'package.json', '.git'] },
  ),
  js(
    'readFileSync /etc/passwd',
    'host files/env',
    ['runtime_error'],
    'console.log(require("fs").readFileSync("/etc/passwd", "utf8"));',
    { stderr: 'ENOENT' },
  ),
  js(
    'readFileSync /proc/self/environ',
    'host files/env',
    ['runtime_error'],
    'console.log(require("fs").readFileSync("/proc/self/environ", "utf8"));',
  ),
  js(
    'readFileSync ../package.json',
    'host files/env',
    ['runtime_error'],
    'console.log(require("fs").readFileSync("../package.json", "utf8"));',
  ),
  js(
    'readFileSync of the repo by absolute path',
    'host files/env',
    ['runtime_error'],
    () => `console.log(require("fs").readFileSync(${JSON.stringify(join(REPO, 'package.json'))}, "utf8"));`,
  ),
  js(
    'process.env, argv, cwd and a directory listing',
    'host files/env',
    ['ok'],
    lines(
      'console.log(JSON.stringify(process.env), process.argv, process.cwd());',
      'try { console.log(require("fs").readdirSync("/")); } catch (e) { console.log(e.code); }',
      'console.log(require("os").hostname(), require("os").homedir());',
    ),
    { absent: ['node_modules', 'vitest'] },
  ),

  // ---- network --------------------------------------------------------------------------------------
  py(
    'socket to the server itself',
    'network',
    ['runtime_error'],
    (c) =>
      `import socket\ns = socket.socket()\ns.connect(('127.0.0.1', ${c.port}))\ns.send(b'GET /healthz HTTP/1.0\\r\\n\\r\\n')\nprint(s.recv(1000))\n`,
  ),
  py(
    'socket to a host listener',
    'network',
    ['runtime_error'],
    (c) => `import socket\nsocket.create_connection(('127.0.0.1', ${c.listenerPort}), timeout=1)\n`,
  ),
  py(
    'urllib.request.urlopen(server)',
    'network',
    ['runtime_error'],
    (c) =>
      `import urllib.request\nprint(urllib.request.urlopen(${JSON.stringify(`${c.url}/healthz`)}).read())\n`,
    { absent: ['"version"'] },
  ),
  py(
    'http.client to a host listener',
    'network',
    ['runtime_error'],
    (c) =>
      `import http.client\nc = http.client.HTTPConnection('127.0.0.1', ${c.listenerPort}, timeout=1)\nc.request('GET', '/')\n`,
  ),
  py(
    'asyncio.open_connection',
    'network',
    ['runtime_error'],
    (c) =>
      `import asyncio\nasync def main():\n    await asyncio.open_connection('127.0.0.1', ${c.listenerPort})\nasyncio.run(main())\n`,
  ),
  js(
    'fetch(server)',
    'network',
    ['runtime_error'],
    (c) => `fetch(${JSON.stringify(`${c.url}/healthz`)}).then((r) => r.text()).then(console.log);`,
    { absent: ['"version"'] },
  ),
  js(
    'require("net").connect',
    'network',
    ['runtime_error'],
    (c) => `require("net").connect(${c.listenerPort}, "127.0.0.1");`,
  ),
  js(
    'require("http").get',
    'network',
    ['runtime_error'],
    (c) => `require("http").get(${JSON.stringify(`${c.url}/healthz`)}, (r) => r.pipe(process.stdout));`,
  ),
  js(
    'import("node:net")',
    'network',
    ['runtime_error'],
    (c) => `import("node:net").then((net) => net.connect(${c.listenerPort}, "127.0.0.1"));`,
  ),
  js(
    'XMLHttpRequest and WebSocket',
    'network',
    ['runtime_error'],
    (c) =>
      `new XMLHttpRequest().open("GET", ${JSON.stringify(c.url)});\nnew WebSocket("ws://127.0.0.1:${c.listenerPort}");`,
  ),

  // ---- escapes --------------------------------------------------------------------------------------
  py('import js', 'escape', ['runtime_error'], 'import js\nprint(js.process.env)\n', {
    stderr: 'ModuleNotFoundError',
  }),
  py('js.globalThis', 'escape', ['runtime_error'], 'from js import globalThis\nprint(globalThis.process)\n'),
  py('import pyodide_js', 'escape', ['runtime_error'], 'import pyodide_js\nprint(pyodide_js.runPython)\n'),
  py(
    'from pyodide.ffi import to_js',
    'escape',
    ['runtime_error'],
    'from pyodide.ffi import to_js\nprint(to_js)\n',
  ),
  py(
    'pyodide.code.run_js',
    'escape',
    ['runtime_error'],
    "from pyodide.code import run_js\nprint(run_js('typeof process'))\n",
  ),
  py("__import__('js')", 'escape', ['runtime_error'], "print(__import__('js').process)\n"),
  py(
    "importlib.import_module('_pyodide_core')",
    'escape',
    ['runtime_error'],
    "import importlib\nprint(importlib.import_module('_pyodide_core'))\n",
  ),
  py('import ctypes', 'escape', ['runtime_error'], 'import ctypes\nprint(ctypes.CDLL(None))\n'),
  py(
    'sys.meta_path cleared of the blocking finder, then import js',
    'escape',
    ['runtime_error'],
    "import sys\nsys.meta_path[:] = [f for f in sys.meta_path if 'Blocked' not in getattr(f, '__name__', '')]\nimport js\nprint(js)\n",
  ),
  py(
    'no FFI module left in sys.modules',
    'escape',
    ['ok'],
    "import sys\nprint(sorted(m for m in sys.modules if m.split('.')[0] in ('js', 'pyodide', 'pyodide_js', '_pyodide', '_pyodide_core', 'ctypes')))\n",
    { stdout: '[]\n' },
  ),
  py(
    'JsException builds a JS Error whose constructor.constructor is Function',
    'escape',
    ['runtime_error'],
    lines(PY_REACH_JS, 'g = F("return globalThis")()', "print('ESCAPED', list(g.Object.keys(g)))"),
    { absent: ['ESCAPED'], recycle: true },
  ),
  js(
    "constructor.constructor('return this')() is the sandbox global",
    'escape',
    ['ok'],
    lines(
      'const g = this.constructor.constructor("return this")();',
      'let child;',
      'try { child = typeof g.process.mainModule.require("child_process"); } catch (e) { child = e.constructor.name; }',
      'console.log(JSON.stringify({ env: Object.keys(g.process.env), require: typeof g.require, binding: typeof g.process.binding, child }));',
    ),
    { stdout: '{"env":[],"require":"undefined","binding":"undefined","child":"TypeError"}\n' },
  ),
  js(
    'Function from an arrow function, and indirect eval',
    'escape',
    ['ok'],
    lines(
      'const g1 = (() => {}).constructor("return globalThis")();',
      'const g2 = (0, eval)("this");',
      'console.log(g1 === globalThis, g2 === globalThis, typeof g1.require, JSON.stringify(g2.process.env));',
    ),
    { stdout: 'true true undefined {}\n' },
  ),
  js(
    'require("fs") cannot read host files through the real module',
    'escape',
    ['runtime_error'],
    'const fs = require("fs");\nconsole.log(fs.readFileSync("/etc/hostname", "utf8"));',
  ),
  js(
    'import("fs")',
    'escape',
    ['runtime_error'],
    'import("fs").then((fs) => console.log(fs.readFileSync("/etc/passwd", "utf8")));',
  ),
  js(
    'module.constructor._load',
    'escape',
    ['runtime_error'],
    'console.log(module.constructor._load("child_process"));',
  ),
  js(
    'stack frames through Error.prepareStackTrace',
    'escape',
    ['ok'],
    lines(
      'Error.prepareStackTrace = (e, frames) => frames.map((f) => [f.getFileName(), typeof f.getThis(), typeof f.getFunction()].join(" "));',
      'const frames = (function f() { return new Error().stack; })();',
      'const reached = frames.map((s) => s.split(" ")).filter(([file, self, fn]) => file && file.startsWith("node:internal") && (self !== "undefined" || fn !== "undefined"));',
      'console.log(reached.length);',
    ),
    { stdout: '0\n', absent: ['/work', 'node_modules', 'functions/reward'] },
  ),
  js(
    "the sandbox's own require of host-only modules",
    'escape',
    ['ok'],
    lines(
      'const out = [];',
      'for (const m of ["child_process", "worker_threads", "vm", "net", "http", "https", "dgram", "cluster", "v8", "inspector", "module", "node:child_process"]) {',
      '  try { require(m); out.push(m + ":loaded"); } catch (e) { out.push(m + ":" + e.code); }',
      '}',
      'console.log(out.filter((s) => !s.endsWith(":MODULE_NOT_FOUND")).join(","));',
    ),
    { stdout: '\n' },
  ),

  // ---- pollution of shared prototypes (their effect on the host is judged below) --------------------
  js(
    'Object.prototype pollution via JSON.parse __proto__',
    'pollution',
    ['ok'],
    'const o = JSON.parse(\'{"__proto__": {"polluted": "yes"}}\');\nObject.assign(Object.prototype, o.__proto__);\nconsole.log(({}).polluted);',
    { stdout: 'yes\n' },
  ),
];

function textOf(program: Case['program']): string {
  const ctx: Ctx = {
    port: Number(new URL(server.url).port),
    url: server.url,
    listenerPort,
  };
  return typeof program === 'string' ? program : program(ctx);
}

function expectNoLeak(r: RunResult, absent: string[] = []): void {
  const out = `${r.stdout}\n${r.stderr}`;
  for (const marker of [...MARKERS, ...absent]) {
    expect(out.includes(marker), `output contains ${JSON.stringify(marker.slice(0, 60))}`).toBe(false);
  }
}

describe('hostile programs through POST /v1/code/run', () => {
  it('has at least 40 cases, roughly half in each language', () => {
    const py = CASES.filter((c) => c.language === 'python').length;
    const js = CASES.filter((c) => c.language === 'javascript').length;
    expect(py + js).toBeGreaterThanOrEqual(40);
    expect(Math.min(py, js)).toBeGreaterThanOrEqual(15);
    expect(new Set(CASES.map((c) => `${c.language} ${c.name}`)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    it(`${c.language}: ${c.category}: ${c.name}`, async () => {
      const body: CodeRun = {
        language: c.language,
        program: textOf(c.program),
        timeLimitS: c.timeLimitS ?? 2,
      };
      if (c.memoryMb !== undefined) body.memoryMb = c.memoryMb;
      if (c.stdin !== undefined) body.inputs = [c.stdin];
      let r: RunResult;
      try {
        [r] = (await codeRun(server, body)) as [RunResult];
      } finally {
        if (c.recycle) await recyclePython();
      }
      const context = `status ${r.status}\nstdout: ${r.stdout.slice(0, 400)}\nstderr: ${r.stderr.slice(-400)}`;
      expect(c.status, context).toContain(r.status);
      expectNoLeak(r, c.absent);
      expect(Buffer.byteLength(r.stdout) + Buffer.byteLength(r.stderr)).toBeLessThanOrEqual(
        OUTPUT_CAP + 4096,
      );
      if (c.stdout !== undefined) expect(r.stdout, context).toBe(c.stdout);
      if (c.stderr !== undefined) expect(r.stderr, context).toMatch(c.stderr);
      await expectHealthy(server);
    });
  }

  it('no program opened a connection to the host', () => {
    expect(connections).toBe(0);
  });
});

describe('state left by one run is not seen by the next', () => {
  it('python: files, globals, builtins, modules, environment, sys.path, recursion limit', async () => {
    const program = lines(
      'import builtins, json, math, os, sys, types',
      'if sys.stdin.read().strip() == "write":',
      "    for p in ('/tmp/leftover', '/home/user/leftover'):",
      "        open(p, 'w').write('LEFTOVER')",
      "    for p in ('/lib/leftover.py', '/leftover'):",
      '        try:',
      "            open(p, 'w').write('LEFTOVER = 1')",
      '        except OSError:',
      '            pass',
      "    builtins.LEFTOVER = 'LEFTOVER'",
      "    sys.modules['leftover'] = types.ModuleType('leftover')",
      "    json.dumps = lambda *a, **k: 'LEFTOVER'",
      '    math.pi = 3',
      "    os.environ['LEFTOVER'] = 'LEFTOVER'",
      "    sys.path.insert(0, '/tmp')",
      '    sys.setrecursionlimit(77)',
      "    os.chdir('/tmp')",
      "    print('written')",
      "    builtins.print = lambda *a, **k: os.write(1, b'LEFTOVER\\n')",
      'else:',
      '    found = []',
      "    for p in ('/tmp/leftover', '/home/user/leftover', '/lib/leftover.py', '/leftover'):",
      '        if os.path.exists(p):',
      '            found.append(p)',
      "    checks = {'builtins': hasattr(builtins, 'LEFTOVER'), 'print': getattr(print, '__name__', '') != 'print',",
      "              'module': 'leftover' in sys.modules, 'json': json.dumps([1]) != '[1]', 'math': math.pi != 3.141592653589793,",
      "              'environ': 'LEFTOVER' in os.environ, 'path': '/tmp' in sys.path, 'recursion': sys.getrecursionlimit() == 77,",
      "              'cwd': os.getcwd() != '/home/user'}",
      '    found += [k for k, v in checks.items() if v]',
      "    os.write(1, ('found: ' + json.JSONEncoder().encode(found) + '\\n').encode())",
    );
    const [first, second] = (await codeRun(server, {
      language: 'python',
      program,
      inputs: ['write', 'read'],
    })) as [RunResult, RunResult];
    expect(first.status, first.stderr).toBe('ok');
    expect(second.status, second.stderr).toBe('ok');
    expect(second.stdout).toBe('found: []\n');
    for (const r of [first, second]) expectNoLeak(r);
  });

  it('python: a leftover that reached JavaScript (the reset skipped, a builtin planted)', async () => {
    const program = lines(
      'import builtins, sys',
      'if sys.stdin.read().strip() == "write":',
      '    try:',
      ...PY_REACH_JS.trimEnd()
        .split('\n')
        .map((l) => `        ${l}`),
      '        F("globalThis.__leftover = \'LEFTOVER\'; const set = Uint8Array.prototype.set; Uint8Array.prototype.set = function (src, off) { if (this.length > 16777216) return; return set.call(this, src, off); }; return 1")()',
      '    except Exception:',
      '        pass',
      "    builtins.LEFTOVER = 'LEFTOVER'",
      "    print('written')",
      'else:',
      "    print('found:', getattr(builtins, 'LEFTOVER', None))",
    );
    await recyclePython();
    try {
      const [first, second] = (await codeRun(server, {
        language: 'python',
        program,
        inputs: ['write', 'read'],
      })) as [RunResult, RunResult];
      expect(first.status, first.stderr).toBe('ok');
      expect(second.stdout).toBe('found: None\n');
      for (const r of [first, second]) expectNoLeak(r);
    } finally {
      await recyclePython();
    }
  });

  it('javascript: globals, prototypes, builtins, process, module cache, stack hooks', async () => {
    const program = lines(
      'const mode = require("fs").readFileSync(0, "utf8").trim();',
      'if (mode === "write") {',
      '  globalThis.LEFTOVER = "LEFTOVER";',
      '  Object.prototype.LEFTOVER = "LEFTOVER";',
      '  Array.prototype.includes = () => true;',
      '  String.prototype.trim = function () { return "LEFTOVER"; };',
      '  JSON.stringify = () => "LEFTOVER";',
      '  Math.max = () => 42;',
      '  process.env.LEFTOVER = "LEFTOVER";',
      '  process.exitCode = 3;',
      '  require("fs").LEFTOVER = "LEFTOVER";',
      '  require("util").inspect = () => "LEFTOVER";',
      '  Error.prepareStackTrace = () => "LEFTOVER";',
      '  Error.stackTraceLimit = 0;',
      '  try { require("fs").writeFileSync("/tmp/leftover", "LEFTOVER"); } catch {}',
      '  setTimeout(() => console.log("LEFTOVER timer"), 5);',
      '  Promise.resolve().then(() => { globalThis.LATE = 1; });',
      '  console.log("written");',
      '} else {',
      '  const checks = {',
      '    global: "LEFTOVER" in globalThis || "LATE" in globalThis,',
      '    object: ({}).LEFTOVER !== undefined,',
      '    array: [1].includes(2),',
      '    trim: " a ".trim() !== "a",',
      '    json: JSON.stringify([1]) !== "[1]",',
      '    math: Math.max(1, 2) !== 2,',
      '    env: Object.keys(process.env).length > 0,',
      '    exitCode: process.exitCode !== undefined,',
      '    fs: require("fs").LEFTOVER !== undefined,',
      '    util: require("util").inspect(1) !== "1",',
      '    stack: typeof Error.prepareStackTrace === "function" || Error.stackTraceLimit === 0,',
      '    file: require("fs").existsSync("/tmp/leftover"),',
      '  };',
      '  console.log("found: " + Object.keys(checks).filter((k) => checks[k]).join(","));',
      '}',
    );
    const [first, second] = (await codeRun(server, {
      language: 'javascript',
      program,
      inputs: ['write', 'read'],
    })) as [RunResult, RunResult];
    expect(first.stdout).toContain('written');
    expect(second.status, second.stderr).toBe('ok');
    expect(second.stdout).toBe('found: \n');
    for (const r of [first, second]) expectNoLeak(r);
  });
});

/** Replaces the Python interpreter: a run that times out is never reset in place. */
async function recyclePython(): Promise<void> {
  const [r] = await codeRun(server, {
    language: 'python',
    program: 'while True:\n    pass\n',
    timeLimitS: 0.3,
  });
  expect(r?.status).toBe('timeout');
}

const addTests = { inputs: ['1 2\n', '5 7\n', '-3 3\n'], outputs: ['3\n', '12\n', '0\n'] };
const PY_ADD = 'a, b = map(int, input().split())\nprint(a + b)';
const JS_ADD =
  'const [a, b] = require("fs").readFileSync(0, "utf8").trim().split(" ").map(Number);\nconsole.log(a + b);';
const JS_WRONG =
  'const [a, b] = require("fs").readFileSync(0, "utf8").trim().split(" ").map(Number);\nconsole.log(a * b + 7);';

describe('hostile code items through POST /v1/reward', () => {
  it('loops, bombs, floods and snooping fail their tests; a correct item after them passes', async () => {
    const item = (lang: string, code: string, options: object = {}) => ({
      task: 'code',
      response: fence(lang, code),
      ground_truth: addTests,
      options: { timeLimitS: 0.5, ...options },
    });
    const results = await reward(server, [
      item('python', 'while True:\n    pass'),
      item('python', 'l = []\nwhile True:\n    l.append(bytearray(10**7))', { memoryMb: 64, timeLimitS: 3 }),
      item('python', "while True:\n    print('3')"),
      item('python', "import os\nprint(dict(os.environ))\nprint(open('/proc/self/environ').read())"),
      item('javascript', 'for (;;) {}'),
      item('javascript', 'const a = [];\nfor (;;) a.push(new Array(1e5).fill(1));', {
        memoryMb: 64,
        timeLimitS: 3,
      }),
      item('javascript', 'console.log(JSON.stringify(process.env));'),
      item('python', PY_ADD),
      item('javascript', JS_ADD),
    ]);
    const statuses = results.map((r) => [...new Set(r.tests?.map((t) => t.status))]);
    expect(statuses.slice(0, 7)).toEqual([
      ['timeout'],
      ['memory_limit'],
      ['output_limit'],
      ['runtime_error'],
      ['timeout'],
      ['memory_limit'],
      ['ok'],
    ]);
    expect(results.map((r) => r.correct)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(results.map((r) => r.score)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(JSON.stringify(results).includes(CANARY)).toBe(false);
    await expectHealthy(server);
  });

  it('prototype pollution in one JavaScript run does not change the host judge or the next run', async () => {
    const pollute = lines(
      'Array.prototype.every = () => true;',
      'Array.prototype.map = function () { return ["3", "12", "0"]; };',
      'Object.prototype.passed = true;',
      'Object.prototype.correct = true;',
      'String.prototype.trim = function () { return "3"; };',
      'String.prototype.split = function () { return ["3"]; };',
      'JSON.parse = () => ({ correct: true, score: 1 });',
      'JSON.stringify = () => \'{"correct":true}\';',
      'process.stdout.write("41\\n");',
    );
    const js = (code: string) => ({
      task: 'code',
      response: fence('javascript', code),
      ground_truth: addTests,
    });
    const results = await reward(server, [js(pollute), js(JS_ADD), js(JS_WRONG), js(pollute)]);
    expect(results.map((r) => r.correct)).toEqual([false, true, false, false]);
    expect(results.map((r) => r.score)).toEqual([0, 1, 0, 0]);
    expect(results[0]?.tests?.[0]).toMatchObject({
      status: 'ok',
      passed: false,
      firstDiff: { expected: '3', got: '41' },
    });
  });

  it('patched Python builtins in one run do not change the next', async () => {
    const pollute = lines(
      'import builtins, json, sys',
      "builtins.print = lambda *a, **k: sys.stdout.write('3\\n')",
      'builtins.int = lambda *a: 0',
      'json.dumps = lambda *a, **k: \'{"correct": true}\'',
      "sys.stdout.write('41\\n')",
    );
    const py = (code: string) => ({ task: 'code', response: fence('python', code), ground_truth: addTests });
    const results = await reward(server, [
      py(pollute),
      py(PY_ADD),
      py('a, b = map(int, input().split())\nprint(a * b + 7)'),
    ]);
    expect(results.map((r) => r.correct)).toEqual([false, true, false]);
  });
});

describe('the server stays up', () => {
  it('answers /healthz while a Python and a JavaScript program loop', async () => {
    const loops = Promise.all([
      codeRun(server, { language: 'python', program: 'while True:\n    pass\n', timeLimitS: 2 }),
      codeRun(server, { language: 'javascript', program: 'for (;;) {}', timeLimitS: 2 }),
    ]);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 200));
      await expectHealthy(server);
    }
    const [[py], [js]] = (await loops) as [[RunResult], [RunResult]];
    expect([py.status, js.status]).toEqual(['timeout', 'timeout']);
  });

  it('still runs a normal program correctly in each language', async () => {
    const cases = [
      { language: 'python', program: 'print(sum(map(int, input().split())))' },
      { language: 'javascript', program: JS_ADD },
      {
        language: 'typescript',
        program:
          'const s: string = require("fs").readFileSync(0, "utf8");\nconsole.log(s.trim().split(" ").map(Number).reduce((a: number, b: number) => a + b));',
      },
    ] as const;
    for (const c of cases) {
      const [r] = (await codeRun(server, { ...c, inputs: ['20 22\n'] })) as [RunResult];
      expect(r, c.language).toMatchObject({ status: 'ok', stdout: '42\n' });
    }
    await expectHealthy(server);
  });
});
