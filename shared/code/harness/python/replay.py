# replay mode, after script_setup.py: the record read, and the crossings answered from it (no program
# code runs). The def line below only makes this file compile on its own (python-harness.ts drops it).
def __gradus_main():
    try:
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
