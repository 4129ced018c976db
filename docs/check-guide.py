#!/usr/bin/env python3
"""Keeps docs/guide.md true to the code.

Usage: check-guide.py SOURCE_ROOT

- Every fenced code block must be preceded by a line
  `<!-- from examples/LANG/FILE -->` naming an example that a test builds
  and runs, and its lines must occur consecutively in that file (after
  stripping the block's common indentation and the same from the file).
- In the table whose header starts with `asyncio`, every name written in
  backticks in a language column (C, C++, Lua, Go, Rust) must appear as a
  whole word in that language's public sources (the C headers or the
  binding's files).

Exits 1 with one line per problem.
"""
import glob
import os
import re
import sys

SOURCES = {
    'C': ['capi/include/asyncore.h', 'capi/include/asyncore/*.h'],
    'C++': ['bindings/cpp/include/asyncore.hpp', 'bindings/cpp/include/asyncore/*.hpp'],
    'Lua': ['bindings/lua/asyncore.lua'],
    'Go': ['bindings/go/*.go'],
    'Rust': ['bindings/rust/asyncore/src/*.rs'],
}
# The alias the examples give the library, not a name of the library.
ALIASES = {'C++': {'ac'}, 'Lua': {'ac'}}

# Where the test suite lists the examples it builds and runs, per folder.
RUN_LISTS = {
    'c': 'examples/meson.build',
    'cpp': 'examples/meson.build',
    'python': 'examples/meson.build',
    'lua': 'examples/lua/meson.build',
    'go': 'bindings/go/meson.build',
    'rust': 'examples/rust/tests/expected.rs',
}

FROM = re.compile(r'^<!--\s*from\s+(\S+)\s*-->\s*$')
FENCE = re.compile(r'^(\s*)(```+|~~~+)')
IDENT = re.compile(r'[A-Za-z_][A-Za-z0-9_]*')


def dedent(lines):
    """Strips the indentation common to the non-blank lines."""
    widths = [len(l) - len(l.lstrip()) for l in lines if l.strip()]
    cut = min(widths) if widths else 0
    return [l[cut:] if l.strip() else '' for l in lines]


def contains_run(haystack, needle):
    """True if needle's lines occur consecutively in haystack, both compared
    after removing a common indentation: the block's lines are matched
    against each window of the file, dedented on its own."""
    n = len(needle)
    if n == 0:
        return False
    hay = [l.rstrip() for l in haystack]
    for i in range(len(hay) - n + 1):
        if dedent(hay[i:i + n]) == needle:
            return True
    return False


def run_by_a_test(root, path):
    """The example's name appears in the list its folder's test reads."""
    parts = path.split('/')
    if len(parts) < 3 or parts[0] != 'examples' or parts[1] not in RUN_LISTS:
        return 'is not under examples/{' + ','.join(sorted(RUN_LISTS)) + '}/'
    lang = parts[1]
    # examples/go/NAME/main.go, examples/rust/src/bin/NAME.rs, examples/LANG/NAME.ext
    name = parts[2] if lang == 'go' else os.path.splitext(parts[-1])[0]
    listing = os.path.join(root, RUN_LISTS[lang])
    with open(listing, encoding='utf-8') as f:
        text = f.read()
    pattern = r'\b' + re.escape(name) + r'\b' if lang == 'rust' else r"'" + re.escape(name) + r"'"
    if not re.search(pattern, text):
        return 'is not run by a test (%s does not list %r)' % (RUN_LISTS[lang], name)
    return None


