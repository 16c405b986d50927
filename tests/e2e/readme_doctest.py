#!/usr/bin/env python3
"""Turns README.md's ```sh blocks into one bash script for readme_doctest.sh.

Usage: readme_doctest.py README.md WORKDIR > script.sh

Every command (continuation lines joined) becomes
    { CMD ; } >doc.out 2>doc.err; doc_check LINE EXPECTED $? 'CMD'
run in the current shell, so `export` and `source` carry over as in a
terminal. EXPECTED is 0 unless the command's own comment says `exit N`.
Paths of a reader's machine are mapped into WORKDIR (see readme_doctest.sh).
`<!-- doctest: setup: CMD -->` adds a hidden command before the next block;
`<!-- doctest: skip: WHY -->` leaves the next block out, printing WHY.
"""
import json
import re
import shlex
import sys

if sys.argv[1] == "--man":
    # Man pages: the one "Example:" of each command (cli/docs.cpp writes it
    # as .nf/.RS ... .RE), unescaped from roff, each run on a platform of its
    # own after the setup man_doctest.sh gives it (doc_example LOCATION CMD).
    import glob
    import os
    out = []
    for page in sorted(glob.glob(os.path.join(sys.argv[2], "*.[0-9]"))):
        lines = open(page, encoding="utf-8").read().split("\n")
        for n, line in enumerate(lines):
            if line != "Example:":
                continue
            k = n + 1
            while k < len(lines) and lines[k] != ".RS":
                k += 1
            body = []
            k += 1
            while k < len(lines) and lines[k] != ".RE":
                body.append(lines[k].replace("\\&", "").replace("\\-", "-").replace("\\e", "\\"))
                k += 1
            for off, cmd in enumerate(body):
                loc = "man/%s:%d" % (os.path.basename(page), n + 4 + off)
                out.append("doc_example %s %s" % (shlex.quote(loc), shlex.quote(cmd)))
    print("\n".join(out))
    sys.exit(0)

readme, work = sys.argv[1], sys.argv[2]
MAP = [
    ("https://intranet.example.com", "$SIM_URL"),
    ("/etc/daoctl/", work + "/etc/daoctl/"),
    ("/var/lib/", work + "/var/lib/"),
    ("/tmp/sim", work + "/sim"),
    ("127.0.0.1:8080", "127.0.0.1:0"),
]


def mapped(cmd):
    for a, b in MAP:
        cmd = cmd.replace(a, b)
    return cmd


def comment_of(cmd):
    """The trailing comment of a shell line, found the way bash finds it:
    a `#` that starts a word outside quotes."""
    quote, prev = None, " "
    for pos, ch in enumerate(cmd):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and prev in " \t":
            return cmd[pos + 1:]
        prev = ch
    return ""


def expected_exit(cmd):
    m = re.search(r"\bexit (\d+)\b", comment_of(cmd))
    return int(m.group(1)) if m else 0


out = ["DOC_BLOCKS_RUN=0"]
lines = open(readme, encoding="utf-8").read().split("\n")
i = 0
pending_setup, pending_skip = [], None
while i < len(lines):
    line = lines[i]
    m = re.match(r"\s*<!--\s*doctest:\s*(setup|skip):\s*(.*?)\s*-->\s*$", line)
    if m:
        if m.group(1) == "setup":
            pending_setup.append((i + 1, m.group(2)))
        else:
            pending_skip = m.group(2)
        i += 1
        continue
    if re.match(r"^```json\s*$", line):
        # A JSON example (a summary file, an answer) must at least be JSON.
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        try:
            json.loads("\n".join(lines[i + 1:j]))
            out.append("pass %s" % shlex.quote(f"README.md:{i + 2}: the JSON example parses"))
        except ValueError as e:
            out.append("failed %s %s" % (shlex.quote(f"README.md:{i + 2}: the JSON example parses"),
                                        shlex.quote(str(e))))
        i = j + 1
        continue
    if re.match(r"^```sh\s*$", line):
        start = i + 1
        j = start
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        if j == len(lines):
            sys.exit(f"{readme}:{i + 1}:1: a ```sh block is not closed")
        body = lines[start:j]
        i = j + 1
        if pending_skip is not None:
            out.append("echo %s" % shlex.quote(f"skip - README.md:{start}: block left out: {pending_skip}"))
            pending_skip, pending_setup = None, []
            continue
        cmds = [(n, c, 0) for n, c in pending_setup]
        pending_setup = []
        k = 0
        while k < len(body):
            n = start + k + 1
            cmd = body[k]
            while cmd.rstrip().endswith("\\") and k + 1 < len(body):
                k += 1
                cmd = cmd.rstrip()[:-1] + " " + body[k].strip()
            k += 1
            if not cmd.strip() or cmd.strip().startswith("#"):
                continue
            cmds.append((n, cmd, expected_exit(cmd)))
        for n, cmd, want in cmds:
            shown = cmd.strip()
            out.append("{ %s\n} >\"$E2E_DIR/doc.out\" 2>\"$E2E_DIR/doc.err\" </dev/null; "
                       "doc_check README.md:%d %d $? %s" % (mapped(cmd), n, want, shlex.quote(shown)))
        out.append("DOC_BLOCKS_RUN=$((DOC_BLOCKS_RUN + 1))")
        continue
    i += 1
if pending_skip is not None or pending_setup:
    sys.exit(f"{readme}: a doctest marker is not followed by a ```sh block")
print("\n".join(out))
