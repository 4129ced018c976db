"""scn.py — the scenario language of the randomized differential test:
parsing and printing (README.md describes the language).

A scenario is a list of primitives and a list of tasks; a task is a list of
ops; an op is a list of words, except `group`, whose body is a list of ops.
"""

PRIM_KINDS = ('lock', 'event', 'cond', 'sem', 'bsem', 'queue', 'lifo', 'barrier')


class Op:
    __slots__ = ('words', 'body')

    def __init__(self, words, body=None):
        self.words = list(words)
        self.body = body  # a list of Op for `group`, else None

    @property
    def name(self):
        return self.words[0]

    def text(self):
        return ' '.join(self.words)


class Task:
    __slots__ = ('id', 'parent', 'ops')

    def __init__(self, tid, parent=None, ops=None):
        self.id = tid
        self.parent = parent  # the id of the task whose group runs it
        self.ops = ops if ops is not None else []


class Scenario:
    __slots__ = ('name', 'prims', 'tasks')

    def __init__(self, name, prims=None, tasks=None):
        self.name = name
        self.prims = prims if prims is not None else []  # lists of words
        self.tasks = tasks if tasks is not None else []

    def format(self):
        out = [f'scenario {self.name}']
        out += [' '.join(p) for p in self.prims]
        for t in self.tasks:
            out.append(f'task {t.id}' if t.parent is None else f'child {t.id} of {t.parent}')
            _format_ops(t.ops, '  ', out)
        return '\n'.join(out) + '\n'


def _format_ops(ops, indent, out):
    for op in ops:
        out.append(indent + op.text())
        if op.body is not None:
            _format_ops(op.body, indent + '  ', out)
            out.append(indent + 'end')


def parse_batch(text):
    """Every scenario of a text (each starts with a `scenario NAME` line)."""
    scenarios = []
    task = None
    stack = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split('#', 1)[0].strip()
        if not line:
            continue
        w = line.split()
        if w[0] == 'scenario':
            scenarios.append(Scenario(w[1] if len(w) > 1 else str(len(scenarios))))
            task, stack = None, []
            continue
        if not scenarios:
            scenarios.append(Scenario('0'))
        scn = scenarios[-1]
        if w[0] in PRIM_KINDS:
            scn.prims.append(w)
        elif w[0] == 'task':
            task = Task(int(w[1]))
            scn.tasks.append(task)
            stack = [task.ops]
        elif w[0] == 'child':
            task = Task(int(w[1]), int(w[3]))
            scn.tasks.append(task)
            stack = [task.ops]
        elif task is None:
            raise ValueError(f'line {lineno}: an op outside a task: {raw!r}')
        elif w[0] == 'end':
            if len(stack) < 2:
                raise ValueError(f'line {lineno}: end without group')
            stack.pop()
        elif w[-1] == 'group':  # `group`, or `timeout K group`
            op = Op(w, [])
            stack[-1].append(op)
            stack.append(op.body)
        else:
            stack[-1].append(Op(w))
    return scenarios


def parse(text):
    s = parse_batch(text)
    if len(s) != 1:
        raise ValueError(f'{len(s)} scenarios where one was expected')
    return s[0]
