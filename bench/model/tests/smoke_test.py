#!/usr/bin/python3
"""QEMU smoke test of the cache/TLB model plugin on a real ipclab image.

Checks, each of which fails the run:
  1. the plugin does not perturb the guest: its console output and exit status are
     byte-identical with and without the plugin (so icount, hence every TSC, is too);
  2. every record's key is the TSC value the guest read, and between every two
     consecutive rdtsc records the plugin's instruction count equals the TSC difference.
     Ground truth comes from QEMU itself: a third boot logs the CPU state (-d cpu) at
     the instruction after each rdtsc, where RDX:RAX hold the value the guest read;
  3. two runs write byte-identical record files;
  4. a bad plugin argument is refused with a message naming it and the valid ones.
Prints "N passed, M failed" last.
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
from records import KIND_RDTSC, read_records  # noqa: E402

CPU_STATE = re.compile(r"RAX=([0-9a-f]+) .*?RDX=([0-9a-f]+)\n.*?RIP=([0-9a-f]+)", re.S)
RDTSC_SIZE = 2  # 0f 31: under -icount it ends its translation block


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what}" + (f": {detail}" if detail else ""))
        return ok


def tsc_reads_from_log(log: str) -> list[tuple[int, int]]:
    """(value read, address of the instruction after the rdtsc), in execution order.

    QEMU logs the CPU state each time it enters a block, and may enter the block after
    an rdtsc twice: when the -icount budget runs out at its start, it leaves before
    running any instruction and comes back. The second entry repeats the first one's
    registers exactly, while two real reads always differ (the TSC only grows), so
    repeats are dropped."""
    reads = []
    for rax, rdx, rip in CPU_STATE.findall(log):
        read = ((int(rdx, 16) & 0xffffffff) << 32 | (int(rax, 16) & 0xffffffff), int(rip, 16))
        if not reads or reads[-1] != read:
            reads.append(read)
    return reads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    cmdline = f"clock=icount samples={args.samples} warmup={args.warmup}"
    checks = Checks()

    with tempfile.TemporaryDirectory(prefix="model_smoke_") as tmp:
        rec1, rec2, cpu_log = (os.path.join(tmp, n) for n in ("1.rec", "2.rec", "cpu.log"))
        plain = boot(args.image, cmdline)
        checks.check(plain.status == 1 and b"IPCLAB 2 END status=ok" in plain.stdout,
                     "image boots without the plugin (exit status 1, END status=ok)",
                     f"exit status {plain.status}")
        first = boot(args.image, cmdline, args.plugin, [f"records={rec1}"])
        checks.check(first.stdout == plain.stdout and first.status == plain.status,
                     "guest output and exit status identical with the plugin loaded")
        summary = [l for l in first.stderr.splitlines() if l.startswith("ipclab-model: insns=")]
        checks.check(len(summary) == 1 and "ERROR" not in summary[0],
                     "one totals line at exit, no error", first.stderr[-500:])
        second = boot(args.image, cmdline, args.plugin, [f"records={rec2}"])
        checks.check(second.stdout == plain.stdout, "second run: guest output identical")
        checks.check(Path(rec1).read_bytes() == Path(rec2).read_bytes(),
                     "two runs write byte-identical record files")

        header, records = read_records(rec1)
        rdtscs = [r for r in records if r.kind == KIND_RDTSC]
        checks.check(len(rdtscs) > 0, f"records written ({len(rdtscs)} rdtsc)")
        after_rdtsc = sorted({r.pc + RDTSC_SIZE for r in rdtscs})
        dfilter = ",".join(f"{hex(a)}+0x1" for a in after_rdtsc)
        logged = boot(args.image, cmdline,
                      extra=["-d", "cpu,nochain", "-dfilter", dfilter, "-D", cpu_log])
        checks.check(logged.stdout == plain.stdout,
                     "guest output identical with QEMU's CPU-state log on")
        truth = tsc_reads_from_log(Path(cpu_log).read_text(errors="replace"))
        checks.check(len(truth) == len(rdtscs),
                     "QEMU logged one TSC read per rdtsc record",
                     f"{len(truth)} logged, {len(rdtscs)} records")
        misplaced = [i for i, (r, (_, rip)) in enumerate(zip(rdtscs, truth))
                     if rip != r.pc + RDTSC_SIZE]
        checks.check(not misplaced, "records and logged reads are the same rdtscs, in order",
                     f"first mismatch at record {misplaced[:1]}")
        wrong_key = [(i, r.tsc, t) for i, (r, (t, _)) in enumerate(zip(rdtscs, truth)) if r.tsc != t]
        checks.check(not wrong_key,
                     f"every record's tsc is the value the guest read "
                     f"(tsc_offset={header.params.get('tsc_offset')})",
                     f"{len(wrong_key)} differ, first (index, record, guest) {wrong_key[:1]}; "
                     f"offsets seen {sorted({t - r.insns for r, (t, _) in zip(rdtscs, truth)})}")
        bad_pairs = [i for i in range(1, min(len(rdtscs), len(truth)))
                     if rdtscs[i].insns - rdtscs[i - 1].insns != truth[i][0] - truth[i - 1][0]]
        checks.check(not bad_pairs,
                     f"instructions between consecutive rdtscs equal the TSC difference "
                     f"({len(rdtscs) - 1} pairs)", f"{len(bad_pairs)} pairs differ, first {bad_pairs[:3]}")

        refused = boot(args.image, cmdline, args.plugin, ["l1d_wayz=8"], timeout=60)
        # QEMU exits with status 1 when a plugin refuses to load, the same status as a
        # good guest run: the absence of any guest output is what tells them apart.
        checks.check(refused.stdout == b"" and "bad argument 'l1d_wayz=8'" in refused.stderr
                     and "valid arguments: l1i_size=" in refused.stderr,
                     "a bad argument is refused, named, with the valid ones listed",
                     refused.stderr[:300])

    print(f"model smoke test: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
