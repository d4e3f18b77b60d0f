"""The matrix driver: build, boot, parse, judge, store, summarize.

Used by `harness bench` (a stored run), `harness verify` (two boots per variant, no
run stored) and `harness boot` (one variant, console shown).
"""
from __future__ import annotations

import concurrent.futures as cf
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import FORMAT_VERSION, RUN_LAYOUT_VERSION, clock as clockmod, logparse, plots, \
    report, runner, stats, store
from .arches import ARCHES, get_arch
from .config import REPO, UsageError, Variant

SUPPORTED_ARCHES = tuple(ARCHES)
DEFAULT_SAMPLES = 1000        # same defaults as the top-level Makefile (SAMPLES, WARMUP)
DEFAULT_WARMUP = 100
DEFAULT_TIMEOUT = 120.0
ICOUNT_MAX_VALUE = 100_000     # verify: a sample above this under icount is implausible


def check_arch(arch: str, clock=None) -> None:
    """The arch is in the table (arches.py), and the clock mode can run it."""
    a = get_arch(arch)
    if clock is not None and clock.name == "kvm" and not a.kvm:
        raise UsageError(f"clock=kvm cannot run arch {arch} on this host (KVM runs guests "
                         f"of the host's own ISA); use --clock icount")


def default_jobs(clock) -> int:
    return max(1, os.cpu_count() or 1) if clock.parallel else 1


@dataclass
class Outcome:
    """What became of one variant in a run."""
    variant: Variant
    build: runner.BuildResult | None = None
    boot: runner.BootResult | None = None
    log: logparse.Log | None = None
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.build is not None and self.build.ok and self.boot is not None and \
            not self.problems

    @property
    def status(self) -> str:
        if self.build is None or not self.build.ok:
            return "build-failed"
        if self.boot is None:
            return "not-booted"
        if self.problems:
            return self.problems[0].kind
        return "ok"


def median_of(log: logparse.Log, key) -> float | None:
    c = log.case_map().get(key)
    return stats.describe(c.values)["median"] if c and c.values else None


def headline(log: logparse.Log, unit: str) -> str:
    null = median_of(log, ("null_syscall", "self", "round", 0))
    call = median_of(log, ("ipc", "cross", "call", 0))
    parts = []
    if null is not None:
        parts.append(f"null syscall {report.fmt(null)}")
    if call is not None:
        parts.append(f"cross call len0 {report.fmt(call)}")
    return (", ".join(parts) + f" {unit} (median)") if parts else "no numbers"


def judge(out: Outcome, clock, samples, warmup, strict_values: bool = False,
          min_checks: int = 0, debug: bool = False, arch: str = "x86_64") -> None:
    """Parse and validate one boot of `arch`. strict_values: the plausibility cap of
    verify; min_checks: fewer CHECK lines than this is a failure; debug: BEGIN must say
    so."""
    b = out.boot
    if b.start_error:
        out.problems = [logparse.Problem("qemu-exit", b.start_error)]
        return
    text = b.log_path.read_text(errors="replace")
    out.log = logparse.parse(text)
    out.problems = logparse.validate(
        out.log, exit_code=b.exit_code, timed_out=b.timed_out, timeout_s=b.extra.get(
            "timeout"), variant=out.variant, clock=clock.name, samples=samples,
        warmup=warmup, require_all_cases=True,
        min_value=1 if clock.name == "icount" else None,
        max_value=ICOUNT_MAX_VALUE if (strict_values and clock.name == "icount") else None,
        min_checks=min_checks, build="debug" if debug else "release", arch=arch)
    if any(p.kind in ("qemu-exit", "timeout") for p in out.problems):
        try:
            err = [l for l in b.stderr_path.read_text(errors="replace").splitlines()
                   if l.strip()]
        except OSError:
            err = []
        if err:
            out.problems.insert(1, logparse.Problem(
                "qemu-stderr", " / ".join(err[-2:])[:400] + f" (see {b.stderr_path.name})"))


