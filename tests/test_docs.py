#!/usr/bin/env python3
"""test_docs.py — the man page and the shell completions cannot drift from the code.

What the code knows is taken from the built binary where it says it
(`uwsgitop --help`: options, arguments, column names; a bad --format: the
formats; --version) and from the tables in the sources where it does not
(screen headers in src/view/columns.cpp, the vassal/node/instance/pane column
tables, the key table in src/tui/keys.cpp; the themes from a bad --theme,
the colour roles from src/settings/theme.cpp). Every check runs both ways: what
the code has is documented, and what the documentation lists exists.

Also checked: the committed man/uwsgitop.1 is what scdoc makes of
man/uwsgitop.1.scd (when scdoc is installed), the completion scripts parse
(bash -n, zsh -n, fish --no-execute, each when installed), and they complete
for real: bash through the completion function with COMP_LINE/COMP_WORDS set
as bash sets them, fish through `complete -C`, zsh through an interactive
shell on a pseudo-terminal (zpty), each bounded by a timeout.

usage: test_docs.py --binary BUILD/src/uwsgitop --source-root SRCDIR
Exit status 0 when every check passed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

FAILURES = []
PASSED = []


def check(name):
    """Decorator: run a check, record its failures (a list of strings)."""
    def wrap(fn):
        def run(*args):
            try:
                problems = fn(*args) or []
            except Exception as exc:  # a crash in a check is a failure of it
                problems = [f"{type(exc).__name__}: {exc}"]
            if problems:
                FAILURES.append(name)
                print(f"FAIL {name}")
                for p in problems:
                    print(f"    {p}")
            else:
                PASSED.append(name)
                print(f"ok   {name}")
        return run
    return wrap


def run(cmd, timeout=60, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **kw)


def diff_sets(what, code, doc, where):
    out = []
    for x in sorted(set(code) - set(doc)):
        out.append(f"{what} {x!r} is in the code but not in {where}")
    for x in sorted(set(doc) - set(code)):
        out.append(f"{what} {x!r} is in {where} but not in the code")
    return out


# --- what the code knows ----------------------------------------------------

class Code:
    def __init__(self, binary, root):
        self.root = root
        self.binary = binary
        help_text = run([binary, "--help"]).stdout
        if not help_text:
            raise SystemExit(f"{binary} --help printed nothing")
        # "  -1, --once   help" / "      --max-size MIB   help"
        self.options = {}   # long -> (short or "", ARG or "")
        for m in re.finditer(r"^  (?:-(\S), |    )--([a-z][a-z0-9-]*)(?: ([A-Z][A-Z:]*))?(?:\s|$)",
                             help_text, re.M):
            self.options[m.group(2)] = (m.group(1) or "", m.group(3) or "")
        m = re.search(r"^Columns: (.*)$", help_text, re.M)
        self.columns = m.group(1).split() if m else []
        bad = run([binary, "--once", "--format", "no-such-format", "-"])
        m = re.search(r"\(valid: ([^)]*)\)", bad.stderr)
        self.formats = m.group(1).split() if m else []
        self.version = run([binary, "--version"]).stdout.split()[-1]
        # The "Actions (...)" block --help ends with, from the action table.
        block = help_text.split("\nActions", 1)[1] if "\nActions" in help_text else ""
        self.actions = re.findall(r"^  ([a-z][a-z-]*)(?::ID)?\s", block, re.M)
        if not self.options or not self.columns or not self.formats:
            raise SystemExit("could not read options/columns/formats from the binary:\n" + help_text)

    def source(self, rel):
        path = os.path.join(self.root, rel)
        if not os.path.exists(path):
            return ""
        with open(path, encoding="utf-8") as f:
            return f.read()

    def table(self, rel, array=None, pattern=r'\{"([a-z_]+)", "([^"]*)", "'):
        """(name, header) rows of a column table literal in a source file."""
        text = self.source(rel)
        if array:
            m = re.search(r"\b" + array + r"\b[^=;]*=\s*\{(.*?)\n\}\};?|\b" + array +
                          r"\b[^=;]*=\s*\{(.*?)\n\};", text, re.S)
            text = (m.group(1) or m.group(2)) if m else ""
        return re.findall(pattern, text)

    def headers(self):
        return dict(re.findall(r'\{ColumnId::\w+, "([a-z_]+)", "([^"]*)"', self.source("src/view/columns.cpp")))

    def column_ids(self):
        return dict(re.findall(r'\{ColumnId::(\w+), "([a-z_]+)"', self.source("src/view/columns.cpp")))

    def keys(self):
        """[(key literal, action, arg, label, help, name)] from src/tui/keys.cpp."""
        return re.findall(r'KeyBinding\{([^,]+), A::(\w+), ([^,]+), "([^"]*)", "([^"]*)"(?:, "([^"]*)")?\}',
                          self.source("src/tui/keys.cpp"))

    def panes(self):
        """{pane name: [(col, HEADER)]} from src/tui/panes.cpp."""
        text = self.source("src/tui/panes.cpp")
        arrays = {}
        for m in re.finditer(r"const std::array (k\w+) = \{(.*?)\n\};", text, re.S):
            arrays[m.group(1)] = re.findall(r'PaneColumn\{"([a-z_]+)", "([^"]*)"', m.group(2))
        out = {}
        for m in re.finditer(r'\{PaneId::\w+, "([a-z_]+)", "[^"]*", (\w+)\(?\)?,', text):
            out[m.group(1)] = arrays.get(m.group(2))   # None: columns documented elsewhere
        return out


# --- the man page source -----------------------------------------------------

class Man:
    def __init__(self, root):
        with open(os.path.join(root, "man", "uwsgitop.1.scd"), encoding="utf-8") as f:
            self.text = f.read()

    def section(self, title, level="#"):
        """Lines of '# TITLE' (or '## Title') up to the next heading of that level or above."""
        lines = self.text.split("\n")
        out, inside = [], False
        for line in lines:
            if re.match(r"#{1,%d} " % len(level), line):
                if inside:
                    break
                inside = line == f"{level} {title}"
                continue
            if inside:
                out.append(line)
        if not inside and not out:
            raise AssertionError(f"man page has no section {level} {title}")
        return out

    @staticmethod
    def terms(lines):
        """Term lines of a definition list: not indented, starting with '*'."""
        return [l for l in lines if l.startswith("*")]

    @staticmethod
    def entries(lines):
        """{term line: indented body text} of a definition list."""
        out, term = {}, None
        for l in lines:
            if l.startswith("*"):
                term = l
                out[term] = ""
            elif term and l.startswith("\t"):
                out[term] += " " + l.strip()
        return out

    def column_entries(self, title):
        """[(name, HEADER, key or None)] from '*name* (HEADER[, key *K*])' terms."""
        out = []
        for t in self.terms(self.section(title, "##")):
            m = re.fullmatch(r"\*([a-z_]+)\* \(([^,]+?)(?:, key \*(.+)\*)?\)", t)
            if not m:
                raise AssertionError(f"column entry not in the form '*name* (HEADER[, key *K*])': {t!r}")
            out.append(m.groups())
        return out


# --- the checks ----------------------------------------------------------------

@check("man: every option, with its short name and argument")
def man_options(code, man):
    doc = {}
    for t in Man.terms(man.section("OPTIONS")):
        m = re.fullmatch(r"(?:\*-(\S)\*, )?\*--([a-z][a-z0-9-]*)\*(?: _([^_]+)_)?", t)
        if not m:
            return [f"option entry not in the form '*-x*, *--name* _ARG_': {t!r}"]
        doc[m.group(2)] = (m.group(1) or "", m.group(3) or "")
    problems = diff_sets("option --", code.options, doc, "the man page OPTIONS")
    for name in set(code.options) & set(doc):
        if code.options[name] != doc[name]:
            problems.append(f"--{name}: code has (short, arg) {code.options[name]}, man page {doc[name]}")
    return problems


@check("man: every worker and core column, its screen header and sort key")
def man_columns(code, man):
    entries = man.column_entries("Worker columns") + man.column_entries("Core columns")
    names = [e[0] for e in entries]
    problems = diff_sets("column", code.columns, names, "the man page COLUMNS")
    if len(names) != len(set(names)):
        problems.append("a column is listed twice in the man page")
    headers = code.headers()
    if not headers:
        problems.append("no column table found in src/view/columns.cpp")
    ids = code.column_ids()
    sort_keys = {}
    for key, action, arg, label, _, _ in code.keys():
        m = re.fullmatch(r"col\(ColumnId::(\w+)\)", arg.strip())
        if action == "SortBy" and m and m.group(1) in ids:
            sort_keys[ids[m.group(1)]] = label
    have_keys = bool(code.source("src/tui/keys.cpp"))
    for name, header, key in entries:
        if name in headers and headers[name] != header:
            problems.append(f"column {name}: screen header is {headers[name]!r}, man page says {header!r}")
        if have_keys and sort_keys.get(name) != key:
            problems.append(f"column {name}: sort key is {sort_keys.get(name)!r}, man page says {key!r}")
    return problems


@check("man: vassal, router node and instance column tables")
def man_aux_columns(code, man):
    problems = []
    for title, rel, array in (("Vassal columns", "src/view/aux_columns.cpp", "kVassal"),
                              ("Router node columns", "src/view/aux_columns.cpp", "kNode"),
                              ("Instance columns", "src/view/fleet_columns.cpp", "kFleet")):
        src = code.table(rel, array)
        doc = [(n, h) for n, h, _ in man.column_entries(title)]
        problems += diff_sets(f"{title[:-8].lower()} column (name, header)", src, doc, f"man '{title}'")
    return problems


@check("man: every pane and its columns")
def man_panes(code, man):
    panes = code.panes()
    if not code.source("src/tui/panes.cpp"):
        return []   # no interactive panes built: nothing to document
    if not panes:
        return ["no pane table found in src/tui/panes.cpp"]
    entries = Man.entries(man.section("PANES"))
    doc = {}
    for term, body in entries.items():
        m = re.fullmatch(r"\*([a-z_]+)\*", term)
        if not m:
            return [f"pane entry not in the form '*name*': {term!r}"]
        doc[m.group(1)] = body
    problems = diff_sets("pane", panes, doc, "the man page PANES")
    for name, cols in panes.items():
        if cols is None or name not in doc:
            continue
        listed = re.findall(r"\*([a-z_]+)\* \(([^)]*)\)", doc[name])
        problems += diff_sets(f"{name} pane column (name, header)", cols, listed, f"the man page's {name} pane")
    return problems


@check("man: every key of the interactive view")
def man_keys(code, man):
    keys = code.keys()
    if not code.source("src/tui/keys.cpp"):
        return []
    if not keys:
        return ["no key table found in src/tui/keys.cpp"]
    code_tokens = set()
    code_names, doc_names = set(), set()
    for _, action, _, label, help_text, name in keys:
        if action != "SortBy" and label:
            code_tokens.update(label.split())
        if action != "SortBy" and name and not re.fullmatch(r"pane-[2-8]", name):
            code_names.add(name)
    doc_tokens = set()
    for t in Man.terms(man.section("KEYS")):
        for tok in re.findall(r"\*([^*]+)\*", t):
            doc_tokens.add(tok)
        doc_names.update(re.findall(r"\b_([a-z0-9-]+)_", t))   # (_quit_), (_pane-1_ to _pane-9_)
    return (diff_sets("key", code_tokens, doc_tokens, "the man page KEYS") +
            diff_sets("action name", code_names, doc_names, "the man page KEYS"))


@check("man: formats, environment, exit status, version")
def man_misc(code, man):
    problems = []
    fmt_doc = [l[3:] for l in man.section("OUTPUT FORMATS") if l.startswith("## ")]
    problems += diff_sets("format", code.formats, fmt_doc, "the man page OUTPUT FORMATS")
    for fmt in code.formats:
        body = "\n".join(man.section(fmt, "##"))
        if "```" not in body:
            problems.append(f"format {fmt}: no example in the man page")
    env = "\n".join(Man.terms(man.section("ENVIRONMENT")))
    for var in ("TERM", "NO_COLOR", "UWSGITOP_ADDRESS", "UWSGITOP_DEMO"):
        if f"*{var}*" not in env:
            problems.append(f"ENVIRONMENT does not list {var}")
    status = Man.terms(man.section("EXIT STATUS"))
    if status != ["*0*", "*1*", "*2*"]:
        problems.append(f"EXIT STATUS lists {status}, expected 0, 1, 2")
    first = man.text.split("\n", 1)[0]
    m = re.fullmatch(r'uwsgitop\(1\) "uwsgitop ([^"]+)" "[^"]*"', first)
    if not m or m.group(1) != code.version:
        problems.append(f"man page header {first!r} does not carry version {code.version}")
    files = "\n".join(man.section("FILES"))
    if "share/uwsgitop/demo.jsonl" not in files:
        problems.append("FILES does not name share/uwsgitop/demo.jsonl")
    return problems


@check("man: committed man/uwsgitop.1 is what scdoc makes of man/uwsgitop.1.scd")
def man_generated(code, man):
    root = code.root
    with open(os.path.join(root, "man", "uwsgitop.1"), encoding="utf-8") as f:
        committed = f.read()
    scdoc = shutil.which("scdoc")
    if not scdoc:
        # without scdoc: at least every option and column is in the page
        missing = [f"--{o}" for o in code.options if f"--{o}" not in committed]
        missing += [c for c in code.columns if f"\\fB{c}\\fR" not in committed]
        return [f"{x} missing from man/uwsgitop.1 (regenerate it)" for x in missing]
    with open(os.path.join(root, "man", "uwsgitop.1.scd"), "rb") as f:
        made = subprocess.run([scdoc], stdin=f, capture_output=True, timeout=60,
                              env=dict(os.environ, SOURCE_DATE_EPOCH="0"))
    if made.returncode != 0:
        return [f"scdoc failed: {made.stderr.decode(errors='replace').strip()}"]
    date = re.compile(r'^(\.TH "[^"]*" "[^"]*") "[^"]*"', re.M)
    if date.sub(r'\1 "DATE"', made.stdout.decode()) != date.sub(r'\1 "DATE"', committed):
        return ["man/uwsgitop.1 is out of date: regenerate it with "
                "`scdoc < man/uwsgitop.1.scd > man/uwsgitop.1` (or copy BUILD/man/uwsgitop.1)"]
    return []


# --- completions: content ------------------------------------------------------

def read(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


@check("completions: bash lists every option, column and format")
def bash_lists(code, _man):
    text = read(code.root, "completions/uwsgitop.bash")
    def var(name):
        m = re.search(name + r"='([^']*)'", text)
        return m.group(1).split() if m else []
    problems = diff_sets("option", ["--" + o for o in code.options], var("_uwsgitop_options"), "bash")
    problems += diff_sets("short option", ["-" + s for s, _ in code.options.values() if s],
                          var("_uwsgitop_short_options"), "bash")
    problems += diff_sets("column", code.columns, var("_uwsgitop_columns"), "bash")
    problems += diff_sets("format", code.formats, var("_uwsgitop_formats"), "bash")
    return problems


@check("completions: zsh lists every option, column and format")
def zsh_lists(code, _man):
    text = read(code.root, "completions/_uwsgitop")
    m = re.search(r"_arguments(.*?)\n\}", text, re.S)
    spec = re.sub(r"\[[^]]*\]", "", m.group(1)) if m else ""   # drop the [descriptions]
    longs = set(re.findall(r"--([a-z][a-z0-9-]*)", spec))
    shorts = set(re.findall(r"\{-(\S)\+?,--", text))
    problems = diff_sets("option", code.options, longs, "zsh")
    problems += diff_sets("short option", [s for s, _ in code.options.values() if s], shorts, "zsh")
    problems += diff_sets("column", code.columns, re.findall(r"^\s+'([a-z_]+):", text, re.M), "zsh")
    m = re.search(r":format:\(([^)]*)\)", text)
    problems += diff_sets("format", code.formats, m.group(1).split() if m else [], "zsh")
    return problems


@check("completions: fish lists every option, column and format")
def fish_lists(code, _man):
    text = read(code.root, "completions/uwsgitop.fish")
    longs = re.findall(r"^complete -c uwsgitop .*?-l (\S+)", text, re.M)
    shorts = re.findall(r"^complete -c uwsgitop .*?-s (\S) ", text, re.M)
    problems = diff_sets("option", code.options, longs, "fish")
    problems += diff_sets("short option", [s for s, _ in code.options.values() if s], shorts, "fish")
    m = re.search(r"set -l __uwsgitop_columns ((?:.|\\\n)*?)\n\n", text)
    cols = m.group(1).replace("\\\n", " ").split() if m else []
    problems += diff_sets("column", code.columns, cols, "fish")
    m = re.search(r"-l format -x -a '([^']*)'", text)
    problems += diff_sets("format", code.formats, m.group(1).split() if m else [], "fish")
    return problems


@check("actions: every action of --help in the man page, README and the three completions")
def action_names(code, man):
    problems = [] if code.actions else ["--help lists no actions"]
    section = "\n".join(man.section("ACTIONS"))
    problems += diff_sets("action", code.actions, [a for a in code.actions if f"*{a}*" in section], "the man page ACTIONS")
    readme = code.source("README.md")
    problems += diff_sets("action", code.actions, [a for a in code.actions if f"`{a}`" in readme], "README")
    bash = re.search(r'--action\)\s*COMPREPLY=\(\$\(compgen -W "([^"]*)"', read(code.root, "completions/uwsgitop.bash"))
    problems += diff_sets("action", code.actions, bash.group(1).split() if bash else [], "bash")
    zsh = re.search(r"--action=\[[^]]*\]:action:\(([^)]*)\)", read(code.root, "completions/_uwsgitop"))
    problems += diff_sets("action", code.actions, zsh.group(1).split() if zsh else [], "zsh")
    fish = re.search(r"-l action -x -a '([^']*)'", read(code.root, "completions/uwsgitop.fish"))
    problems += diff_sets("action", code.actions, fish.group(1).split() if fish else [], "fish")
    return problems


@check("themes: every theme and colour role in the man page, README and the three completions")
def theme_names(code, man):
    bad = run([code.binary, "--theme", "no-such-theme", "--show-config"])
    m = re.search(r"unknown theme .*\(valid: ([^)]*)\)", bad.stderr)
    themes = m.group(1).split() if m else []
    roles = re.findall(r'\{R::\w+, "([a-z_]+)", "', code.source("src/settings/theme.cpp"))
    problems = [] if themes and roles else [f"no themes ({bad.stderr!r}) or no roles in src/settings/theme.cpp"]
    doc = []
    section = man.section("THEMES")
    listed = section[section.index("Roles:") + 1:] if "Roles:" in section else []
    for t in Man.terms(listed):
        m = re.fullmatch(r"\*([a-z_]+)\*", t)
        if not m:
            return [f"role entry not in the form '*name*': {t!r}"]
        doc.append(m.group(1))
    problems += diff_sets("colour role", roles, doc, "the man page THEMES")
    theme_text = "\n".join(man.section("THEMES"))
    problems += diff_sets("theme", themes, [t for t in themes if f"_{t}_" in theme_text], "the man page THEMES")
    readme = code.source("README.md").split("### Themes", 1)[-1].split("\n### ", 1)[0]
    problems += diff_sets("colour role", roles, [r for r in roles if f"`{r}`" in readme], "README Themes")
    problems += diff_sets("theme", themes, [t for t in themes if f"`{t}`" in readme], "README Themes")
    bash = re.search(r'--theme\)\s*COMPREPLY=\(\$\(compgen -W "([^"]*)"', read(code.root, "completions/uwsgitop.bash"))
    problems += diff_sets("theme", themes, bash.group(1).split() if bash else [], "bash")
    zsh = re.search(r"--theme=\[[^]]*\]:theme:\(([^)]*)\)", read(code.root, "completions/_uwsgitop"))
    problems += diff_sets("theme", themes, zsh.group(1).split() if zsh else [], "zsh")
    fish = re.search(r"-l theme -x -a '([^']*)'", read(code.root, "completions/uwsgitop.fish"))
    problems += diff_sets("theme", themes, fish.group(1).split() if fish else [], "fish")
    return problems


@check("completions: scripts parse (bash -n, zsh -n, fish --no-execute)")
def syntax(code, _man):
    problems = []
    for shell, args, rel in (("bash", ["-n"], "completions/uwsgitop.bash"),
                             ("zsh", ["-n"], "completions/_uwsgitop"),
                             ("fish", ["--no-execute"], "completions/uwsgitop.fish")):
        exe = shutil.which(shell)
        if not exe:
            print(f"    ({shell} not installed: {rel} not parsed)")
            continue
        r = run([exe] + args + [os.path.join(code.root, rel)])
        if r.returncode != 0:
            problems.append(f"{shell} {' '.join(args)} {rel}: {r.stderr.strip()}")
    return problems


# --- completions: behaviour ----------------------------------------------------

# (command line, words that must be offered, words that must not)
CASES = [
    ("uwsgitop --so", ["--sort"], ["--once"]),
    ("uwsgitop --sort re", ["requests", "respawns", "request_time", "read_errors"], ["pid"]),
    ("uwsgitop --sort -re", ["-requests", "-respawns"], ["requests"]),
    ("uwsgitop -s -re", ["-requests"], []),
    ("uwsgitop --columns id,p", ["id,pid"], ["pid"]),
    ("uwsgitop -c id,pid,r", ["id,pid,rps", "id,pid,requests"], ["id,pid,pid"]),
    ("uwsgitop --format ", ["table", "json", "tsv", "csv", "raw"], []),
    ("uwsgitop -o j", ["json"], ["csv"]),
    ("uwsgitop --replay FIX/pre", ["FIX/prefork-1.json", "FIX/prefork-2.json"], []),
    ("uwsgitop --record FIX/pre", ["FIX/prefork-1.json"], []),
    ("uwsgitop FIX/pre", ["FIX/prefork-1.json"], []),
]

BASH_DRIVER = r'''
source "$1"; line=$2
COMP_LINE=$line; COMP_POINT=${#line}
COMP_WORDBREAKS=$' \t\n"'"'"'><=;|&(:'
# split as bash does: at blanks, and around the word-break characters : and =
words=(); w=
for ((i = 0; i < ${#line}; i++)); do
    c=${line:i:1}
    if [[ $c == ' ' ]]; then [[ -n $w ]] && words+=("$w"); w=
    elif [[ $c == [:=] ]]; then [[ -n $w ]] && words+=("$w"); words+=("$c"); w=
    else w+=$c; fi
done
words+=("$w")
COMP_WORDS=("${words[@]}"); COMP_CWORD=$((${#words[@]} - 1))
_uwsgitop uwsgitop "${words[COMP_CWORD]}" "${words[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
'''


def expand(case, fix):
    line, want, wont = case
    return line.replace("FIX", fix), [w.replace("FIX", fix) for w in want], wont


@check("completions: bash completes options, columns, formats and files")
def bash_behaviour(code, _man):
    fix = os.path.join(code.root, "tests", "fixtures")
    problems = []
    script = os.path.join(code.root, "completions", "uwsgitop.bash")
    r = run(["bash", "-c", f"source {script!r} && complete -p uwsgitop"])
    if "-F _uwsgitop" not in r.stdout:
        problems.append(f"complete -p uwsgitop: {r.stdout.strip() or r.stderr.strip()}")
    for case in CASES + [("uwsgitop file:FIX/pre", ["FIX/prefork-1.json"], []),
                         ("uwsgitop --sort=-re", ["-requests"], ["--sort=-requests"])]:
        line, want, wont = expand(case, fix)
        # bash replaces only the text after the last ':' or '=' break: the
        # replies for "file:PATH" are PATHs
        r = run(["bash", "-c", BASH_DRIVER, "driver", script, line])
        got = r.stdout.split("\n")
        for w in want:
            if w not in got:
                problems.append(f"bash {line!r}: {w!r} not offered (got {got[:8]})")
        for w in wont:
            if w in got:
                problems.append(f"bash {line!r}: {w!r} offered")
    return problems


@check("completions: fish completes options, columns, formats and files")
def fish_behaviour(code, _man):
    fish = shutil.which("fish")
    if not fish:
        print("    (fish not installed: skipped)")
        return []
    fix = os.path.join(code.root, "tests", "fixtures")
    script = os.path.join(code.root, "completions", "uwsgitop.fish")
    problems = []
    for case in CASES + [("uwsgitop file:FIX/pre", ["file:FIX/prefork-1.json"], []),
                         ("uwsgitop --sort=-re", ["--sort=-requests"], [])]:
        line, want, wont = expand(case, fix)
        r = run([fish, "--no-config", "-c", 'source $argv[1]; complete -C $argv[2]', script, line])
        got = [l.split("\t")[0] for l in r.stdout.split("\n")]
        for w in want:
            if w not in got:
                problems.append(f"fish {line!r}: {w!r} not offered (got {got[:8]}) {r.stderr.strip()}")
        for w in wont:
            if w in got:
                problems.append(f"fish {line!r}: {w!r} offered")
    return problems


ZSH_DRIVER = r'''
# zsh -f DRIVER COMPDIR LINE EXPECTED...: types LINE and TAB TAB in an
# interactive zsh (no rc files) whose fpath has COMPDIR; prints "ok" as soon
# as every EXPECTED string is on the screen, else the screen after 20 s.
zmodload zsh/zpty || exit 2
compdir=$1 line=$2; shift 2
zpty z zsh -f -i
zpty -w z "PS1='%% '; fpath=(${(q)compdir} \$fpath); autoload -Uz compinit; compinit -u -D; print READY"
out=""
integer deadline=$(( SECONDS + 20 )) sent=0
while (( SECONDS < deadline )); do
  if zpty -r -t z chunk; then out+=$chunk; else sleep 0.05; fi
  if (( !sent )) && [[ $out == *READY* ]]; then
    out=""; sent=1
    zpty -w -n z "$line"$'\t\t'
  fi
  (( sent )) || continue
  ok=1
  for e in "$@"; do [[ $out == *$e* ]] || { ok=0; break; }; done
  if (( ok )); then zpty -d z; print ok; exit 0; fi
done
zpty -d z
print -r -- "${out//$'\e'\[[0-9;?]#[A-Za-z]/}" | tr -d '\r' | tail -c 600
exit 1
'''

ZSH_CASES = [
    ("uwsgitop --so", ["--sort"]),
    ("uwsgitop --sort re", ["request_time", "respawns", "read_errors"]),
    ("uwsgitop --sort -re", ["request_time", "respawns"]),   # zsh lists names after the '-'
    ("uwsgitop --columns id,p", ["id,pid"]),
    ("uwsgitop --format ", ["prometheus", "tsv", "json"]),
    ("uwsgitop --replay FIX/pre", ["prefork-1.json", "prefork-2.json"]),
    ("uwsgitop file:FIX/pre", ["prefork-1.json", "prefork-2.json"]),
]


@check("completions: zsh completes options, columns, formats and files")
def zsh_behaviour(code, _man):
    zsh = shutil.which("zsh")
    if not zsh:
        print("    (zsh not installed: skipped)")
        return []
    fix = os.path.join(code.root, "tests", "fixtures")
    problems = []
    with tempfile.TemporaryDirectory(prefix="uwsgitop-zsh-") as home:
        for line, want in ZSH_CASES:
            line = line.replace("FIX", fix)
            env = dict(os.environ, HOME=home, ZDOTDIR=home, TERM="xterm", LC_ALL="C.UTF-8")
            try:
                r = run([zsh, "-f", "-c", ZSH_DRIVER, "driver",
                         os.path.join(code.root, "completions"), line] + want, timeout=40, env=env, cwd=home)
            except subprocess.TimeoutExpired:
                problems.append(f"zsh {line!r}: no answer within 40 s")
                continue
            if r.returncode == 2:
                print("    (zsh/zpty not available: skipped)")
                return []
            if r.stdout.strip() != "ok":
                problems.append(f"zsh {line!r}: {want} not all offered; screen: {r.stdout.strip()!r}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source-root", required=True)
    args = ap.parse_args()
    code = Code(args.binary, os.path.abspath(args.source_root))
    man = Man(code.root)
    for fn in (man_options, man_columns, man_aux_columns, man_panes, man_keys, man_misc,
               man_generated, bash_lists, zsh_lists, fish_lists, action_names, theme_names, syntax,
               bash_behaviour, fish_behaviour, zsh_behaviour):
        fn(code, man)
    print(f"{len(PASSED)} passed, {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
