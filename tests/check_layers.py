#!/usr/bin/env python3
"""check_layers.py — the stage folders keep their direction.

Each folder src/STAGE/ is one static library; the `stages` table of
src/meson.build names the stages each one links. Those, and what they link
in turn, are the only stages its files (src/STAGE/*, include/uwsgitop/STAGE/*)
may include. Also: only src/tui/ncurses_backend.cpp
includes curses. Exit 0 when both hold; otherwise one line per offending
include, exit 1.

usage: check_layers.py SOURCE_ROOT
"""
import pathlib
import re
import sys

CURSES = re.compile(r'#\s*include\s*[<"](n?cursesw?/)?(n?curses|curses|term|panel|menu|form)\.h[>"]')
INCLUDE = re.compile(r'#\s*include\s*"([^"]+)"')


def stage_deps(root):
    """{stage: set of stages it links directly}, from the `stages` table of
    src/meson.build; cli/ (the executable) reaches every stage."""
    text = (root / "src" / "meson.build").read_text()
    m = re.search(r"^stages = \[(.*?)^\]", text, re.S | re.M)
    if not m:
        return {}
    deps = {}
    for name, below in re.findall(r"\['(\w+)',\s*\[([^\]]*)\]\]", m.group(1)):
        deps[name] = set(re.findall(r"'(\w+)'", below))
    deps["cli"] = set(deps)
    return deps


def closure(deps):
    out = {}
    for s in deps:
        seen, todo = set(), list(deps[s])
        while todo:
            d = todo.pop()
            if d not in seen:
                seen.add(d)
                todo.extend(deps.get(d, ()))
        out[s] = seen
    return out


def included_stage(inc, own):
    parts = inc.split("/")
    if parts[0] == "uwsgitop" and len(parts) >= 3:
        return parts[1]
    if parts[0] == ".." and len(parts) >= 3:
        return parts[1]
    return own  # a private header beside the file


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    deps = stage_deps(root)
    if len(deps) < 5:
        print(f"check_layers: only {len(deps)} stage folders with a meson.build under {root}/src")
        return 1
    allowed = closure(deps)
    problems = []
    files = []
    for stage in deps:
        files += [(stage, p) for p in (root / "src" / stage).glob("*.[ch]pp")]
        files += [(stage, p) for p in (root / "include" / "uwsgitop" / stage).glob("*.hpp")]
    for stage, path in files:
        rel = path.relative_to(root)
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if CURSES.search(line) and str(rel) != "src/tui/ncurses_backend.cpp":
                problems.append(f"{rel}:{n}: includes curses (only src/tui/ncurses_backend.cpp may)")
            m = INCLUDE.search(line)
            if not m:
                continue
            target = included_stage(m.group(1), stage)
            if target == stage or target == "config.h":
                continue
            if target not in deps:
                problems.append(f"{rel}:{n}: includes {m.group(1)}, not a stage folder")
            elif target not in allowed[stage]:
                problems.append(f"{rel}:{n}: {stage} includes {m.group(1)}, but the stages table of "
                                f"src/meson.build does not let {stage} reach {target}")
    for p in problems:
        print(p)
    print(f"check_layers: {len(files)} files in {len(deps)} stages, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
