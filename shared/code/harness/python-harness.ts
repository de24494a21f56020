/**
 * The Python text that runs call and script tests around a program, in three modes (PYTHON_HARNESS at
 * the end). A mode's text is the same for every run; the host appends `__gradus_main()` and sends the
 * rest on stdin (index.ts), so the program text holds no test data (the sandbox registers it in
 * linecache as `<solution>`). The three texts, and the LeetCode prelude, are compiled once into the Python
 * sandbox's memory snapshot (python/precompiled.ts), so a harness run does not compile its ~170-670 lines
 * again (~20 ms each), nor the prelude (~1.5 ms); elsewhere (native CPython) the harness compiles them.
 *
 * call (APPS fn_name, LiveCodeBench functional): stdin is the nonce, then the spec JSON. The harness
 * captures what it uses later (stdout's write, builtins, snapshots of the builtins, math and random
 * modules), runs the LeetCode prelude and the program in a fresh module `solution`, restores the
 * snapshots, calls the function and writes `\n<nonce>{"ok":true,"result":<json>}\n`. The result is
 * written by a strict encoder of its own (tuples become lists; sets, NaN and other objects are refused)
 * and the host compares it with the expected value. A program that walks frames to the nonce can only
 * write a result of its choice, which it could as well return.
 *
 * script (HumanEval check(candidate), MBPP asserts, rllm LeetCode check): two runs, so that the verdict
 * comes from a run with no program code in it.
 *
 * record (stdin: the spec JSON with the program and the test; no nonce). The test is parsed first; each
 *    assert is cut down to the parts that reach into the program (calls, attribute reads, subscripts),
 *    each run on its own with exceptions ignored; what they are compared with and the messages are
 *    dropped, and the test's text and tree are let go before any program code runs (nothing is put in
 *    linecache). The prelude and the prompt run in trusted modules of their own, the program in
 *    `solution`. In the test's namespace every name it reads from the program is a ProgramValue:
 *    calling it, reading or setting an attribute runs the program (the random state kept for the test,
 *    builtins restored after) and records the crossing: the callee's handle and a digest of the
 *    arguments' JSON; the result as JSON (plain data; tuples, sets, dicts, special floats, ListNode as
 *    its list of values and TreeNode in level order tagged; anything else a new handle) or the nearest
 *    builtin exception; the arguments the call changed. The test gets a fresh copy of the result decoded
 *    from its JSON, or a plain builtin exception. The record is the last stdout line,
 *    `gradus-record:{"events":[...]}`. Nothing this run prints is trusted: a program can write any
 *    record, which only chooses what its functions return, as honest code could.
 * replay (stdin: the nonce, the spec JSON without the program, the record line). No program code runs.
 *    The prelude and the prompt run as before; the names the test reads from the program are program
 *    values answered from the record: a crossing is matched by callee and argument digest (in record
 *    order among equal keys), and one the record lacks aborts the test even if the test catches the
 *    exception. The original test runs unchanged; only if it finishes does the harness write
 *    `\n<nonce>{"ok":true}\n`. A program value has no truth value and no order and equals only itself,
 *    so an object that equals everything, or whose difference with anything is 0, fails here.
 *
 * Names the test reads: entry points always come from the program (MBPP's `def sum` included);
 * otherwise the prelude's and the prompt's names win, then builtins and the standard modules the test
 * names without importing them (math, re, ...); only the rest come from the program (MBPP's Node, Pair).
 * Random is seeded with 0 before the test in both runs; string hashes may differ between processes, so
 * set elements and dict entries are sorted in the argument digests.
 *
 * Residual risk: the record run still holds the test's calls and inputs, and whatever expected values
 * live outside asserts (a table of input/output pairs a loop asserts on, an `if ...: raise`), where a
 * program that walks frames or reads the skeleton's code objects can find them and answer from a lookup
 * table; the replay then passes, as it would for a program that returned those values itself. Tuples and
 * sets of plain data, Counter, OrderedDict, deque, complex, bytes and builtin iterators cross as such;
 * other classes' instances (Decimal, namedtuple fields, ...) arrive as program values or plain bases.
 */

