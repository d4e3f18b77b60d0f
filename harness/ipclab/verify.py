"""`harness verify`: the kernel's correctness gate (used by `make test`).

Each variant is booted twice under icount with few samples. A variant PASSes when both
boots exit 1 with `END status=ok`, BEGIN echoes the variant's conf, every expected case
is present (lengths beyond the variant's max_words are SKIPped), every case has exactly
`samples` values whose count and sum match CASE-END, values lie in (0, 100000], at
least MIN_CHECKS CHECK lines all pass, and the two boots print identical numbers.
With --debug the debug builds (kernel assertions compiled in) are booted instead.
With --experiment the variants run the experiment's workload: its PLAN's cases and
its CHECK lines take the place of the IPC cases (values need not be instructions:
the upper bound is not applied), and the two boots must still be identical.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from . import limits, logparse, proc
from .bench import Matrix, Outcome, build_problem, check_arch, headline, judge, preflight, \
    tree_locks
from .clock import CLOCKS
from .config import REPO

VERIFY_SAMPLES = 20
VERIFY_WARMUP = 5
# Every variant prints 54 or more CHECK lines today, over 30 of them from the bad-input
# test alone; fewer than this means a whole group of checks did not run.
MIN_CHECKS = 40


@dataclass
class VerifyResult:
    """True when every variant passed; `infra` names those the host failed."""
    ok: bool
    failed: list
    infra: list

    def __bool__(self) -> bool:
        return self.ok


def compare_boots(a: logparse.Log, b: logparse.Log) -> list[str]:
    diffs = []
    ma, mb = a.case_map(), b.case_map()
    for key in sorted(set(ma) | set(mb), key=str):
        ca, cb = ma.get(key), mb.get(key)
        if ca is None or cb is None:
            diffs.append(f"{logparse.case_name(*key)} only in boot {1 if cb is None else 2}")
        elif ca.values != cb.values:
            i = next((k for k, (x, y) in enumerate(zip(ca.values, cb.values)) if x != y),
                     min(len(ca.values), len(cb.values)))
            diffs.append(f"{ca.name} differs at sample {i}: "
                         f"{ca.values[i] if i < len(ca.values) else '-'} vs "
                         f"{cb.values[i] if i < len(cb.values) else '-'}")
    if [(c["name"], c["got"]) for c in a.checks] != [(c["name"], c["got"]) for c in b.checks]:
        diffs.append("CHECK results differ between the boots")
    return diffs


def run_verify(variants, *, arch="x86_64", samples=VERIFY_SAMPLES, warmup=VERIFY_WARMUP,
               jobs=None, timeout=120.0, build=True, logdir=None, repo=None,
               progress=print, debug: bool = False, wait: bool = False,
               experiment=None) -> "VerifyResult":
    """debug: boot the debug builds (kernel assertions compiled in), whose logs go to
    <logdir>/<variant>-debug.*"""
    check_arch(arch)
    limits.check_request(samples, warmup)
    clock = CLOCKS["icount"]
    preflight(clock, arch, build)
    repo = Path(repo or REPO)
    with proc.locked(*tree_locks(repo), wait=wait, progress=progress):
        return _run_verify(variants, arch, samples, warmup, jobs, timeout, build, logdir,
                           repo, progress, debug, experiment)


def _run_verify(variants, arch, samples, warmup, jobs, timeout, build, logdir, repo,
                progress, debug, experiment=None) -> bool:
    # x86_64's logs stay where they always were; another arch's get their own directory.
    logdir = Path(logdir or repo / "results" / "verify" / ("" if arch == "x86_64" else arch))
    logdir.mkdir(parents=True, exist_ok=True)
    clock = CLOCKS["icount"]
    suffix = ("-debug" if debug else "") + (f"-{experiment.name}" if experiment else "")
    workload = experiment.workload if experiment else "ipc"
    for v in variants:                      # no stale log of an earlier verify survives
        for old in logdir.glob(f"{v.name}{suffix}.*"):
            old.unlink()
    t0 = time.monotonic()
    verdicts = {}
    infra = []                  # variants that failed because of the host, not the kernel
    n = len(variants)

    def on_done(v, b, boots):
        if not b.ok:
            p = logdir / f"{v.name}{suffix}.build"
            p.write_text(b.output)
            verdicts[v.name] = False
            if b.tool_error:
                infra.append(v.name)
            progress(f"FAIL {v.name:<18} {build_problem(b, p)} ({b.seconds:.1f} s)")
            return
        outs = []
        for r in boots:
            o = Outcome(v, b, r)
            judge(o, clock, samples, warmup, strict_values=workload == "ipc",
                  min_checks=MIN_CHECKS if workload == "ipc" else 1, debug=debug, arch=arch,
                  workload=workload)
            outs.append(o)
        reasons = []
        for i, o in enumerate(outs, 1):
            reasons += [f"boot {i}: {p}  log: {o.boot.log_path}" for p in o.problems]
        if not reasons:
            reasons += [f"boots not identical: {d}  logs: {outs[0].boot.log_path}, "
                        f"{outs[1].boot.log_path}" for d in compare_boots(outs[0].log,
                                                                          outs[1].log)[:5]]
        secs = sum(o.boot.seconds for o in outs)
        verdicts[v.name] = not reasons
        if any(o.infra for o in outs):
            infra.append(v.name)
        if not reasons:
            lg = outs[0].log
            progress(f"PASS {v.name:<18} 2 boots identical, {len(lg.cases)} cases, "
                     f"{len(lg.skips)} skips, {len(lg.checks)} checks; "
                     f"{headline(lg, clock.short_unit)}  ({secs:.1f} s boot, "
                     f"{b.seconds:.1f} s build)  log: {outs[0].boot.log_path}")
        else:
            progress(f"FAIL {v.name:<18} {reasons[0]}")
            for r in reasons[1:6]:
                progress(f"     {'':<18} {r}")
            if len(reasons) > 6:
                progress(f"     {'':<18} ... {len(reasons) - 6} more problem(s)")

    m = Matrix(variants, clock, arch, samples, warmup, jobs, timeout, build, repo, progress,
               debug=debug)
    m.extra = experiment.boot_words() if experiment else None
    progress(f"verify: {n} variant(s){' (debug builds)' if debug else ''} x 2 boots, "
             f"clock=icount samples={samples} "
             f"warmup={warmup}, {m.jobs} in parallel, timeout {timeout:g} s")
    m.run(lambda v, i: logdir / f"{v.name}{suffix}.boot{i + 1}.log", on_done,
          boots_per_variant=2)
    failed = [v.name for v in variants if not verdicts.get(v.name)]
    progress(f"verify: {n - len(failed)}/{n} PASS in {time.monotonic() - t0:.1f} s "
             f"(builds {m.build_seconds:.1f} s, boots {m.boot_seconds:.1f} s summed)"
             + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return VerifyResult(not failed, failed, infra)
