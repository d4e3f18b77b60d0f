#!/usr/bin/python3
"""A stand-in for qemu-system-x86_64 used by the runner tests (never boots anything).

The file given to -kernel is a JSON "image": {"fixture": <path of a log to print>,
"exit": <exit status>, "sleep": <seconds to hang after printing>,
"stderr": <text for stderr>, "pidfile": <where to write its pid>, "by_append": {word:
<fixture path>}}: with by_append, the fixture of the first word found in -append (the
Linux guest's pti=on / pti=off). The printed text is the fixture, with the BEGIN line's
clock= replaced by the clock= found in -append.
"""
import json
import os
import re
import sys
import time


def main(argv):
    kernel = argv[argv.index("-kernel") + 1]
    append = argv[argv.index("-append") + 1] if "-append" in argv else ""
    spec = json.load(open(kernel))
    if spec.get("pidfile"):
        with open(spec["pidfile"], "w") as f:
            f.write(str(os.getpid()))
    fixture = spec.get("fixture")
    for word, path in (spec.get("by_append") or {}).items():
        if word in append.split():
            fixture = path
            break
    text = open(fixture).read() if fixture else ""
    m = re.search(r"clock=(\S+)", append)
    if m:
        text = re.sub(r"(IPCLAB \d+ BEGIN .*?)clock=\S+", r"\1clock=" + m.group(1), text)
    sys.stdout.write(text)
    sys.stdout.flush()
    if spec.get("stderr"):
        sys.stderr.write(spec["stderr"] + "\n")
    if spec.get("sleep"):
        time.sleep(spec["sleep"])
    return spec.get("exit", 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