/** Every mode: reads stdin, captures what is used later, and the helpers to compile, restore, fail. */
const COMMON = String.raw`def __gradus_main():
    import sys, builtins, json, types
    import random as random_module
    import math as math_module
    text = sys.stdin.read()
    write, flush, ewrite = sys.stdout.write, sys.stdout.flush, sys.stderr.write
    settrace, setprofile, modules = sys.settrace, sys.setprofile, sys.modules
    if hasattr(sys, 'set_int_max_str_digits'):
        sys.set_int_max_str_digits(0)
    loads = json.loads
    _type, _issubclass, _len, _zip, _isinstance, _callable = type, issubclass, len, zip, isinstance, callable
    _int, _float, _str, _list, _tuple, _dict, _set, _frozenset = int, float, str, list, tuple, dict, set, frozenset
    _getattr, _setattr, _hasattr, _compile, _exec, _repr = getattr, setattr, hasattr, compile, exec, repr
    _BaseException, _Exception, _SystemExit, _KeyboardInterrupt = BaseException, Exception, SystemExit, KeyboardInterrupt
    _TypeError, _NameError = TypeError, NameError
    all_, map_ = all, map
    int_repr, float_repr, int_int, float_float, str_str = int.__repr__, float.__repr__, int.__int__, float.__float__, str.__str__
    dict_items, list_iter, tuple_iter = dict.items, list.__iter__, tuple.__iter__
    from operator import is_
    from itertools import repeat
    builtins_snapshot = _dict(builtins.__dict__)
    guarded = tuple((d, snap, _tuple(snap), _tuple(snap.values())) for d, snap in (
        (builtins.__dict__, builtins_snapshot), (math_module.__dict__, _dict(math_module.__dict__)),
        (random_module.__dict__, _dict(random_module.__dict__))))
    guarded_modules = (('builtins', builtins), ('math', math_module), ('random', random_module))
    missing = object()
    sources = {}

    try:
        # The Python sandbox's snapshot holds the code of sources it knows (python/precompiled.ts).
        from _gradus_precompiled import lookup as precompiled
    except ImportError:
        precompiled = None

    def source(name, text):
        sources[name] = text
        code = precompiled((name, text)) if precompiled is not None else None
        return code if code is not None else _compile(text, name, 'exec', dont_inherit=True)

    def restore():
        settrace(None)
        setprofile(None)
        for d, snap, keys, values in guarded:
            # Unchanged (the usual case) is checked in C: as many entries, every one the same object.
            if _len(d) == _len(snap) and all_(map_(is_, map_(d.get, keys, repeat(missing)), values)):
                continue
            for k in [k for k in d if k not in snap]:
                del d[k]
            for k, v in dict_items(snap):
                if d.get(k) is not v:
                    d[k] = v
        for name, module in guarded_modules:
            modules[name] = module

    def type_name(v):
        try:
            return _str(_type(v).__name__)
        except _BaseException:
            return '?'

    def fail(phase, e):
        try:
            import linecache, traceback
            for name, text in dict_items(sources):
                linecache.cache[name] = (_len(text), None, text.splitlines(True), name)
            tb = e.__traceback__
            while tb is not None and tb.tb_frame.f_code.co_filename not in sources:
                tb = tb.tb_next
            ewrite(''.join(traceback.format_exception(_type(e), e, tb)))
            where = ''
            last = None
            while tb is not None:
                if tb.tb_frame.f_code.co_filename in sources:
                    last = tb
                tb = tb.tb_next
            if last is not None:
                name = last.tb_frame.f_code.co_filename
                text_lines = sources[name].splitlines()
                line = text_lines[last.tb_lineno - 1].strip() if 0 < last.tb_lineno <= _len(text_lines) else ''
                where = ' (' + name + ' line ' + _str(last.tb_lineno) + (': ' + line[:160] if line else '') + ')'
            summary = _type(e).__name__
            if _type(e) is _SystemExit:
                summary = 'SystemExit(' + _repr(e.code)[:40] + ')'
            else:
                message = _str(e)
                if message:
                    summary += ': ' + message[:300]
            ewrite('\ngradus: ' + phase + ' failed: ' + summary.replace('\n', ' ') + where + '\n')
        except _BaseException:
            ewrite('\ngradus: ' + phase + ' failed\n')
        raise _SystemExit(1)

    def load(module_name):
        module = types.ModuleType(module_name)
        modules[module_name] = module
        return module.__dict__
`;