class Matrix:
    """Builds and boots variants; icount boots overlap with later builds."""

    def __init__(self, variants, clock, arch="x86_64", samples=None, warmup=None,
                 jobs=None, timeout=DEFAULT_TIMEOUT, build=True, repo=None,
                 progress=print, debug=False):
        self.variants, self.clock, self.arch = variants, clock, arch
        self.debug = debug
        self.extra: dict | None = None   # more words for the guest's command line
        self.samples, self.warmup, self.timeout = samples, warmup, timeout
        self.jobs = jobs or default_jobs(clock)
        self.do_build, self.repo = build, Path(repo or REPO)
        self.progress = progress
        self.build_seconds = 0.0
        self.boot_seconds = 0.0

    def _build(self, v: Variant) -> runner.BuildResult:
        if not self.do_build:
            elf = runner.elf_path(v.name, self.arch, self.repo, self.debug)
            ok = elf.is_file()
            return runner.BuildResult(v.name, ok, 0.0, [], "" if ok else
                                      f"{elf} does not exist (built with --no-build)",
                                      elf if ok else None)
        r = runner.build(v.name, self.arch, self.repo, debug=self.debug)
        self.build_seconds += r.seconds
        return r

    def run(self, log_paths, on_done, boots_per_variant: int = 1):
        """Build each variant, boot it `boots_per_variant` times (log_paths(v, i) gives
        each log's path), call on_done(variant, [(build, boot)...]) as each finishes."""
        overlap = self.clock.parallel
        results: dict[str, dict] = {}
        builds = {}
        pending = {}

        def collect(fut):
            v, i = pending.pop(fut)
            results.setdefault(v.name, {})[i] = fut.result()
            if len(results[v.name]) == boots_per_variant:
                on_done(v, builds[v.name], [results[v.name][k]
                                            for k in range(boots_per_variant)])

        pool = cf.ThreadPoolExecutor(max_workers=self.jobs)
        try:
            for v in self.variants:
                b = builds[v.name] = self._build(v)
                if not b.ok:
                    on_done(v, b, [])
                    continue
                if overlap:
                    for i in range(boots_per_variant):
                        pending[pool.submit(self._boot, v, b.elf, log_paths(v, i))] = (v, i)
                    # report boots that finished while we were building
                    for fut in [f for f in pending if f.done()]:
                        collect(fut)
            if not overlap:
                for v in self.variants:
                    b = builds[v.name]
                    if b.ok:
                        on_done(v, b, [self._boot(v, b.elf, log_paths(v, i))
                                       for i in range(boots_per_variant)])
            while pending:
                done, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    collect(fut)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            runner.kill_live()
            raise
        pool.shutdown(wait=True)

    def _boot(self, v, elf, log_path):
        r = runner.boot(v.name, elf, self.clock, log_path, arch=self.arch,
                        samples=self.samples, warmup=self.warmup, timeout=self.timeout,
                        extra=self.extra)
        r.extra["timeout"] = self.timeout
        self.boot_seconds += r.seconds
        return r


# ------------------------------------------------------------------------ bench

def kvm_gate(variants, arch, force: bool, progress, repo=None, build=True) -> dict:
    """Host checks, then one small calibration boot. Refuses (UsageError) unless
    `force`; with force the run goes on and is flagged untrusted everywhere."""
    host = clockmod.kvm_host_checks()
    info = {"host": host, "guest": None, "trusted": host["trusted"], "reasons":
            list(host["reasons"])}
    if not host["usable"]:
        raise UsageError("clock=kvm impossible on this host:\n  " +
                         "\n  ".join(host["reasons"]))
    if host["reasons"] and not force:
        raise UsageError(
            "clock=kvm refused: KVM on this host does not count real cycles:\n  " +
            "\n  ".join(host["reasons"]) +
            "\nuse --clock icount (deterministic guest instructions), or pass "
            "--force-untrusted-kvm to run anyway with every result flagged UNTRUSTED")
    # Guest calibration: a short boot of the first variant; its counter-read and
    # null-syscall costs show whether rdtsc or ring 0 trap.
    v = variants[0]
    if build:
        b = runner.build(v.name, arch, repo)
    else:
        elf = runner.elf_path(v.name, arch, repo)
        b = runner.BuildResult(v.name, elf.is_file(), 0.0, [], f"{elf} missing", elf)
    if not b.ok:
        raise UsageError(f"kvm calibration: cannot build {v.name}:\n{b.output[-2000:]}")
    import tempfile
    with tempfile.TemporaryDirectory() as td:
        r = runner.boot(v.name, b.elf, clockmod.CLOCKS["kvm"], Path(td) / "cal.log",
                        arch=arch, samples=20, warmup=5, timeout=120)
        log = logparse.parse(r.log_path.read_text(errors="replace"))
    cread = median_of(log, ("counter", "self", "read", 0))
    null = median_of(log, ("null_syscall", "self", "round", 0))
    guest = clockmod.kvm_guest_verdict(cread, null)
    info["guest"] = {"variant": v.name, "exit_code": r.exit_code, "counter_read_median":
                     cread, "null_syscall_median": null, "reasons": guest}
    if cread is None or null is None:
        guest = guest + [f"calibration boot of {v.name} gave no numbers "
                         f"(QEMU exit {r.exit_code})"]
    info["reasons"] += guest
    info["trusted"] = not info["reasons"]
    progress(f"kvm calibration ({v.name}): counter read {cread} cycles, null syscall "
             f"{null} cycles -> {'trusted' if info['trusted'] else 'NOT TRUSTED'}")
    if guest and not force:
        raise UsageError("clock=kvm refused by the guest calibration:\n  " +
                         "\n  ".join(guest) + "\npass --force-untrusted-kvm to run anyway")
    return info


