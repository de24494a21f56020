# call mode, after main.py: stdin is the nonce and the spec; one call; its result as strict JSON after the
# nonce. The def line below only makes this file compile on its own (python-harness.ts drops it).
def __gradus_main():
    esc = json.encoder.encode_basestring_ascii
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