/** call: the nonce and the spec on stdin; one call; its result as strict JSON after the nonce. */
const CALL = String.raw`    esc = json.encoder.encode_basestring_ascii
    nonce, _, text = text.partition('\n')
    nonce = nonce.strip()
    spec = loads(text)
    del text

    def refuse(what, v):
        raise _TypeError(what + ' of type ' + type_name(v) + ' is not a plain value')

    def encode(v, depth=0):
        if depth > 1000:
            raise _TypeError('the result is nested more than 1000 deep')
        if v is None:
            return 'null'
        if v is True:
            return 'true'
        if v is False:
            return 'false'
        t = _type(v)
        d = depth + 1
        if _issubclass(t, _int):
            return int_repr(v)
        if _issubclass(t, _float):
            r = float_repr(v)
            if r in ('nan', 'inf', '-inf'):
                raise _TypeError('the result holds ' + r + ', which JSON cannot carry')
            return r
        if _issubclass(t, _str):
            return esc(str_str(v))
        if _issubclass(t, _list):
            return '[' + ','.join([encode(x, d) for x in list_iter(v)]) + ']'
        if _issubclass(t, _tuple):
            return '[' + ','.join([encode(x, d) for x in tuple_iter(v)]) + ']'
        if _issubclass(t, _dict):
            return '{' + ','.join([esc(key(k)) + ':' + encode(x, d) for k, x in dict_items(v)]) + '}'
        refuse('the result', v)

    def key(k):
        if k is None or k is True or k is False:
            return 'null' if k is None else 'true' if k else 'false'
        t = _type(k)
        if _issubclass(t, _str):
            return str_str(k)
        if _issubclass(t, _int):
            return int_repr(k)
        if _issubclass(t, _float):
            return float_repr(k)
        refuse('a dict key', k)

    try:
        user_code = source('<solution>', spec['program'])
        prelude_code = source('<prelude>', spec['prelude']) if spec.get('prelude') else None
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        fail('compiling', e)
    ns = load('solution')
    try:
        if prelude_code is not None:
            _exec(prelude_code, ns)
        _exec(user_code, ns)
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        fail('loading the program', e)
    restore()
    fn_name = spec['fn_name']
    class_name = spec.get('class_name')
    try:
        cls = ns.get(class_name or 'Solution')
        if class_name is not None or (_isinstance(cls, _type) and _hasattr(cls, fn_name)):
            if cls is None:
                raise _NameError('the program defines no class ' + class_name)
            target = _getattr(cls(), fn_name)
        else:
            target = ns.get(fn_name)
            if not _callable(target):
                raise _NameError('the program defines no function ' + fn_name)
        result = target(*spec['args'])
        restore()
        text = encode(result)
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        restore()
        fail('the call', e)
    write('\n' + nonce + '{"ok":true,"result":' + text + '}\n')
    flush()
`;

/** record: stdin is the spec alone (no nonce: nothing in this run is trusted). */
const RECORD_HEAD = String.raw`    spec = loads(text)
    del text
`;

/** replay: the nonce, the spec (no program), the record line. */
const REPLAY_HEAD = String.raw`    nonce, _, text = text.partition('\n')
    text, _, record_json = text.partition('\n')
    spec = loads(text)
    del text
`;

