# Run once in the interpreter a memory snapshot is taken from (as Pyodide's __main__); every sandboxed
# program then goes through _gradus_run. The warm-up at the end puts what tracebacks, syntax errors and
# exits import lazily into the snapshot. runner.js calls _gradus_harden and _gradus_collect once per
# interpreter, before the clean image that every run is reset to.
import atexit
import builtins
import gc
import linecache
import sys
import traceback
import types

# What contest solutions import (LiveCodeBench's import_string and the usual competitive-programming
# set), imported here so that it lives in the snapshot and runs do not pay for it.
import abc, array, asyncio, bisect, calendar, cmath, collections, contextlib, copy, csv, dataclasses  # noqa: E401
import datetime, decimal, enum, fractions, functools, graphlib, hashlib, heapq, io, itertools, json  # noqa: E401
import math, numbers, operator, os, pickle, pprint, queue, random, re, statistics, string, struct  # noqa: E401
import ast, textwrap, time, typing, unicodedata  # noqa: E401
import collections.abc, os.path  # noqa: E401

# The remaining builtin (C) modules, so that none has to be created once _imp.create_builtin is gone.
for _name in sys.builtin_module_names:
    if not _name.startswith(("_test", "_xx", "xx")) and _name not in {"_ctypes", "_pyodide_core"}:
        try:
            __import__(_name)
        except Exception:
            pass

_FILENAME = "<solution>"

