#!/usr/bin/env python3
"""Rewrites the codes sections of docs/template.md and docs/roster.1 from what
`roster explain` prints, so that the page, the man page and the binary say the
same thing (tests/unit/util/error_code_test.cc checks it).
Usage: scripts/gen-code-docs.py [ROSTER_BINARY]"""
import os
import re
import subprocess
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build", "release", "roster")

CLASSES = [  # the heading of each class, as `roster explain` names it
    ("the file is refused, exit 3", "Refusing the file (exit 3)"),
    ("the run is refused, exit 4", "Refusing the run (exit 4)"),
    ("the row is rejected", "Rejecting the row"),
    ("a warning; the row is applied", "Warnings (the row is applied)"),
]


def explain(code):
    out = subprocess.run([binary, "explain", code], check=True, capture_output=True, text=True).stdout
    head, meaning, fix = out.rstrip("\n").split("\n")
    cls = re.match(r"\S+ \((.*)\)$", head).group(1)
    return cls, meaning.strip(), fix.strip().removeprefix("What to do: ")


def codes():
    listing = subprocess.run([binary, "explain"], check=True, capture_output=True, text=True).stdout
    return [line.split()[0] for line in listing.splitlines() if line.strip()]


def markdown(entries):
    out = []
    for cls, heading in CLASSES:
        out += ["", f"### {heading}", "", "| Code | What it means | What to do |", "|---|---|---|"]
        out += [f"| `{c}` | {m} | {f} |" for c, (k, m, f) in entries if k == cls]
    return "\n".join(out) + "\n"


def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"`([^`]*)`", r"\\fB\1\\fR", text)


def man(entries):
    out = []
    for code, (cls, meaning, fix) in entries:
        out += [".TP", f".B {code}", f"({roff(cls)}) {roff(meaning)} What to do: {roff(fix)}"]
    return "\n".join(out) + "\n"


def replace_between(path, start, end, body):
    text = open(path, encoding="utf-8").read()
    i = text.index(start) + len(start)
    j = text.index(end, i)
    open(path, "w", encoding="utf-8").write(text[:i] + "\n" + body + text[j:])


entries = [(c, explain(c)) for c in codes()]
replace_between(os.path.join(root, "docs", "template.md"),
                "<!-- codes: made by scripts/gen-code-docs.py from `roster explain`; do not edit by hand -->",
                "<!-- end of codes -->", markdown(entries))
replace_between(os.path.join(root, "docs", "roster.1"),
                '.\\" codes: made by scripts/gen-code-docs.py from roster explain; do not edit by hand',
                '.\\" end of codes', man(entries))