/** record and replay: the names the test reads, the trusted helpers, and the values that cross. */
const SCRIPT = String.raw`    import ast, hashlib, collections
    dumps = json.JSONEncoder(ensure_ascii=True, separators=(',', ':'), allow_nan=False).encode
    sha256 = hashlib.sha256
    rseed, rgetstate, rsetstate = random_module.seed, random_module.getstate, random_module.setstate
    deque, Counter, OrderedDict = collections.deque, collections.Counter, collections.OrderedDict
    _any, _all, _id, _sorted, _iter, _complex, _bytes = any, all, id, sorted, iter, complex, bytes
    _AttributeError, _RecursionError = AttributeError, RecursionError
    set_iter, frozenset_iter = set.__iter__, frozenset.__iter__
    views = {_type({}.keys()): 'dk', _type({}.values()): 'dv', _type({}.items()): 'di'}
    getattribute, object_setattr, mro_of = object.__getattribute__, object.__setattr__, type.__dict__['__mro__'].__get__
    MAX_DEPTH, MAX_ITEMS, HANDLE = 400, 1000000, '_gradus_handle'
    program, preamble = spec.get('program'), spec.get('preamble')
    entry_points = _frozenset(spec['entry_points'])

    class Abort(_BaseException):
        """Ends the test whatever the test code catches (aborted is checked again when it returns)."""

    class BadRecord(_Exception):
        pass

    class Unencodable(_Exception):
        pass

    aborted = []

    def abort(message):
        if not aborted:
            aborted.append(message)
        raise Abort(message)

    # The names the test reads from outside (and the names it binds), from its text: alike in both runs.
    test_text = spec.pop('test')
    try:
        tree = ast.parse(test_text, '<test>')
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        sources['<test>'] = test_text
        fail('compiling', e)
    used, stored, top_bound = _set(), _set(), _set()
    for node in ast.walk(tree):
        if _isinstance(node, ast.Name):
            (used if _isinstance(node.ctx, ast.Load) else stored).add(node.id)
        elif _isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stored.add(node.name)
        elif _isinstance(node, ast.arg):
            stored.add(node.arg)
        elif _isinstance(node, (ast.Import, ast.ImportFrom)):
            stored.update((a.asname or a.name).partition('.')[0] for a in node.names)
    for stmt in tree.body:
        if _isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            top_bound.add(stmt.name)
        elif _isinstance(stmt, (ast.Import, ast.ImportFrom)):
            top_bound.update((a.asname or a.name).partition('.')[0] for a in stmt.names)
        elif _isinstance(stmt, ast.Assign):
            top_bound.update(t.id for t in stmt.targets if _isinstance(t, ast.Name))
    wanted = _sorted(((used - top_bound) | entry_points) - {'__gradus_try__'})

    # The trusted helpers: the LeetCode prelude and the prompt (HumanEval), each in a module of its own.
    try:
        prelude_code = source('<prelude>', spec['prelude']) if spec.get('prelude') else None
        preamble_code = source('<prompt>', preamble) if preamble is not None else None
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        fail('compiling', e)
    trusted = {}
    prelude_ns = None
    try:
        if prelude_code is not None:
            prelude_ns = load('gradus_prelude')
            _exec(prelude_code, prelude_ns)
            trusted.update(prelude_ns)
        if preamble_code is not None:
            prompt_ns = load('solution_prompt')
            _exec(preamble_code, prompt_ns)
            trusted.update(prompt_ns)
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        fail('loading the test helpers', e)
    trusted = {k: v for k, v in dict_items(trusted) if k[:2] != '__' and k not in entry_points}
    list_types = (prelude_ns['ListNode'],) if prelude_ns is not None else ()
    tree_types = (prelude_ns['TreeNode'],) if prelude_ns is not None else ()
    # Standard modules the test names without importing them are the real ones, never program names.
    stdlib_names = _frozenset(['array', 'bisect', 'cmath', 'collections', 'copy', 'datetime', 'decimal',
                               'fractions', 'functools', 'heapq', 'itertools', 'json', 'math', 'operator',
                               'random', 're', 'statistics', 'string', 'struct', 'sys', 'time', 'typing'])

    def exported(name):
        """Whether the test gets the program's value of a name it reads."""
        if name[:2] == '__':
            return False
        if name in entry_points:
            return True
        return name not in trusted and name not in builtins_snapshot and name not in stdlib_names

    # ---- values crossing between the test and the program ------------------------------------------------
    type_names, handles, test_known, test_objects = {}, {}, {}, []

    class ProgramValue:
        """A value of the program that is not plain data (a function, a class, an instance). The test can
        call it and read or set its attributes: each crossing is recorded (record run) or answered from the
        record (replay). It has no truth value and no order, and equals only itself."""
        __slots__ = (HANDLE,)

        def __init__(self, h):
            object_setattr(self, HANDLE, h)

        def __call__(*args, **kwargs):
            return on_call(getattribute(args[0], HANDLE), args[1:], kwargs)

        def __getattr__(self, name):
            if name[:2] == '__' and name[-2:] == '__':
                raise _AttributeError(name)
            return on_get(getattribute(self, HANDLE), name)

        def __setattr__(self, name, value):
            if name[:2] == '__' and name[-2:] == '__':
                raise _TypeError('cannot set ' + name + ' of a program value')
            on_set(getattribute(self, HANDLE), name, value)

        def __delattr__(self, name):
            raise _TypeError('cannot delete attributes of a program value')

        def __bool__(self):
            raise _TypeError(describe(self) + ' is not plain data: it has no truth value here')

        def __eq__(self, other):
            if other is self:
                return True
            raise _TypeError(describe(self) + ' is not plain data: it cannot be compared')

        def __ne__(self, other):
            if other is self:
                return False
            raise _TypeError(describe(self) + ' is not plain data: it cannot be compared')

        def __lt__(self, other):
            raise _TypeError(describe(self) + ' is not plain data: it cannot be ordered')

        __le__ = __gt__ = __ge__ = __lt__
        __hash__ = object.__hash__

        def __repr__(self):
            return '<' + describe(self) + '>'

    def describe(pv):
        return 'a program value of type ' + type_names.get(getattribute(pv, HANDLE), '?')

    def program_value(h):
        pv = handles.get(h)
        if pv is None:
            pv = handles[h] = ProgramValue(h)
        return pv

    def enc(v, other, depth=0):
        """A value as JSON: lists as lists; tuples, sets, dicts (any keys), special floats and the like
        tagged. A value that is not plain data is passed to other (the record run's program side), else
        numbered as the test's own object (a function, an instance of a test class) so that the program
        can hand it back."""
        if v is None or v is True or v is False:
            return v
        t = _type(v)
        if t is _int or t is _str:
            return v
        if t is _float:
            r = float_repr(v)
            return {'f': r} if r in ('nan', 'inf', '-inf') else v
        if depth > MAX_DEPTH:
            raise Unencodable()
        d = depth + 1
        if t is _list:
            return [enc(x, other, d) for x in list_iter(v)]
        if t is _tuple:
            return {'t': [enc(x, other, d) for x in tuple_iter(v)]}
        if t is _dict:
            return {'d': [[enc(k, other, d), enc(x, other, d)] for k, x in dict_items(v)]}
        if t is ProgramValue:
            return {'o': getattribute(v, HANDLE)}
        n = test_known.get(_id(v))
        if n is not None:
            return {'to': n}
        if t is _set or t is _frozenset:
            return {'s' if t is _set else 'fs': [enc(x, other, d) for x in v]}
        if t in list_types or (other is not None and t is program_types.get('ListNode')):
            values, seen, node = [], _set(), v
            while node is not None:
                if _type(node) is not t or _id(node) in seen or _len(values) >= MAX_ITEMS:
                    raise Unencodable()
                seen.add(_id(node))
                values.append(enc(node.val, other, d))
                node = node.next
            return {'ln': values}
        if t in tree_types or (other is not None and t is program_types.get('TreeNode')):
            out, queue, seen, i = [], [v], _set(), 0
            while i < _len(queue):
                node = queue[i]
                i += 1
                if node is None:
                    out.append(None)
                    continue
                if _type(node) is not t or _id(node) in seen or _len(queue) >= MAX_ITEMS:
                    raise Unencodable()
                seen.add(_id(node))
                out.append(enc(node.val, other, d))
                queue.append(node.left)
                queue.append(node.right)
            while out and out[-1] is None:
                out.pop()
            return {'tn': out}
        if t is _complex:
            return {'c': [enc(v.real, other, d), enc(v.imag, other, d)]}
        if t is _bytes:
            return {'b': v.decode('latin-1')}
        if t is deque:
            return {'q': [enc(x, other, d) for x in v]}
        if t in views:
            return {views[t]: [enc(x, other, d) for x in v]}
        if t is Counter or t is OrderedDict:
            return {'ctr' if t is Counter else 'od': [[enc(k, other, d), enc(x, other, d)] for k, x in dict_items(v)]}
        if other is not None:
            e = other(v, t, d)
            if e is not None:
                return e
        if _issubclass(t, _int):
            return int_int(v)
        if _issubclass(t, _float):
            return enc(float_float(v), other, d)
        if _issubclass(t, _str):
            return str_str(v)
        for base, f in ((_list, list_iter), (_tuple, tuple_iter), (_set, set_iter), (_frozenset, frozenset_iter)):
            if _issubclass(t, base):
                return enc(base(f(v)), other, d)
        if _issubclass(t, _dict):
            return enc(_dict(dict_items(v)), other, d)
        if other is not None:
            return {'o': handle_of(v)}
        n = test_known[_id(v)] = _len(test_objects)
        test_objects.append(v)
        return {'to': n}

    def items_of(x):
        if _type(x) is not _list:
            raise BadRecord('a tagged value holds ' + type_name(x) + ', not a list')
        return x

    def pairs_of(x, d):
        out = []
        for pair in items_of(x):
            if _type(pair) is not _list or _len(pair) != 2:
                raise BadRecord('a dict entry is not a [key, value] pair')
            out.append((dec(pair[0], d), dec(pair[1], d)))
        return out

    def dec(e, depth=0):
        """A fresh value from its JSON form: the inverse of enc (handles become program values)."""
        if e is None or e is True or e is False:
            return e
        t = _type(e)
        if t is _int or t is _float or t is _str:
            return e
        if depth > MAX_DEPTH + 2:
            raise BadRecord('a value is nested too deep')
        d = depth + 1
        if t is _list:
            return [dec(x, d) for x in e]
        if t is not _dict or _len(e) != 1:
            raise BadRecord('not a value: ' + type_name(e))
        (tag, x), = dict_items(e)
        if tag == 'd':
            return _dict(pairs_of(x, d))
        if tag == 'ctr' or tag == 'od':
            return Counter(_dict(pairs_of(x, d))) if tag == 'ctr' else OrderedDict(pairs_of(x, d))
        if tag == 'o' and _type(x) is _int and x >= 0:
            return program_value(x)
        if tag == 'to' and _type(x) is _int and 0 <= x < _len(test_objects):
            return test_objects[x]
        if tag == 'f' and x in ('nan', 'inf', '-inf'):
            return _float(x)
        if tag == 'b' and _type(x) is _str:
            return x.encode('latin-1')
        items = [dec(i, d) for i in items_of(x)]
        if tag == 't' or tag == 'i':
            return _tuple(items) if tag == 't' else _iter(items)
        if tag == 's' or tag == 'fs':
            return _set(items) if tag == 's' else _frozenset(items)
        if tag == 'q':
            return deque(items)
        if tag == 'dk' or tag == 'dv' or tag == 'di':
            return (_dict.fromkeys(items).keys() if tag == 'dk' else _dict(enumerate(items)).values() if tag == 'dv'
                    else _dict(items).items())
        if tag == 'ln' and list_types:
            return prelude_ns['list_node'](items)
        if tag == 'tn' and tree_types:
            return prelude_ns['tree_node'](items)
        if tag == 'c' and _len(items) == 2 and not _any(_type(p) not in (_int, _float) for p in items):
            return _complex(items[0], items[1])
        raise BadRecord('not a value: tag ' + _repr(tag)[:20])

    def canon(e):
        """The JSON form with set elements and dict entries sorted: equal arguments get one key whatever
        their iteration order (string hashes differ between processes)."""
        t = _type(e)
        if t is _list:
            return [canon(x) for x in e]
        if t is _dict:
            (tag, x), = dict_items(e)
            if tag in ('s', 'fs', 'd', 'ctr'):
                return {tag: _sorted([canon(i) for i in x], key=dumps)}
            return {tag: canon(x)}
        return e

    def test_enc(v):
        try:
            return enc(v, None)
        except (Unencodable, _RecursionError):
            return {'?': type_name(v)}

    def call_key(h, args, kwargs):
        """A digest of the callee and the arguments' JSON form: the record holds no inputs."""
        text = dumps([h, [canon(test_enc(a)) for a in args], [[k, canon(test_enc(v))] for k, v in dict_items(kwargs)]])
        return sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()[:32]

    def mutable(v):
        t = _type(v)
        return t is _list or t is _dict or t is _set or t in list_types or t in tree_types

    def plain_exception(x):
        """The exception the test sees for a recorded [name, message]: an instance of that builtin class,
        or None for what the test must not catch (SystemExit and the like). StopIteration becomes a
        RuntimeError, as in a generator: it would silently end a map() or a next() loop in the test."""
        if _type(x) is not _list or _len(x) != 2 or _type(x[0]) is not _str or _type(x[1]) is not _str:
            raise BadRecord('an exception is [name, message]')
        if x[0] in ('StopIteration', 'StopAsyncIteration'):
            return RuntimeError('the program raised ' + x[0])
        cls = builtins_snapshot.get(x[0])
        if not (_isinstance(cls, _type) and _issubclass(cls, _Exception)):
            return None
        try:
            return cls(x[1])
        except _BaseException:
            return None

    events = []
`;

