"""`harness fuzz`: the kernel's system-call fuzzer (bench/guest/fuzz.c) over variants.

Each variant boots once under icount with `mode=fuzz seed=S calls=N check=K` on its
command line: threads in two address spaces of their own make N random system calls
with edge-biased arguments while the root task checks every K calls that a known-good
IPC still echoes every word, that a canary page nobody may write is intact, and at the
end that every frame came back. A variant PASSes when the boot exits cleanly with
`END status=ok`, no PANIC, a FUZZ record that made all N calls, and every CHECK passed.

Under icount the run is a function of the seed and N, so a failure can be shrunk: the
smallest N that still fails is found by bisection (each probe one boot), and that
prefix is booted again with trace=1, which makes each fuzzer print every call before
it makes it ("user <tid>| IPCLAB 2 FUZZ-CALL ..." lines: a user thread's, so never
data, but the trace is there even when the last call panics the kernel). Logs go to
results/fuzz/ (results/fuzz-debug/ for --debug; <arch>/ below them for the ports).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from . import logparse, runner
from .bench import Matrix, check_arch
from .clock import CLOCKS
from .config import REPO

DEFAULT_CALLS = 20_000
DEFAULT_CHECK_EVERY = 1000
TRACE_RE = re.compile(r"^user [0-9a-f]+\| IPCLAB \d+ FUZZ-CALL (.*)$")
CALLS_PER_SECOND_FLOOR = 20_000  # a slow host still makes this many calls a second


def fuzz_timeout(calls: int, base: float) -> float:
    """Long runs get more time: about 100k calls a second are made here."""
    return max(base, calls / CALLS_PER_SECOND_FLOOR)


def guest_args(seed: int, calls: int, check_every: int, trace: bool = False) -> dict:
    return {"mode": "fuzz", "seed": seed, "calls": calls, "check": check_every,
            "trace": int(trace)}


def judge(log: logparse.Log, exit_code, timed_out: bool, timeout: float, variant,
          calls: int) -> list[logparse.Problem]:
    """Everything wrong with one fuzz boot (empty: it passed)."""
    p = logparse.validate(log, exit_code=exit_code, timed_out=timed_out, timeout_s=timeout,
                          variant=variant, clock="icount", require_all_cases=False,
                          min_checks=3)
    if log.fuzz is None:
        if not any(x.kind in ("panic", "timeout", "truncated") for x in p):
            p.append(logparse.Problem("fuzz", "no FUZZ record: the fuzzer did not finish"))
    else:
        f = log.fuzz
        if f["first_bad_call"]:
            p.append(logparse.Problem("fuzz", f"an invariant broke by call "
                                      f"{f['first_bad_call']} (seed {f['seed']})"))
        elif f["calls"] != calls:
            p.append(logparse.Problem("fuzz", f"made {f['calls']} of {calls} calls"))
    return p


@dataclass
class FuzzResult:
    variant: str
    ok: bool
    problems: list
    log_path: Path | None
    fuzz: dict | None
    seconds: float
    shrunk_to: int | None = None
    trace_path: Path | None = None


def _boot(variant, elf, arch, log_path, seed, calls, check_every, timeout, trace=False):
    r = runner.boot(variant.name, elf, CLOCKS["icount"], log_path, arch=arch,
                    timeout=fuzz_timeout(calls, timeout),
                    extra=guest_args(seed, calls, check_every, trace))
    log = logparse.parse(log_path.read_text(errors="replace")) if r.start_error is None \
        else logparse.Log()
    problems = [logparse.Problem("qemu-exit", r.start_error)] if r.start_error else \
        judge(log, r.exit_code, r.timed_out, fuzz_timeout(calls, timeout), variant, calls)
    return r, log, problems


def trace_calls(text: str) -> list[dict]:
    """The FUZZ-CALL lines the fuzzers printed (trace=1), as key -> value."""
    calls = []
    for line in text.splitlines():
        m = TRACE_RE.match(line.rstrip("\r"))
        if m:
            calls.append(dict(t.split("=", 1) for t in m.group(1).split() if "=" in t))
    return calls


def shrink(variant, elf, arch, logdir: Path, seed: int, failing_calls: int,
           check_every: int, timeout: float, progress=print) -> tuple[int, Path]:
    """The smallest number of calls that still fails (bisection), and the log of that
    prefix booted with trace=1."""
    lo, hi = 0, failing_calls                # lo passes (0 calls trivially), hi fails
    probe_log = logdir / f"{variant.name}.shrink.log"
    while hi - lo > 1:
        mid = (lo + hi) // 2
        _, _, problems = _boot(variant, elf, arch, probe_log, seed, mid,
                               min(check_every, max(1, mid)), timeout)
        if problems:
            hi = mid
        else:
            lo = mid
        progress(f"     {variant.name}: {mid} calls {'fail' if problems else 'pass'}")
    trace_log = logdir / f"{variant.name}.trace.log"
    _boot(variant, elf, arch, trace_log, seed, hi, min(check_every, hi), timeout, trace=True)
    return hi, trace_log


def run_fuzz(variants, *, seed: int = 1, calls: int = DEFAULT_CALLS,
             check_every: int = DEFAULT_CHECK_EVERY, arch: str = "x86_64", jobs=None,
             timeout: float = 120.0, build: bool = True, logdir: Path | None = None,
             shrink_failures: bool = True, repo=None, progress=print,
             debug: bool = False) -> list[FuzzResult]:
    """debug: fuzz the debug builds, where the kernel sweeps its object invariants at
    every system call and tick (kernel/core/invariants.c): slower, and much sharper."""
    check_arch(arch)
    repo = Path(repo or REPO)
    if logdir is None:
        logdir = repo / "results" / ("fuzz-debug" if debug else "fuzz")
        if arch != "x86_64":
            logdir = logdir / arch           # as verify keeps its logs apart per arch
    logdir.mkdir(parents=True, exist_ok=True)
    results: list[FuzzResult] = []
    t0 = time.monotonic()
    progress(f"fuzz: {len(variants)} variant(s){' (debug builds)' if debug else ''}, seed "
             f"{seed}, {calls} calls each, invariants every {check_every}, clock=icount")

    m = Matrix(variants, CLOCKS["icount"], arch, None, None, jobs,
               fuzz_timeout(calls, timeout), build, repo, progress, debug=debug)
    m.extra = guest_args(seed, calls, check_every)

    def on_done(v, b, boots):
        if not b.ok:
            p = logdir / f"{v.name}.build"
            p.write_text(b.output)
            results.append(FuzzResult(v.name, False, [logparse.Problem(
                "build-failed", f"build failed, see {p}")], None, None, 0.0))
            progress(f"FAIL {v.name:<18} build failed  log: {p}")
            return
        r = boots[0]
        log = logparse.parse(r.log_path.read_text(errors="replace"))
        problems = [logparse.Problem("qemu-exit", r.start_error)] if r.start_error else \
            judge(log, r.exit_code, r.timed_out, fuzz_timeout(calls, timeout), v, calls)
        res = FuzzResult(v.name, not problems, problems, r.log_path, log.fuzz, r.seconds)
        if problems:
            progress(f"FAIL {v.name:<18} {problems[0]}  log: {r.log_path}")
            for extra in problems[1:4]:
                progress(f"     {'':<18} {extra}")
            if shrink_failures:
                bad = (log.fuzz or {}).get("first_bad_call") or calls
                n, trace = shrink(v, b.elf, arch, logdir, seed, bad, check_every, timeout,
                                  progress)
                res.shrunk_to, res.trace_path = n, trace
                traced = trace_calls(trace.read_text(errors="replace"))
                progress(f"     {v.name}: shortest failing prefix: {n} calls (seed {seed}); "
                         f"all {len(traced)} are the FUZZ-CALL lines of {trace}; the last:")
                for c in traced[-10:]:
                    progress("       " + " ".join(f"{k}={val}" for k, val in c.items()))
        else:
            f = log.fuzz
            progress(f"PASS {v.name:<18} {f['calls']} calls, {f['invariant_checks']} "
                     f"invariant checks, {f['replaced']} threads replaced, "
                     f"{f['spaces_recycled']} spaces recycled, "
                     f"{f['capabilities_refilled']} capabilities refilled "
                     f"({r.seconds:.1f} s)  log: {r.log_path}")
        results.append(res)

    m.run(lambda v, i: logdir / f"{v.name}.log", on_done)
    failed = [r.variant for r in results if not r.ok]
    total = sum((r.fuzz or {}).get("calls", 0) for r in results)
    progress(f"fuzz: {len(results) - len(failed)}/{len(results)} PASS, {total} calls in "
             f"{time.monotonic() - t0:.1f} s" + (f"; FAILED: {', '.join(failed)}"
                                                  if failed else ""))
    write_summary(logdir / "summary.md", results, seed, calls, check_every)
    return results


def write_summary(path: Path, results: list[FuzzResult], seed: int, calls: int,
                  check_every: int) -> None:
    lines = [f"# fuzz: seed {seed}, {calls} calls per variant, invariants every "
             f"{check_every} calls (clock icount)", "",
             "| variant | result | calls | invariant checks | threads replaced | "
             "spaces recycled | caps refilled | seconds |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in sorted(results, key=lambda x: x.variant):
        f = r.fuzz or {}
        verdict = "pass" if r.ok else f"FAIL: {r.problems[0]}".replace("|", "/")
        if r.shrunk_to:
            verdict += f" (shortest failing prefix {r.shrunk_to} calls)"
        lines.append(f"| {r.variant} | {verdict} | {f.get('calls', '-')} | "
                     f"{f.get('invariant_checks', '-')} | {f.get('replaced', '-')} | "
                     f"{f.get('spaces_recycled', '-')} | "
                     f"{f.get('capabilities_refilled', '-')} | {r.seconds:.1f} |")
    path.write_text("\n".join(lines) + "\n")
