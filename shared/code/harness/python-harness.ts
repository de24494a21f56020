/**
 * The Python text that runs a call or script test around a program. It is the same for every run; the
 * host appends one line, `__gradus_main(<spec JSON>)`, and sends the nonce as the first line of stdin.
 *
 * Order of work, so that the program can change nothing the harness relies on:
 * 1. Read the nonce from stdin (the program then finds stdin empty), and capture everything used later
 *    as locals: stdout's `write`/`flush`, builtins, `json`'s string escaper, `operator`'s comparisons,
 *    snapshots of the `builtins` and `math` modules. Decode the spec, compile the program and the test
 *    code (the test code's comparisons rewritten, see below), all before any program code runs.
 * 2. Run the prelude, the preamble and the program in a fresh module `solution` (so `__name__ ==
 *    '__main__'` blocks do not run). Any exception, SystemExit included, fails the test.
 * 3. Restore the snapshots (builtins, math, sys.settrace/setprofile) the program may have patched.
 * 4. call: call the function with the decoded arguments and write its return value as JSON with a strict
 *    encoder of our own (tuples become lists; sets, NaN and objects are refused). The host compares it.
 *    script: run the test code in its own namespace (builtins from the snapshot; program names that
 *    shadow builtins hidden unless they are entry points; the preamble's helpers from the preamble).
 *    Every comparison `a == b` (and <, in, ...) in the test code is rewritten to compare plain copies of
 *    the values (exact int/float/str/list/tuple/dict/set/...), and bare `assert x` / `not x` / `and`,
 *    `or` in asserts test the truth of a plain copy: an object whose `__eq__` or `__bool__` always says
 *    True is refused instead of believed. Snapshots are restored before each comparison.
 * 5. Only then write `\n<nonce>{"ok":true[,"result":...]}\n` with the captured `write`, and flush.
 *    On failure the harness writes a traceback and a one-line summary to stderr and exits with 1.
 *
 * Residual risk, by design accepted: code that walks interpreter frames (sys._getframe, traceback
 * frames, gc) can reach the harness's locals, nonce included. The usual hacks - exit(0) before the
 * asserts, os._exit, an always-equal object, redefining print/sys.stdout/json/AssertionError - fail.
 */