# Modules that reach JavaScript (the FFI, Pyodide's API, ctypes' raw calls into the wasm module).
_BLOCKED = frozenset(
    {"js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "micropip", "pyodide_http", "ctypes", "_ctypes"}
)


def _is_blocked(name):
    return name.partition(".")[0] in _BLOCKED


class _BlockedFinder:
    """First on sys.meta_path: the blocked modules cannot be imported by any other finder."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if _is_blocked(name):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

    @staticmethod
    def invalidate_caches():
        pass


def _refuse_extension(spec, *args):
    """Stands in for _imp.create_builtin / create_dynamic: every allowed builtin module is imported when
    the snapshot is made, and the blocked ones (or a wasm side module written to /tmp) must not load."""
    raise ModuleNotFoundError(f"No module named {spec.name!r}", name=spec.name)


def _refuse_exec(module, *args):
    """Stands in for _imp.exec_builtin / exec_dynamic, which would refill a module emptied below."""
    raise ImportError(f"cannot initialise {getattr(module, '__name__', '?')!r} again in the sandbox")


_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE


def _refuse_js_exception(cls, *args, **kwargs):
    raise TypeError("pyodide.ffi.JsException cannot be created in the sandbox")


def _js_proxy_types():
    """The C base of every JsProxy (a static type, directly below object, as a program would find it in
    object.__subclasses__()) and the types below it, which Pyodide makes on demand, one per kind of JS
    value; JsException is one of them."""
    bases = [
        cls
        for cls in object.__subclasses__()
        if cls.__module__ == "pyodide.ffi" and cls.__name__ == "JsProxy" and not cls.__flags__ & _HEAPTYPE
    ]
    if len(bases) != 1:
        raise RuntimeError(f"expected one pyodide.ffi.JsProxy base type, found {len(bases)}")
    found, todo = [], list(bases)
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(type.__subclasses__(cls))
    return found


def _disarm_ffi_types(proxy_types):
    """JsException(name, message) builds a JavaScript Error and wraps it: refused in Python, before it
    reaches JavaScript (where the gate in Pyodide's module would refuse it too, and the interpreter would
    be replaced)."""
    for cls in proxy_types:
        if issubclass(cls, BaseException):
            cls.__new__ = staticmethod(_refuse_js_exception)


def _sever_js_proxies(proxy_types):
    """Drops every reference a Python object holds to a JsProxy made while Pyodide booted (the loaders of
    the `js` and `pyodide_js` modules, a JsException left in sys.last_exc): what stays is held by Pyodide's
    C code only, out of a program's reach. Fails the boot if a JsProxy is still held where it cannot be
    taken out. The scans of the heap run in C (map / compress over gc's lists)."""
    from itertools import compress
    from operator import not_

    kinds = frozenset(proxy_types)
    containers = frozenset((tuple, dict, frozenset)).__contains__
    referents = gc.get_referents(*gc.get_objects())
    kinds_of = list(map(type, referents))
    proxies = []
    if not kinds.isdisjoint(kinds_of):
        proxies = list(compress(referents, map(kinds.__contains__, kinds_of)))
    # gc does not track a tuple (or a dict) of untracked objects, and a JsProxy is one: such a container
    # cannot be emptied here, so a JsProxy found in one fails the boot. (An untracked container holds only
    # untracked objects: no cycles, the loop ends.)
    hidden = False
    while referents:
        found = list(compress(referents, map(containers, kinds_of)))
        referents = gc.get_referents(*compress(found, map(not_, map(gc.is_tracked, found))))
        kinds_of = list(map(type, referents))
        hidden = hidden or not kinds.isdisjoint(kinds_of)
    del referents, kinds_of, found

    def holders():
        if not proxies:
            return []
        return [h for h in gc.get_referrers(*proxies) if h is not proxies and type(h) is not types.FrameType]

    for holder in holders():
        if isinstance(holder, list):
            holder[:] = [item for item in holder if type(item) not in kinds]
            continue
        attributes = holder if isinstance(holder, dict) else getattr(holder, "__dict__", None)
        if isinstance(attributes, dict):
            for key, value in list(attributes.items()):
                if type(key) in kinds or type(value) in kinds:
                    del attributes[key]
    kept = [type(h).__name__ for h in holders()] + (["an untracked container"] if hidden else [])
    if kept:
        raise RuntimeError(f"a JsProxy is still reachable from Python objects: {kept[:10]}")


def _refuse_object_graph(name):
    def refuse(*args, **kwargs):
        raise RuntimeError(f"gc.{name} is not available in the sandbox")

    refuse.__name__ = refuse.__qualname__ = name
    return refuse


def _unpatch_stdlib():
    """Undoes Pyodide's patches that lead back into the FFI: time.sleep and asyncio.run wrappers, its
    JavaScript event loop (no JS event loop runs during a program), json's JsNull, its excepthook. And
    stdout is block-buffered, as for a native process writing to a pipe (4x faster for many prints)."""
    import asyncio
    import json.encoder

    webloop = sys.modules.get("pyodide.webloop")
    if webloop is not None:
        time.sleep = webloop._orig_sleep
        asyncio.run = webloop._orig_run
    asyncio.events._event_loop_policy = None
    asyncio.events._set_running_loop(None)
    json.encoder._JSNULL = object()
    sys.excepthook = sys.__excepthook__
    sys.stdout.reconfigure(line_buffering=False)
    _PYODIDE_MAIN.__dict__.pop("_pyodide_core", None)


def _gradus_harden():
    """Takes the FFI out of reach: not importable (no finder, no way to create a builtin module), not in
    sys.modules, its modules emptied (Pyodide's JavaScript side keeps them alive), and no walking the
    object graph to what is left of it: gc's object-listing functions are gone (their only references
    were gc's module dict, and gc cannot be initialised again). An audit hook would also do, at the
    price of a Python call on every audited event (4x slower id()). The FFI's classes stay listed in
    object.__subclasses__(): JsException cannot be instantiated, and no Python object holds a JsProxy.
    The gate in Pyodide's JavaScript (assets.ts), locked right after this, backs both up."""
    import _imp

    _unpatch_stdlib()
    sys.meta_path[:] = [_BlockedFinder] + [
        f for f in sys.meta_path if not _is_blocked(getattr(f, "__module__", "") or "")
    ]
    for name, module in list(sys.modules.items()):
        if _is_blocked(name):
            del sys.modules[name]
            if isinstance(module, types.ModuleType):
                module.__dict__.clear()
    import warnings

    with warnings.catch_warnings():
        # A warning here would sit in stderr's buffer in the clean image, and open every run's stderr.
        warnings.simplefilter("ignore")
        proxy_types = _js_proxy_types()
        _disarm_ffi_types(proxy_types)
        _sever_js_proxies(proxy_types)
    _imp.create_builtin = _imp.create_dynamic = _refuse_extension
    _imp.exec_builtin = _imp.exec_dynamic = _refuse_exec
    for name in ("get_objects", "get_referrers", "get_referents"):
        setattr(gc, name, _refuse_object_graph(name))
    atexit._clear()


def _print_exception(error):
    """Like the interpreter's own report of an uncaught exception, through sys.excepthook."""
    try:
        sys.excepthook(type(error), error, error.__traceback__)
    except BaseException:
        try:
            os.write(2, f"{type(error).__name__}\n".encode())
        except BaseException:
            pass


_TRACEBACK_ENDS = 50
_NOTE_ENDS = 10


def _shorten(error):
    """Keeps the first and last frames of a very deep traceback (formatting 10,000 frames takes seconds),
    and the first and last of very many notes."""
    entries = []
    tb = error.__traceback__
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    if len(entries) > 2 * _TRACEBACK_ENDS + 1:
        entries[_TRACEBACK_ENDS - 1].tb_next = entries[-_TRACEBACK_ENDS]
        error.add_note(f"[{len(entries) - 2 * _TRACEBACK_ENDS} frames omitted from this traceback]")
    notes = getattr(error, "__notes__", None)
    if isinstance(notes, list) and len(notes) > 2 * _NOTE_ENDS + 1:
        # e.g. json.dumps adds "when serializing list item 0" at every level of a RecursionError.
        notes[_NOTE_ENDS:-_NOTE_ENDS] = [f"[{len(notes) - 2 * _NOTE_ENDS} notes omitted]"]
    return error


def _exit_code(error):
    """SystemExit as the interpreter ends a process: None is 0, an int its low byte, anything else 1."""
    code = error.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(f"{code}\n")
    except BaseException:
        pass
    return 1


def _flush():
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:
            pass


def _gradus_run(code, recursion_limit):
    """Runs one program as __main__; returns ok, exit:<code>, error, memory or compile."""
    sys.setrecursionlimit(recursion_limit)
    main = types.ModuleType("__main__")
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    sys.argv = [_FILENAME]
    linecache.cache[_FILENAME] = (len(code), None, code.splitlines(True), _FILENAME)
    try:
        program = _PRECOMPILED.get(code) or compile(code, _FILENAME, "exec", dont_inherit=True)
    except MemoryError as error:
        _print_exception(error.with_traceback(None))
        return "memory"
    except BaseException as error:
        _print_exception(error.with_traceback(None))
        return "compile"
    try:
        exec(program, main.__dict__)
        outcome = "ok"
    except SystemExit as error:
        outcome = f"exit:{_exit_code(error)}"
    except BaseException as error:
        outcome = "error"
        if isinstance(error, MemoryError):
            # Printing needs memory: let the program's globals go first.
            outcome = "memory"
            main.__dict__.clear()
            gc.collect()
        tb = error.__traceback__
        _print_exception(_shorten(error.with_traceback(tb.tb_next if tb else None)))
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    _flush()
    return outcome


# Programs the host runs often (the test harness), compiled once into the snapshot: _gradus_run takes
# the code object of a program whose text is one of these instead of compiling it again (compiling the
# harness was most of a harness run's cost). Sources the harness compiles itself (the LeetCode prelude)
# are looked up by (filename, text) through the module _gradus_precompiled. A run may change either;
# the reset after it undoes that.
_PRECOMPILED = {}
_PRECOMPILED_SOURCES = {}


def _gradus_precompile(programs, sources):
    for code in programs:
        _PRECOMPILED[code] = compile(code, _FILENAME, "exec", dont_inherit=True)
    for filename, text in sources:
        _PRECOMPILED_SOURCES[(filename, text)] = compile(text, filename, "exec", dont_inherit=True)
    module = types.ModuleType("_gradus_precompiled")
    module.lookup = _PRECOMPILED_SOURCES.get
    sys.modules[module.__name__] = module


_WARMUP = (
    "import sys\nn = int(input())\nprint(sum(map(int, sys.stdin.readline().split())))\n",
    "def f(n):\n    return 1 // n\nf(0)\n",
    "def f(\n",
    "def f(:\n",
    "import atexit\natexit.register(print, 'bye')\nraise SystemExit(3)\n",
    "import sys\nsys.exit('message')\n",
    "def f(n):\n    return f(n + 1)\nf(0)\n",
)


def _gradus_warm():
    """Runs the paths every report takes (tracebacks, syntax errors, exits), so that the modules they
    import lazily are in the snapshot rather than imported again by every run."""
    for code in _WARMUP:
        _gradus_run(code, 200)


def _gradus_collect():
    sys.modules["__main__"] = _PYODIDE_MAIN
    linecache.cache.pop(_FILENAME, None)
    gc.collect()


_PYODIDE_MAIN = sys.modules["__main__"]
_gradus_warm()
_gradus_collect()