/** record: the skeleton of the test, the program, and the crossings run and recorded. */
const RECORD = String.raw`    def skeleton(tree):
        """The record run's test: each assert keeps only the parts that reach into the program (calls,
        attribute reads, subscripts), each run on its own with exceptions ignored; what they are compared
        with (the expected answers) and the assert's message are dropped."""
        wrappers = _frozenset(['abs', 'all', 'any', 'bool', 'dict', 'float', 'frozenset', 'int', 'isinstance',
                               'len', 'list', 'max', 'min', 'repr', 'round', 'set', 'sorted', 'str', 'sum',
                               'tuple', 'type']) - stored - entry_points
        active = (ast.Call, ast.Attribute, ast.Subscript, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)
        binding = (ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)
        no_args = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
                                defaults=[])

        def impure(e):
            return _any(_isinstance(n, active) for n in ast.walk(e))

        def guard(p):
            return ast.Call(ast.Name('__gradus_try__', ast.Load()), [ast.Lambda(no_args, p)], [])

        def pieces(e):
            if e is None or not impure(e):
                return []
            if _isinstance(e, ast.Compare):
                return pieces(e.left) + [p for c in e.comparators for p in pieces(c)]
            if _isinstance(e, ast.BinOp):
                return pieces(e.left) + pieces(e.right)
            if _isinstance(e, (ast.UnaryOp, ast.Starred)):
                return pieces(e.operand if _isinstance(e, ast.UnaryOp) else e.value)
            if _isinstance(e, (ast.Tuple, ast.List, ast.Set)):
                return [p for x in e.elts for p in pieces(x)]
            if _isinstance(e, ast.Dict):
                return [p for k, v in _zip(e.keys, e.values) for p in pieces(k) + pieces(v)]
            if _isinstance(e, ast.JoinedStr):
                return [p for v in e.values for p in pieces(v)]
            if _isinstance(e, ast.FormattedValue):
                return pieces(e.value) + pieces(e.format_spec)
            f = e.func if _isinstance(e, ast.Call) else None
            if (_isinstance(f, ast.Name) and f.id in wrappers) or (
                    _isinstance(f, ast.Attribute) and _isinstance(f.value, ast.Name) and f.value.id == 'math'
                    and 'math' not in stored):
                return [p for a in e.args for p in pieces(a)] + [p for k in e.keywords for p in pieces(k.value)]
            if _isinstance(e, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
                inner = pieces(e.key) + pieces(e.value) if _isinstance(e, ast.DictComp) else pieces(e.elt)
                if not inner and not _any(impure(g) for g in e.generators):
                    return []
                return [ast.ListComp(ast.Tuple([guard(p) for p in inner], ast.Load()), e.generators)]
            return [e]

        class Strip(ast.NodeTransformer):
            def visit_Assert(self, node):
                if _any(_isinstance(n, binding) for n in ast.walk(node.test)):
                    return node
                kept = pieces(node.test)
                if not kept:
                    return ast.copy_location(ast.Pass(), node)
                return ast.copy_location(ast.Expr(ast.Tuple([guard(p) for p in kept], ast.Load())), node)

        return ast.fix_missing_locations(Strip().visit(tree))

    body_only = preamble is not None and program.lstrip('\n')[:1] in (' ', '\t')
    try:
        test_code = _compile(skeleton(tree), '<test>', 'exec', dont_inherit=True)
        user_code = source('<solution>', preamble + '\n' + program if body_only else program)
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        fail('compiling', e)
    # No reference to the test's text or tree (its expected values) is kept once the program can run.
    del test_text, tree
    objects, known, program_types = [], {}, {}
    iterator_types = _frozenset([_type(_iter(x)) for x in ([], (), '', b'', _set(), {}, {}.values(), {}.items(),
                                                          range(0), range(1 << 70))]
                                + [_type(reversed([])), reversed, map, filter, _zip, enumerate, types.GeneratorType])

    def handle_of(obj):
        h = known.get(_id(obj))
        if h is None:
            h = known[_id(obj)] = _len(objects)
            objects.append(obj)
            type_names[h] = type_name(obj)
        return h

    def program_side(v, t, d):
        h = known.get(_id(v))
        if h is not None:
            return {'o': h}
        if t in iterator_types or _getattr(t, '__module__', None) == 'itertools':
            items = []
            for x in v:
                if _len(items) >= MAX_ITEMS:
                    raise Unencodable()
                items.append(enc(x, program_side, d))
            return {'i': items}
        return None

    def unwrap(v, depth=0):
        """The test's value as the program gets it: program values replaced by the real objects (a container
        rebuilt only where it holds one)."""
        t = _type(v)
        if t is ProgramValue:
            return objects[getattribute(v, HANDLE)]
        if depth > MAX_DEPTH or not (t is _list or t is _tuple or t is _set or t is _frozenset or t is _dict):
            return v
        if t is _dict:
            items = [(unwrap(k, depth + 1), unwrap(x, depth + 1)) for k, x in dict_items(v)]
            same = _all(a is k and b is x for (a, b), (k, x) in _zip(items, dict_items(v)))
        else:
            items = [unwrap(x, depth + 1) for x in v]
            same = _all(a is b for a, b in _zip(items, v))
        return v if same else t(items)


    def crossing(event, action):
        """Runs program code for the test: the random state is kept for the test, the builtins restored, the
        result (or the exception) recorded. The test gets a fresh copy of the result decoded from its JSON,
        or a plain builtin exception."""
        state = rgetstate()
        try:
            value = action()
            if 'r' in event:
                try:
                    event['r'] = enc(value, program_side)
                except (Unencodable, _RecursionError):
                    event['r'] = {'o': handle_of(value)}
        except _BaseException as e:
            rsetstate(state)
            restore()
            event.pop('r', None)
            name, message = 'Exception', ''
            try:
                name = next(c.__name__ for c in mro_of(_type(e)) if builtins_snapshot.get(c.__name__) is c)
                message = str_str(_str(e))[:1000]
            except _BaseException:
                pass
            event['x'] = [name, message]
            error = plain_exception(event['x'])
            if error is None:
                raise Abort('the program raised ' + name)
            raise error from None
        rsetstate(state)
        restore()
        return dec(event['r']) if 'r' in event else None

    def on_call(h, args, kwargs):
        event = {'c': h, 'a': call_key(h, args, kwargs), 'r': None}
        events.append(event)
        before = [(i, test_enc(a)) for i, a in enumerate(args) if mutable(a)]
        before += [(k, test_enc(v)) for k, v in dict_items(kwargs) if mutable(v)]
        real_args = [unwrap(a) for a in args]
        real_kwargs = {k: unwrap(v) for k, v in dict_items(kwargs)}
        target = objects[h]
        result = crossing(event, lambda: target(*real_args, **real_kwargs))
        changed = []
        for where, was in before:
            try:
                now = enc(args[where] if _type(where) is _int else kwargs[where], program_side)
            except (Unencodable, _RecursionError):
                continue
            if dumps(now) != dumps(was):
                changed.append([where, now])
        if changed:
            event['m'] = changed
        return result

    def on_get(h, name):
        event = {'g': h, 'n': name, 'r': None}
        events.append(event)
        target = objects[h]
        return crossing(event, lambda: _getattr(target, name))

    def on_set(h, name, value):
        event = {'s': h, 'n': name}
        events.append(event)
        target, real = objects[h], unwrap(value)
        crossing(event, lambda: _setattr(target, name, real))

    def try_(thunk):
        """One kept part of an assert; a lazy iterator it gives (map, filter, a generator) is run through,
        as the dropped all(), list() or sorted() around it would have."""
        try:
            value = thunk()
            t = _type(value)
            if t in iterator_types or _getattr(t, '__module__', None) == 'itertools':
                for _ in _zip(range(MAX_ITEMS), value):
                    pass
        except _Exception:
            pass

    # The program, after the prelude and the prompt, in its own module.
    ns = load('solution')
    try:
        if prelude_code is not None:
            _exec(prelude_code, ns)
        if preamble_code is not None and not body_only:
            _exec(preamble_code, ns)
        _exec(user_code, ns)
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        fail('loading the program', e)
    restore()
    if prelude_code is not None:
        for class_name in ('ListNode', 'TreeNode'):
            if _isinstance(ns.get(class_name), _type):
                program_types[class_name] = ns[class_name]
    definitions = []
    try:
        for name in wanted:
            if exported(name) and name in ns:
                event = {'d': name, 'r': None}
                events.append(event)
                definitions.append((name, crossing(event, lambda: ns[name])))
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        fail('loading the program', e)
    phase = 'the test (record run)'

    def finish():
        write('\ngradus-record:' + dumps({'events': events}) + '\n')
`;

