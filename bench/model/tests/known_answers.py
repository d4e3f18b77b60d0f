#!/usr/bin/python3
"""End-to-end known answers: boots the model's own test guest (guest/known_answers.S)
with the plugin and checks each printed window against what its code is known to do
(cache and TLB misses, CR3 reload, flush marker, faults, an MMIO re-run, serialising
instructions), that every rdtsc record is keyed by the value the guest printed, and
the cycle formula with non-default latencies. Prints "N passed, M failed" last.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from qemu_run import boot  # noqa: E402
from records import KIND_FLUSH_MARKER, KIND_RDTSC, index_by_tsc, read_records, window  # noqa: E402
from smoke_test import Checks  # noqa: E402

LATENCIES = {"l1i_miss_latency": 3, "l1d_miss_latency": 10, "l2_miss_latency": 100,
             "l3_miss_latency": 1000, "itlb_miss_latency": 5, "dtlb_miss_latency": 7,
             "serialize_cost": 50}

# window name -> counts known from the guest's code (its header comment says why)
EXPECTED = {
    "cold_lines": {"l1d_misses": 64, "dtlb_misses": 1},
    "warm_lines": {"l1d_misses": 0, "l2_misses": 0, "l3_misses": 0, "dtlb_misses": 0,
                   "l1i_misses": 0, "itlb_misses": 0},
    "cr3": {"dtlb_misses": 4, "itlb_misses": 1, "l1d_misses": 0, "serializing": 1},
    "fault_mid": {"insns": 8},
    "fault_end": {"insns": 7},
    "mmio": {"insns": 5, "l1d_misses": 0},
    "serialize": {"insns": 4, "serializing": 1},
}

WINDOW_LINE = re.compile(rb"^W (\w+) ([0-9a-f]{8}) ([0-9a-f]{8})$", re.M)
MARKER_LINE = re.compile(rb"^M ([0-9a-f]{8})$", re.M)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--guest", required=True)
    args = parser.parse_args()
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="model_known_") as tmp:
        rec = os.path.join(tmp, "ka.rec")
        # kernel_end=0: this guest's pages are all 4 KiB, none of them the kernel's.
        plugin_args = [f"records={rec}", "kernel_end=0",
                       *(f"{k}={v}" for k, v in LATENCIES.items())]
        run = boot(args.guest, "", args.plugin, plugin_args, timeout=60)
        checks.check(run.status == 1, "test guest ran to its end (exit status 1)",
                     f"status {run.status}, stderr {run.stderr[-300:]}")
        windows = {m[0].decode(): (int(m[1], 16), int(m[2], 16))
                   for m in WINDOW_LINE.findall(run.stdout)}
        checks.check(set(EXPECTED) | {"first"} <= set(windows), "every window printed",
                     run.stdout.decode(errors="replace"))
        header, records = read_records(rec)
        by_tsc = index_by_tsc(records)
        printed = sorted(t for pair in windows.values() for t in pair)
        keys = sorted(r.tsc for r in records if r.kind == KIND_RDTSC)
        checks.check(printed == keys,
                     f"the {len(keys)} rdtsc records are keyed by exactly the values printed",
                     f"printed {printed}, keys {keys}")

        for name, expected in EXPECTED.items():
            if name not in windows or any(t not in by_tsc for t in windows[name]):
                checks.check(False, f"window {name}: records found")
                continue
            before, after = (by_tsc[t] for t in windows[name])
            counts = window(before, after)
            tsc_diff = windows[name][1] - windows[name][0]
            checks.check(counts["insns"] == tsc_diff,
                         f"window {name}: instructions = TSC difference ({tsc_diff})",
                         f"plugin {counts['insns']}")
            for key, value in expected.items():
                got = tsc_diff if key == "insns" else counts[key]
                checks.check(got == value, f"window {name}: {key} = {value}", f"got {got}")
            if name == "cold_lines":
                # after the flush every level is empty: each L1 miss (the 64 data lines
                # and the window's own code lines) misses L2 and L3 too
                l1 = counts["l1d_misses"] + counts["l1i_misses"]
                checks.check(counts["l2_misses"] == l1 and counts["l3_misses"] == l1,
                             f"window {name}: every L1 miss ({l1}) misses L2 and L3",
                             f"l2 {counts['l2_misses']}, l3 {counts['l3_misses']}")
            modelled = (counts["insns"] + sum(
                counts[f"{level}_misses"] * LATENCIES[f"{level}_miss_latency"]
                for level in ("l1i", "l1d", "l2", "l3", "itlb", "dtlb"))
                + counts["serializing"] * LATENCIES["serialize_cost"])
            checks.check(counts["cycles"] == modelled, f"window {name}: cycles follow the formula",
                         f"{counts['cycles']} != {modelled}")

        marker = MARKER_LINE.search(run.stdout)
        flush_records = [r for r in records if r.kind == KIND_FLUSH_MARKER]
        checks.check(marker is not None and len(flush_records) == 1
                     and flush_records[0].pc == int(marker[1], 16),
                     "one flush-marker record, at the marker's address")
        checks.check(all(header.params.get(k) == str(v) for k, v in LATENCIES.items()),
                     "the record header carries the latencies passed")
    print(f"model known answers: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