export const PYTHON_HARNESS = String.raw`def __gradus_main(spec_json):
    import sys, builtins, json, operator, types
    import math as math_module
    nonce = sys.stdin.readline().strip()
    write, flush = sys.stdout.write, sys.stdout.flush
    ewrite = sys.stderr.write
    settrace, setprofile, modules = sys.settrace, sys.setprofile, sys.modules
    if hasattr(sys, 'set_int_max_str_digits'):
        sys.set_int_max_str_digits(0)
    esc = json.encoder.encode_basestring_ascii
    _type, _issubclass, _len, _zip, _bool, _callable = type, issubclass, len, zip, bool, callable
    _int, _float, _str, _list, _tuple, _dict = int, float, str, list, tuple, dict
    _set, _frozenset, _complex, _bytes, _range = set, frozenset, complex, bytes, range
    _getattr, _hasattr, _compile, _exec, _repr, _isinstance = getattr, hasattr, compile, exec, repr, isinstance
    _BaseException, _SystemExit, _KeyboardInterrupt, _TypeError = BaseException, SystemExit, KeyboardInterrupt, TypeError
    int_repr, float_repr, int_int, float_float, str_str = int.__repr__, float.__repr__, int.__int__, float.__float__, str.__str__
    dict_items, list_iter, tuple_iter, set_iter, frozenset_iter = dict.items, list.__iter__, tuple.__iter__, set.__iter__, frozenset.__iter__
    OPS = {'==': operator.eq, '!=': operator.ne, '<': operator.lt, '<=': operator.le, '>': operator.gt,
           '>=': operator.ge, 'in': operator.contains, 'not in': operator.contains}
    builtins_dict = builtins.__dict__
    builtins_snapshot = _dict(builtins_dict)
    guarded = ((builtins_dict, builtins_snapshot), (math_module.__dict__, _dict(math_module.__dict__)))
    spec = json.loads(spec_json)
    sources = {}

    def source(name, text):
        sources[name] = text
        return _compile(text, name, 'exec', dont_inherit=True)

    def restore():
        settrace(None)
        setprofile(None)
        for d, snap in guarded:
            for k in [k for k in d if k not in snap]:
                del d[k]
            for k, v in dict_items(snap):
                if d.get(k) is not v:
                    d[k] = v
        modules['builtins'] = builtins
        modules['math'] = math_module

    def refuse(what, v):
        try:
            name = _type(v).__name__
        except _BaseException:
            name = '?'
        raise _TypeError(what + ' of type ' + _str(name) + ' is not a plain value')

    def plain(v, depth=0):
        if depth > 1000:
            raise _TypeError('a value nested more than 1000 deep')
        if v is None or v is True or v is False:
            return v
        t = _type(v)
        d = depth + 1
        if t is _int or t is _float or t is _str or t is _complex or t is _bytes or t is _range or t is _type:
            return v
        if t is _list:
            return [plain(x, d) for x in v]
        if t is _tuple:
            return _tuple([plain(x, d) for x in v])
        if t is _dict:
            return {plain(k, d): plain(x, d) for k, x in dict_items(v)}
        if t is _set:
            return {plain(x, d) for x in v}
        if t is _frozenset:
            return _frozenset([plain(x, d) for x in v])
        if _issubclass(t, _int):
            return int_int(v)
        if _issubclass(t, _float):
            return float_float(v)
        if _issubclass(t, _str):
            return str_str(v)
        if _issubclass(t, _dict):
            return {plain(k, d): plain(x, d) for k, x in dict_items(v)}
        if _issubclass(t, _list):
            return [plain(x, d) for x in list_iter(v)]
        if _issubclass(t, _tuple):
            return _tuple([plain(x, d) for x in tuple_iter(v)])
        if _issubclass(t, _set):
            return {plain(x, d) for x in set_iter(v)}
        if _issubclass(t, _frozenset):
            return _frozenset([plain(x, d) for x in frozenset_iter(v)])
        refuse('a compared value', v)

    def compare(left, ops, rights):
        restore()
        a = left
        for op, b in _zip(ops, rights):
            if op == 'is':
                ok = a is b
            elif op == 'is not':
                ok = a is not b
            elif op == 'in':
                ok = _bool(OPS[op](plain(b), plain(a)))
            elif op == 'not in':
                ok = not OPS[op](plain(b), plain(a))
            else:
                ok = _bool(OPS[op](plain(a), plain(b)))
            if not ok:
                return False
            a = b
        return True

    def truth(v):
        restore()
        return _bool(plain(v))

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
        if k is None:
            return 'null'
        if k is True:
            return 'true'
        if k is False:
            return 'false'
        t = _type(k)
        if _issubclass(t, _str):
            return str_str(k)
        if _issubclass(t, _int):
            return int_repr(k)
        if _issubclass(t, _float):
            return float_repr(k)
        refuse('a dict key', k)

    def rewrite_comparisons(test):
        import ast

        class Rewrite(ast.NodeTransformer):
            def visit_Compare(self, node):
                self.generic_visit(node)
                names = {ast.Eq: '==', ast.NotEq: '!=', ast.Lt: '<', ast.LtE: '<=', ast.Gt: '>', ast.GtE: '>=',
                         ast.Is: 'is', ast.IsNot: 'is not', ast.In: 'in', ast.NotIn: 'not in'}
                ops = ast.Tuple([ast.Constant(names[type(op)]) for op in node.ops], ast.Load())
                call = ast.Call(ast.Name('__gradus_compare__', ast.Load()),
                                [node.left, ops, ast.Tuple(node.comparators, ast.Load())], [])
                return ast.copy_location(call, node)

            def visit_Assert(self, node):
                self.generic_visit(node)
                node.test = self.truthy(node.test)
                return node

            def truthy(self, e):
                if isinstance(e, ast.BoolOp):
                    e.values = [self.truthy(v) for v in e.values]
                    return e
                if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
                    e.operand = self.truthy(e.operand)
                    return e
                if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == '__gradus_compare__':
                    return e
                return ast.copy_location(ast.Call(ast.Name('__gradus_truth__', ast.Load()), [e], []), e)

        tree = ast.fix_missing_locations(Rewrite().visit(ast.parse(test, '<test>')))
        return _compile(tree, '<test>', 'exec', dont_inherit=True)

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

    kind = spec['kind']
    program = spec['program']
    preamble = spec.get('preamble')
    body_only = preamble is not None and program.lstrip('\n')[:1] in (' ', '\t')
    try:
        user_code = source('<solution>', preamble + '\n' + program if body_only else program)
        prelude_code = source('<prelude>', spec['prelude']) if spec.get('prelude') else None
        preamble_code = source('<prompt>', preamble) if preamble is not None else None
        if kind == 'script':
            sources['<test>'] = spec['test']
            test_code = rewrite_comparisons(spec['test'])
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        fail('compiling', e)

    ns = load('solution')
    prompt_ns = None
    try:
        if prelude_code is not None:
            _exec(prelude_code, ns)
        if preamble_code is not None:
            prompt_ns = load('solution_prompt')
            _exec(preamble_code, prompt_ns)
            if not body_only:
                _exec(preamble_code, ns)
        _exec(user_code, ns)
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        fail('loading the program', e)
    restore()

    if kind == 'call':
        fn_name = spec['fn_name']
        class_name = spec.get('class_name')
        try:
            cls = ns.get(class_name or 'Solution')
            if class_name is not None or (_isinstance(cls, _type) and _hasattr(cls, fn_name)):
                if cls is None:
                    raise NameError('the program defines no class ' + class_name)
                target = _getattr(cls(), fn_name)
            else:
                target = ns.get(fn_name)
                if not _callable(target):
                    raise NameError('the program defines no function ' + fn_name)
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
        return

    entry_points = spec['entry_points']
    test_ns = {'__name__': '__main__', '__builtins__': builtins_snapshot}
    for k, v in dict_items(ns):
        if k[:2] == '__':
            continue
        if k in builtins_snapshot and v is not builtins_snapshot[k] and k not in entry_points:
            continue
        test_ns[k] = v
    if prompt_ns is not None:
        for k, v in dict_items(prompt_ns):
            if k[:2] != '__' and k not in entry_points:
                test_ns[k] = v
    test_ns['__gradus_compare__'] = compare
    test_ns['__gradus_truth__'] = truth
    try:
        _exec(test_code, test_ns)
        restore()
    except _KeyboardInterrupt:
        raise
    except _BaseException as e:
        restore()
        fail('the test', e)
    write('\n' + nonce + '{"ok":true}\n')
    flush()
`;