/** replay: the record read, and the crossings answered from it. */
const REPLAY = String.raw`    try:
        test_code = source('<test>', test_text)
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        fail('compiling', e)
    pending, found = {}, {}
    try:
        record = loads(record_json)
        del record_json
        if _type(record) is not _dict or _type(record.get('events')) is not _list:
            raise BadRecord('the record is not {"events": [...]}')
        for ev in record['events']:
            if _type(ev) is not _dict:
                raise BadRecord('an event is not an object')
            if 'd' in ev:
                if _type(ev['d']) is _str and ev['d'] not in found:
                    found[ev['d']] = ev
                continue
            kind = 'c' if 'c' in ev else 'g' if 'g' in ev else 's' if 's' in ev else None
            k = (kind, ev.get(kind), ev.get('a' if kind == 'c' else 'n'))
            if kind is None or _type(k[1]) is not _int or _type(k[2]) is not _str:
                raise BadRecord('an event is a definition, a call or an attribute read or write')
            if k not in pending:
                pending[k] = deque()
            pending[k].append(ev)
        del record
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        fail('reading the record', e)

    def take(k, what):
        queue = pending.get(k)
        if not queue:
            abort('the test ' + what + ' that the record run did not')
        return queue.popleft()

    def outcome(ev):
        if 'x' in ev:
            error = plain_exception(ev['x'])
            if error is None:
                abort('the program raised ' + ev['x'][0][:40])
            raise error
        if 'r' not in ev:
            raise BadRecord('an event has no result')
        return dec(ev['r'])

    def on_call(h, args, kwargs):
        ev = take(('c', h, call_key(h, args, kwargs)), 'made a call (or passed arguments)')
        result = outcome(ev)
        for where, now in items_of(ev.get('m', [])):
            if _type(where) is _int and 0 <= where < _len(args):
                target = args[where]
            elif _type(where) is _str and where in kwargs:
                target = kwargs[where]
            else:
                raise BadRecord('a changed argument the call does not have')
            value = dec(now)
            t = _type(target)
            if _type(value) is not t:
                raise BadRecord('an argument changed into another type')
            if t is _list:
                target[:] = value
            elif t is _dict or t is _set:
                target.clear()
                target.update(value)
            elif t in list_types:
                target.val, target.next = value.val, value.next
            elif t in tree_types:
                target.val, target.left, target.right = value.val, value.left, value.right
        return result

    def on_get(h, name):
        return outcome(take(('g', h, name), 'read an attribute (.' + name[:40] + ')'))

    def on_set(h, name, value):
        ev = take(('s', h, name), 'set an attribute (.' + name[:40] + ')')
        if 'x' in ev:
            outcome(ev)

    def try_(thunk):
        abort('__gradus_try__ belongs to the record run')

    definitions = []
    try:
        for name in wanted:
            if name in found and exported(name):
                definitions.append((name, outcome(found[name])))
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        fail('reading the record', e)
    phase = 'the test'

    def finish():
        write('\n' + nonce + '{"ok":true}\n')
`;

