#!/usr/bin/python3
"""A stand-in for qemu-system-x86_64 used by the runner tests (never boots anything).

The file given to -kernel is a JSON "image": {"fixture": <path of a log to print>,
"exit": <exit status>, "sleep": <seconds to hang after printing>,
"stderr": <text for stderr>, "pidfile": <where to write its pid>, "by_append": {word:
<fixture path>}, "model": {"drop": <a TSC value to write no record for>, "refuse": <the
plugin's refusal>, "l1d_bump": <more L1D (so L2, L3) misses in every sample's
window>}}: with by_append, the fixture of the first word found in -append (the Linux
guest's pti=on / pti=off). The printed text is the fixture, with the BEGIN line's
clock= replaced by the clock= found in -append.

With `-plugin <so>,records=<file>` it also plays the cache/TLB model plugin: it writes
a record file (bench/model/record_file.h, format 2) with a record at both ends of every
window the printed log names (each sample's STAMP and STAMP + value + overhead, each
overhead window), whose counts are make_fixtures.model_counts for the window's case;
and the plugin's totals line on stderr. "refuse" prints the refusal instead and exits
1 with no guest output, as QEMU does when a plugin refuses to load.
"""
import json
import os
import re
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import LATENCY, model_counts  # noqa: E402

FIELDS = ["tsc", "pc", "kind", "insns", "cycles", "l1i_misses", "l1d_misses",
          "l2_misses", "l3_misses", "itlb_misses", "dtlb_misses", "serializing"]
# the plugin's defaults, as its record header writes them (bench/model/params.c)
PARAMS = ("l1i_size=32768,l1i_ways=8,l1i_line=64,l1i_miss_latency=8,l1d_size=32768,"
          "l1d_ways=8,l1d_line=64,l1d_miss_latency=8,l2_size=262144,l2_ways=4,l2_line=64,"
          "l2_miss_latency=32,l3_size=8388608,l3_ways=16,l3_line=64,l3_miss_latency=196,"
          "itlb_entries=128,itlb_ways=8,itlb2m_entries=8,itlb2m_ways=0,itlb_miss_latency=20,"
          "dtlb_entries=64,dtlb_ways=4,dtlb2m_entries=32,dtlb2m_ways=4,dtlb_miss_latency=20,"
          "kernel_end=0x40000000,kernel_pages=2m,kernel_global=off,serialize_cost=0,"
          "tsc_offset=-2")


def write_records(text: str, path: str, drop=None, l1d_bump: int = 0) -> int:
    """Records for every window of the log (see above); returns how many."""
    points = {}      # tsc -> counters (a window's start: all zero beyond insns)
    cases = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 3 or parts[0] != "IPCLAB":
            continue
        kind, fields = parts[2], parts[3:]
        if kind == "CASE":
            f = dict(t.split("=", 1) for t in fields)
            cases[f["id"]] = {"f": f, "values": [], "stamps": []}
        elif kind == "DATA":
            cases[fields[0][3:]]["values"] += [int(x) for x in fields[1:]]
        elif kind == "STAMP":        # each start less the previous one's
            st = cases[fields[0][3:]]["stamps"]
            for x in fields[1:]:
                st.append((st[-1] if st else 0) + int(x))
    for c in cases.values():
        f = c["f"]
        cache = f.get("cache", "hot")
        o = int(f["overhead"])
        counts = model_counts(f["bench"], f["space"], int(f["len"]), cache)
        for k in ("l1d_misses", "l2_misses", "l3_misses"):
            counts[k] += l1d_bump
        windows = [(t, v + o, counts) for t, v in zip(c["stamps"], c["values"])]
        if o and int(f.get("overhead_at", 0)):
            windows.append((int(f["overhead_at"]), o, model_counts("stub", "self", 0, cache)))
        for start, length, counts in windows:
            points.setdefault(start, {})
            points[start + length] = dict(counts, length=length)
    out = []
    for tsc in sorted(points):
        if tsc == drop:
            continue
        c = points[tsc]
        # a window's end holds its counts; its start (and any other point) none: every
        # window of these logs is disjoint from the others
        misses = {k: c.get(k, 0) for k in FIELDS[5:]}
        cycles = tsc + 2 + sum(misses[f"{lv}_misses"] * lat for lv, lat in LATENCY.items())
        row = {"tsc": tsc, "pc": 0x401000, "kind": 1, "insns": tsc + 2, "cycles": cycles,
               **misses}
        out.append(struct.pack("<12Q", *(row[k] for k in FIELDS)))
    with open(path, "wb") as fh:
        fh.write(b"IPCLMDL1" + struct.pack("<IIII", 2, 96, 12, len(PARAMS)) +
                 PARAMS.encode() + b"".join(out))
    return len(out)


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
    model = spec.get("model") or {}
    records = None
    if "-plugin" in argv:
        opts = argv[argv.index("-plugin") + 1].split(",")
        records = next((o[len("records="):] for o in opts if o.startswith("records=")), None)
        if model.get("refuse"):
            sys.stderr.write(f"ipclab-model: {model['refuse']}\n")
            return 1
    sys.stdout.write(text)
    sys.stdout.flush()
    if records:
        n = write_records(text, records, model.get("drop"), model.get("l1d_bump", 0))
        sys.stderr.write(f"ipclab-model: insns=1 cycles=1 l1i_misses=0 l1d_misses=0 "
                         f"l2_misses=0 l3_misses=0 itlb_misses=0 dtlb_misses=0 "
                         f"serializing=0 faults=0 records={n}\n")
    if spec.get("stderr"):
        sys.stderr.write(spec["stderr"] + "\n")
    if spec.get("sleep"):
        time.sleep(spec["sleep"])
    return spec.get("exit", 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
