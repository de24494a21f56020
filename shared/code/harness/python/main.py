# The harness's main function, as every mode starts it: reads stdin, captures what is used later (stdout's
# write, builtins and snapshots of the builtins, math and random modules), and the helpers to compile,
# restore, fail and load a module. A mode's harness is this function with its other parts appended to the
# body (python-harness.ts, which also describes the modes); the host calls `__gradus_main()`. Lines
# starting with # at the top of a part are not part of the text that runs.
def __gradus_main():
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
