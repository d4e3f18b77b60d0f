#!/usr/bin/python3
"""Write the fixture logs the harness tests read (conftest.py calls write_all() into a
temporary directory at the start of every test session).

The logs are made from the real variant files and axis declaration, so a new axis or a
changed variant needs no fixture edit. The numbers in them are invented test inputs in
the FORMAT.md syntax, not measurements; no test treats them as results of the kernel.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from ipclab.config import load_variant  # noqa: E402

LENS = (0, 1, 2, 4, 8, 16)
V = "IPCLAB 2"


def log_text(name, samples=4, warmup=1, clock="icount", base=300, bump=0):
    """A log as the root task prints it for variant `name` (its real configuration)."""
    variant = load_variant(name)
    transfer = variant.axes["transfer"]
    max_words = 8 if transfer == "regs" else 64
    reg_words = 0 if transfer == "mem" else 8
    out = ["SeaBIOS (fake boot noise)", "ipclab kernel booting (log text, never data)",
           f"{V} BEGIN variant={name} arch=x86_64 clock={clock} build=release "
           f"samples={samples} warmup={warmup} counter=tsc reg_words={reg_words} "
           f"max_words={max_words}",
           f"{V} CONFIG {variant.config_string}"]
    cid = 0
    cases = [("null_syscall", "self", 0, "round", 120), ("counter", "self", 0, "read", 30)]
    skips = []
    for space in ("same", "cross"):
        for n in LENS:
            if n > max_words:
                skips.append(f"{V} SKIP bench=ipc space={space} len={n} "
                             f"reason=over_register_limit")
                continue
            for metric, k in (("call", 1), ("reply", 1), ("round", 2)):
                extra = (200 if space == "cross" else 0) + n * (3 if transfer == "mem" else 1)
                cases.append(("ipc", space, n, metric, k * (base + extra) + bump))
    for bench, space, n, metric, v in cases:
        vals = [v + (i % 2) for i in range(samples)]
        out.append(f"{V} CASE id={cid} bench={bench} space={space} len={n} "
                   f"metric={metric} overhead=25 samples={samples}")
        for i in range(0, samples, 16):
            out.append(f"{V} DATA id={cid} " + " ".join(map(str, vals[i:i + 16])))
        out.append(f"{V} CASE-END id={cid} count={samples} sum={sum(vals)}")
        cid += 1
    out += skips
    # as many CHECK lines as a real boot prints at least (verify.MIN_CHECKS)
    checks = ["call_bad_dest", "recv_bad_src", "send_too_long", "bad_syscall_nr",
              "reply_without_caller"] + [f"misuse_{i:02d}" for i in range(40)]
    for i, c in enumerate(checks):
        out.append(f"{V} CHECK name={c} expect=-{i + 1} got=-{i + 1} result=pass")
    out.append(f"{V} END status=ok cases={len(cases)} checks={len(checks)} failed=0")
    return "\n".join(out) + "\n"


def write_all(HERE: Path) -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    good = log_text("sel4-like")
    regs = log_text("l4-classic")
    (HERE / "good-sel4-like.log").write_text(good)
    (HERE / "good-l4-classic.log").write_text(regs)
    (HERE / "good-sel4-like-slower.log").write_text(
        log_text("sel4-like", bump=7))
    lines = good.splitlines(keepends=True)
    # truncated: the guest stopped printing in the middle of a case (hang or kill)
    cut = next(i for i, l in enumerate(lines) if "CASE id=20 " in l) + 1
    (HERE / "truncated.log").write_text("".join(lines[:cut]))
    # no END: every case printed, END missing
    (HERE / "missing-end.log").write_text("".join(l for l in lines if " END " not in l))
    # panic in the middle
    (HERE / "panic.log").write_text("".join(lines[:cut]) +
                                    f"{V} PANIC reason=page fault in kernel at 0xffffffff80001234\n")
    # malformed: a DATA value that is not a number
    (HERE / "malformed.log").write_text(good.replace(f"{V} DATA id=3 ", f"{V} DATA id=3 12x ", 1))
    # count mismatch: CASE-END announces one value more than printed
    (HERE / "count-mismatch.log").write_text(good.replace("CASE-END id=5 count=4", "CASE-END id=5 count=5", 1))
    # sum mismatch
    s = good.splitlines()
    i = next(k for k, l in enumerate(s) if l.startswith(f"{V} CASE-END id=7 "))
    s[i] = s[i].rsplit("sum=", 1)[0] + "sum=1"
    (HERE / "sum-mismatch.log").write_text("\n".join(s) + "\n")
    # a failed check and END status=fail
    (HERE / "check-fail.log").write_text(
        good.replace("name=send_too_long expect=-3 got=-3 result=pass",
                     "name=send_too_long expect=-3 got=0 result=fail")
            .replace("END status=ok", "END status=fail").replace("failed=0", "failed=1"))
    # CONFIG disagrees with variants/sel4-like.conf
    (HERE / "config-mismatch.log").write_text(good.replace("transfer=vregs", "transfer=mem", 1))
    # a user fault report inside otherwise good output
    (HERE / "fault.log").write_text(good.replace(
        f"{V} END", f"{V} FAULT thread=7 vector=14 rip=0x401000 addr=0x0 reason=page "
        f"fault at null\n{V} END", 1))


if __name__ == "__main__":
    write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("fixtures"))