def check_snippets(root, lines, errors):
    i = 0
    source = None
    source_line = 0
    while i < len(lines):
        m = FROM.match(lines[i])
        if m:
            source, source_line = m.group(1), i + 1
            i += 1
            continue
        f = FENCE.match(lines[i])
        if not f:
            if lines[i].strip():
                source = None
            i += 1
            continue
        start = i + 1
        fence = f.group(2)
        j = start
        while j < len(lines) and not lines[j].lstrip().startswith(fence):
            j += 1
        if j == len(lines):
            errors.append('guide.md:%d: unclosed code block' % start)
            return
        block = dedent([l.rstrip() for l in lines[start:j]])
        where = 'guide.md:%d' % start
        if source is None or source_line != i:
            errors.append('%s: code block without `<!-- from examples/... -->` on the line before it' % where)
        else:
            path = os.path.join(root, source)
            if not os.path.isfile(path):
                errors.append('%s: %s does not exist' % (where, source))
            else:
                problem = run_by_a_test(root, source)
                if problem:
                    errors.append('%s: %s %s' % (where, source, problem))
                with open(path, encoding='utf-8') as f:
                    text = f.read().splitlines()
                if not contains_run(text, block):
                    errors.append('%s: the block is not a run of consecutive lines of %s'
                                  % (where, source))
        source = None
        i = j + 1


def split_row(line):
    cells = line.strip()
    if cells.startswith('|'):
        cells = cells[1:]
    if cells.endswith('|'):
        cells = cells[:-1]
    # A `|` inside backticks (as in `a || b`) does not split the row.
    out, cur, code = [], '', False
    for ch in cells:
        if ch == '`':
            code = not code
        if ch == '|' and not code:
            out.append(cur.strip())
            cur = ''
        else:
            cur += ch
    out.append(cur.strip())
    return out


def load_words(root, lang):
    words = set()
    files = []
    for pattern in SOURCES[lang]:
        files += [p for p in glob.glob(os.path.join(root, pattern)) if not p.endswith('_test.go')]
    for p in files:
        with open(p, encoding='utf-8') as f:
            words.update(IDENT.findall(f.read()))
    if not files:
        raise SystemExit('check-guide: no sources for %s (%s)' % (lang, ', '.join(SOURCES[lang])))
    return words


def check_table(root, lines, errors):
    header_at = None
    for n, line in enumerate(lines):
        if line.lstrip().startswith('|') and split_row(line)[0].strip('`* ').lower() == 'asyncio':
            header_at = n
            break
    if header_at is None:
        errors.append('guide.md: no table whose first column is `asyncio`')
        return
    header = split_row(lines[header_at])
    columns = {k: header.index(k) for k in SOURCES if k in header}
    missing = sorted(set(SOURCES) - set(columns))
    if missing:
        errors.append('guide.md:%d: the table has no column for %s' % (header_at + 1, ', '.join(missing)))
    words = {lang: load_words(root, lang) for lang in columns}
    rows = 0
    for n in range(header_at + 2, len(lines)):
        if not lines[n].lstrip().startswith('|'):
            break
        rows += 1
        cells = split_row(lines[n])
        for lang, col in columns.items():
            if col >= len(cells):
                errors.append('guide.md:%d: the row has no %s cell' % (n + 1, lang))
                continue
            for name in re.findall(r'`([^`]+)`', cells[col]):
                for ident in IDENT.findall(name):
                    if ident in ALIASES.get(lang, ()) or ident in words[lang]:
                        continue
                    errors.append('guide.md:%d: %s name `%s`: %r is not in %s'
                                  % (n + 1, lang, name, ident, ', '.join(SOURCES[lang])))
    if rows == 0:
        errors.append('guide.md:%d: the table has no rows' % (header_at + 1))


def main():
    if len(sys.argv) != 2:
        raise SystemExit('usage: check-guide.py SOURCE_ROOT')
    root = sys.argv[1]
    with open(os.path.join(root, 'docs/guide.md'), encoding='utf-8') as f:
        lines = f.read().splitlines()
    errors = []
    check_table(root, lines, errors)
    check_snippets(root, lines, errors)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print('docs/guide.md: %d problem(s)' % len(errors), file=sys.stderr)
        return 1
    print('docs/guide.md: the table names real APIs and every snippet is an excerpt of a tested example')
    return 0


if __name__ == '__main__':
    sys.exit(main())