/** record and replay: the test in its namespace, then the record line or the marker. */
const TEST = String.raw`    test_ns = {'__name__': '__main__', '__builtins__': builtins_snapshot}
    test_ns.update(definitions)
    for name in wanted:
        if name in stdlib_names and name not in entry_points and name not in trusted:
            try:
                test_ns[name] = __import__(name)
            except _Exception:
                pass
    test_ns.update(trusted)
    test_ns['__gradus_try__'] = try_
    try:
        rseed(0)
        _exec(test_code, test_ns)
        if aborted:
            raise Abort(aborted[0])
        restore()
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        restore()
        if aborted and _type(e) is not Abort:
            e = Abort(aborted[0])
        fail(phase, e)
    finish()
    flush()
`;

export type HarnessMode = 'call' | 'record' | 'replay';

/**
 * The harness text of each mode: only the parts that mode runs. The host appends `__gradus_main()`; the
 * Python sandbox has these programs precompiled in its snapshot (python/precompiled.ts).
 */
export const PYTHON_HARNESS: Readonly<Record<HarnessMode, string>> = {
  call: COMMON + CALL,
  record: COMMON + RECORD_HEAD + SCRIPT + RECORD + TEST,
  replay: COMMON + REPLAY_HEAD + SCRIPT + REPLAY + TEST,
};
