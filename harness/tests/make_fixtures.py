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


# clock=model fixtures (bench/FORMAT.md, "Under the model"): where the overhead windows
# and each sample's window start, and the counts the fake plugin (fake_qemu.py) gives
# every window. Invented test inputs, not the model's output.
MODEL_OVERHEAD_AT = {"hot": 1_000_000, "cold": 2_000_000}
LATENCY = {"l1i": 8, "l1d": 8, "l2": 32, "l3": 196, "itlb": 20, "dtlb": 20}


def model_stamp(case_id: int, i: int) -> int:
    """Where sample i of a case starts: windows never overlap (a value is < 1000)."""
    return 10_000_000 + case_id * 100_000 + i * 1000


def stamp_lines(case_id: int, samples: int) -> list:
    """The STAMP lines of a case: each start less the previous one's (FORMAT.md)."""
    starts = [model_stamp(case_id, i) for i in range(samples)]
    deltas = [b - a for a, b in zip([0] + starts, starts)]
    return [f"{V} STAMP id={case_id} " + " ".join(map(str, deltas[i:i + 16]))
            for i in range(0, samples, 16)]


def model_counts(bench: str, space: str, length: int, cache: str) -> dict:
    """The misses the fake plugin puts in one window of such a case (instructions and
    cycles follow from the window); the overhead windows use ('stub', 'self', 0, cache)."""
    cold = cache == "cold"
    if bench == "stub":
        c = {"l1i_misses": 0, "l1d_misses": 1 if cold else 0, "itlb_misses": 0,
             "dtlb_misses": 0, "serializing": 0}
    else:
        cross = space == "cross"
        c = {"l1i_misses": 5 if cold else 0, "l1d_misses": (10 + length) if cold else 0,
             "itlb_misses": (2 if cold else 0) + cross, "dtlb_misses": (2 if cold else 0) +
             cross, "serializing": int(cross)}
    c["l2_misses"] = c["l3_misses"] = c["l1i_misses"] + c["l1d_misses"]
    return c


def model_penalty(c: dict) -> int:
    """Modelled cycles beyond the instructions, at the fake's latencies."""
    return sum(c[f"{k}_misses"] * v for k, v in LATENCY.items())


def model_log_text(name, samples=4, warmup=1, base=300):
    """A clock=model log of variant `name`: the hot cases of log_text with STAMP lines and
    overhead_at, and the cold cases (null system call, one-way IPC)."""
    text = log_text(name, samples, warmup, clock="model", base=base)
    out, cid, cold = [], 0, []
    lines = text.splitlines()
    for line in lines:
        if line.startswith(f"{V} CASE "):
            f = dict(t.split("=", 1) for t in line.split()[3:])
            cache = "hot"
            at = MODEL_OVERHEAD_AT[cache] if int(f["overhead"]) else 0
            out.append(f"{line} overhead_at={at}")
            cur = f
            continue
        if line.startswith(f"{V} CASE-END "):
            cid_here = int(cur["id"])
            out += stamp_lines(cid_here, samples)
            out.append(line)
            if (cur["bench"], cur["metric"]) in (("null_syscall", "round"), ("ipc", "call"),
                                                 ("ipc", "reply")):
                cold.append(cur)
            cid = cid_here + 1
            continue
        if line.startswith((f"{V} SKIP ", f"{V} CHECK ")) and cold:
            # the cold cases follow the hot ones
            out += _cold_cases(cold, cid, samples)
            cid += len(cold)
            cold = []
        if line.startswith(f"{V} END "):
            n = int(line.split("cases=")[1].split()[0])
            line = line.replace(f"cases={n}", f"cases={cid}")
        out.append(line)
    return "\n".join(out) + "\n"


def _cold_cases(cases, first_id, samples) -> list:
    out = []
    for k, f in enumerate(cases):
        cid = first_id + k
        vals = [100 + int(f["len"]) + (i % 2) for i in range(samples)]
        out.append(f"{V} CASE id={cid} bench={f['bench']} space={f['space']} len={f['len']} "
                   f"metric={f['metric']} overhead=25 samples={samples} cache=cold "
                   f"overhead_at={MODEL_OVERHEAD_AT['cold']}")
        for i in range(0, samples, 16):
            out.append(f"{V} DATA id={cid} " + " ".join(map(str, vals[i:i + 16])))
        out += stamp_lines(cid, samples)
        out.append(f"{V} CASE-END id={cid} count={samples} sum={sum(vals)}")
    return out


def write_all(HERE: Path) -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    good = log_text("sel4-like")
    regs = log_text("l4-classic")
    (HERE / "good-sel4-like.log").write_text(good)
    (HERE / "good-l4-classic.log").write_text(regs)
    (HERE / "good-sel4-like-slower.log").write_text(
        log_text("sel4-like", bump=7))
    (HERE / "model-sel4-like.log").write_text(model_log_text("sel4-like"))
    (HERE / "model-l4-classic.log").write_text(model_log_text("l4-classic"))
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