def run_bench(variants: list, clock, *, arch="x86_64", samples=None, warmup=None,
              jobs=None, timeout=DEFAULT_TIMEOUT, build=True, results_dir=None,
              experiment=None, force_untrusted_kvm=False, figures=True, repo=None,
              progress=print) -> tuple[Path | None, dict, bool]:
    """Run the matrix and store it. Returns (run path, meta, all ok)."""
    check_arch(arch, clock)
    repo = Path(repo or REPO)
    results_dir = Path(results_dir or repo / "results")
    samples = DEFAULT_SAMPLES if samples is None else samples
    warmup = DEFAULT_WARMUP if warmup is None else warmup
    t_start = time.monotonic()
    git = store.git_info(repo)
    warnings = []
    kvm_info = None
    if clock.name == "kvm":
        kvm_info = kvm_gate(variants, arch, force_untrusted_kvm, progress, repo, build)
        if not kvm_info["trusted"]:
            warnings.append("UNTRUSTED clock=kvm: " + "; ".join(kvm_info["reasons"]))
    if clock.name == "tcg":
        warnings.append("clock=tcg: emulated ticks, NOT a measure of real cost")
    if git["dirty"]:
        warnings.append("working tree was dirty: " + ", ".join(git["dirty_files"][:5]))
    run_id = f"{store.utc_stamp()}-{git['short']}"
    w = store.RunWriter(results_dir, run_id)
    run_id = w.run_id
    meta = {
        "layout_version": RUN_LAYOUT_VERSION, "format_version": FORMAT_VERSION,
        "run_id": run_id, "complete": False, "started_utc": store.utc_stamp(),
        "arch": arch, "clock": clock.name, "unit": clock.unit,
        "clock_note": clock.note, "trusted": (kvm_info["trusted"] if kvm_info else
                                              clock.name == "icount" or None),
        "samples": samples, "warmup": warmup, "timeout_s": timeout,
        "jobs": jobs or default_jobs(clock),
        "experiment": ({"name": experiment.name, "title": experiment.title, "axis":
                        experiment.axis} if experiment else None),
        "variant_order": [v.name for v in variants],
        "git": git, "host": store.host_info(),
        "tools": {"qemu": runner.tool_version([runner.qemu_binary(arch), "--version"]),
                  "cc": runner.tool_version([os.environ.get("CC", "gcc"), "--version"]),
                  "make": runner.tool_version(["make", "--version"]),
                  "gnuplot": runner.tool_version(["gnuplot", "--version"])},
        "kvm": kvm_info, "warnings": warnings,
        "command": " ".join(sys.argv), "variants": {},
    }
    store.write_json(w.path / "meta.json", meta)
    progress(f"run {run_id}: {len(variants)} variant(s), clock={clock.name} "
             f"[{clock.unit}], samples={samples} warmup={warmup}, "
             f"jobs={meta['jobs']}, timeout={timeout:g} s -> {w.final}")
    for wmsg in warnings:
        progress(f"WARNING: {wmsg}")
    frames, outcomes = [], {}
    done = [0]

    def rel(p: Path) -> str:
        return str(Path("logs") / p.name)

    def on_done(v, b, boots):
        out = Outcome(v, b, boots[0] if boots else None)
        done[0] += 1
        info = {"config": v.config, "build_s": round(b.seconds, 2),
                "build_cmd": " ".join(b.cmd)}
        if not b.ok:
            p = w.path / "logs" / f"{v.name}.build"
            p.write_text(b.output)
            out.problems = [logparse.Problem(
                "build-failed", f"build failed, see {w.final / 'logs' / p.name}")]
            info.update(status="build-failed", problems=[str(x) for x in out.problems],
                        log=rel(p))
        else:
            judge(out, clock, samples, warmup, arch=arch)
            r = out.boot
            if out.log is not None and out.log.faults:
                info["user_faults"] = out.log.faults
            info.update(boot_cmd=r.cmdline, boot_s=round(r.seconds, 2),
                        exit_code=r.exit_code, timed_out=r.timed_out, log=rel(r.log_path),
                        elf=str(b.elf), elf_sha256=_sha256(b.elf))
            if out.ok and clock.name == "kvm":
                verdict = clockmod.kvm_guest_verdict(
                    median_of(out.log, ("counter", "self", "read", 0)),
                    median_of(out.log, ("null_syscall", "self", "round", 0)))
                info["kvm_verdict"] = verdict
                if verdict and not force_untrusted_kvm:
                    out.problems = [logparse.Problem("kvm-untrusted", x) for x in verdict]
                elif verdict:
                    meta["trusted"] = False
            info.update(status=out.status, problems=[str(x) for x in out.problems])
            if out.ok:
                frames.append(store.samples_frame(out.log, v, run_id, git["commit"], arch,
                                                  clock))
        meta["variants"][v.name] = info
        outcomes[v.name] = out
        _progress_line(progress, done[0], len(variants), out, clock, w.final)

    m = Matrix(variants, clock, arch, samples, warmup, jobs, timeout, build, repo,
               progress)
    t_matrix = time.monotonic()
    try:
        m.run(lambda v, i: w.log_path(v.name), on_done)
    except KeyboardInterrupt:
        progress(f"interrupted: the partial run stays in {w.path} (no COMPLETE marker; "
                 f"nothing will load it)")
        raise
    t_analyse = time.monotonic()
    samples_df = (pd.concat(frames, ignore_index=True) if frames
                  else pd.DataFrame(columns=store.sample_cols()))
    st = store.stats_frame(samples_df) if len(samples_df) else \
        pd.DataFrame(columns=stats.GROUP_COLS + stats.STAT_COLS)
    store.write_tables(w.path, samples_df, st)
    fig_files, fig_err = [], None
    if figures and len(st):
        title = experiment.title if experiment else None
        try:
            fig_files = plots.make_figures(st, meta, w.path / "figures", title=title)
            if experiment is None:
                fig_files += experiment_figures(st, meta, w.path / "figures", repo)
        except plots.PlotError as e:
            fig_err = str(e)
            progress(f"WARNING: figures failed: {e}")
    failed = [n for n, o in outcomes.items() if not o.ok]
    t_end = time.monotonic()
    meta.update({
        "finished_utc": store.utc_stamp(), "complete": True,
        "failed_variants": failed, "figures": [str(Path(f).relative_to(w.path))
                                               for f in fig_files],
        "figure_error": fig_err,
        "timings_s": {"total_wall": round(t_end - t_start, 2),
                      "matrix_wall": round(t_analyse - t_matrix, 2),
                      "build_sum": round(m.build_seconds, 2),
                      "boot_sum": round(m.boot_seconds, 2),
                      "analyse_wall": round(t_end - t_analyse, 2)},
    })
    summary = report.summary_markdown(meta, st)
    (w.path / "summary.md").write_text(summary)
    store.write_json(w.path / "meta.json", meta)
    final = w.finish()
    # Print the short form (headline, failures); the saved summary has every case.
    progress("")
    progress(report.summary_markdown(meta, st, full=False).rstrip())
    progress("")
    tm = meta["timings_s"]
    progress(f"run {run_id}: {len(variants) - len(failed)}/{len(variants)} variants ok; "
             f"wall {tm['total_wall']:.1f} s (builds {tm['build_sum']:.1f} s, boots "
             f"{tm['boot_sum']:.1f} s summed over {meta['jobs']} job(s), analysis "
             f"{tm['analyse_wall']:.1f} s)")
    if failed:
        progress(f"FAILED: {', '.join(failed)} (see {final}/summary.md)")
    progress(f"stored: {final}")
    return final, meta, not failed


