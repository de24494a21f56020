# record mode, after script_setup.py: the skeleton of the test, the program, and the crossings run and
# recorded. The def line below only makes this file compile on its own (python-harness.ts drops it).
def __gradus_main():
    def skeleton(tree):
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
