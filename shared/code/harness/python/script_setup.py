# record and replay, after the stdin part: the names the test reads, the trusted helpers (the LeetCode
# prelude, the prompt), and the values that cross between the test and the program.
# The def line below only makes this file compile on its own (python-harness.ts drops it).
def __gradus_main():
    import ast, hashlib, collections
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
