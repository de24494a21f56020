# record and replay, last: the test in its namespace, then the record line (record) or the marker
# (replay). The def line below only makes this file compile on its own (python-harness.ts drops it).
def __gradus_main():
    test_ns = {'__name__': '__main__', '__builtins__': builtins_snapshot}
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