def experiment_figures(st, meta, figdir: Path, repo=None) -> list:
    """figures/<experiment>/ for every experiment with at least two variants in st."""
    from .config import experiments
    files = []
    have = set(st.variant)
    for exp in experiments(repo).values():
        vs = [v for v in exp.variants if v in have]
        if len(vs) >= 2:
            sub = st[st.variant.isin(vs)]
            files += plots.make_figures(sub, dict(meta, variant_order=vs),
                                        figdir / exp.name, vs, exp.title)
    return files


def _sha256(path) -> str:
    import hashlib
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def _progress_line(progress, i, n, out: Outcome, clock, final_dir):
    width = len(str(n))
    secs = (out.boot.seconds if out.boot else 0.0) + (out.build.seconds if out.build else 0)
    head = f"[{i:>{width}}/{n}] {out.variant.name:<18}"
    if out.ok:
        progress(f"{head} ok    {secs:6.1f} s  {headline(out.log, clock.short_unit)}")
    else:
        where = ""
        if out.boot is not None:
            where = f"  log: {final_dir / 'logs' / out.boot.log_path.name}"
        progress(f"{head} FAIL  {secs:6.1f} s  {out.problems[0] if out.problems else ''}"
                 f"{where}")
        for p in out.problems[1:4]:
            progress(f"{'':>{len(head)}}       {p}")
