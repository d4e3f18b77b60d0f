"""The matrix driver: build, boot, parse, judge, store, summarize.

Used by `harness bench` (a stored run), `harness verify` (two boots per variant, no
run stored) and `harness boot` (one variant, console shown).
"""
from __future__ import annotations

import concurrent.futures as cf
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


from . import FORMAT_VERSION, RUN_LAYOUT_VERSION, analysis, clock as clockmod, \
    hostbench, limits, linuxrun, logparse, model, proc, report, runner, stats, store
from .arches import ARCHES, get_arch
from .config import REPO, UsageError, Variant
from .errors import EXIT_INFRA, EXIT_OK, EXIT_REGRESSION, InfraError, Interrupted, \
    describe_os_error

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
    if clock is not None and clock.name == "model":
        model.check_arch(arch)


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
    model: dict | None = None      # clock=model: the plugin's totals, parameters, records

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

    @property
    def infra(self) -> bool:
        """Failed because of the host (disk, QEMU, make), not the kernel."""
        return any(p.kind in INFRA_KINDS for p in self.problems)


def median_of(log: logparse.Log, key) -> float | None:
    c = log.case_map().get(key)
    return stats.describe(c.values, median_interval=False)["median"] if c and c.values else None


def headline(log: logparse.Log, unit: str) -> str:
    if log.begin and log.begin.get("workload", "ipc") != "ipc":
        return f"workload {log.begin['workload']}: {len(log.cases)} case(s)"
    null = median_of(log, ("null_syscall", "self", "round", 0))
    call = median_of(log, ("ipc", "cross", "call", 0))
    parts = []
    if null is not None:
        parts.append(f"null syscall {report.fmt(null)}")
    if call is not None:
        parts.append(f"cross call len0 {report.fmt(call)}")
    text = (", ".join(parts) + f" {unit} (median)") if parts else "no numbers"
    cycles = []
    for cache in ("hot", "cold"):
        c = log.case_map(cache).get(("ipc", "cross", "call", 0))
        if c is not None and c.events:
            cycles.append(f"{report.fmt(stats.describe(c.events['cycles'])['median'])} "
                          f"{cache}")
    if cycles:
        text += f"; {' / '.join(cycles)} modelled cycles"
    return text


INFRA_KINDS = ("host-io", "host-qemu", "host-tool")   # faults of the host, not the guest


def judge(out: Outcome, clock, samples, warmup, strict_values: bool = False,
          min_checks: int = 0, debug: bool = False, arch: str = "x86_64",
          workload: str = "ipc") -> None:
    """Parse and validate one boot of `arch`. strict_values: the plausibility cap of
    verify; min_checks: fewer CHECK lines than this is a failure; debug: BEGIN must say
    so. A host-side failure (the log could not be written, QEMU could not start) is
    reported as such, never as a fault of the guest. Under clock=model a good boot's
    samples are then given the model's counts (judge_model)."""
    b = out.boot
    if b.host_error:
        out.problems = [logparse.Problem(
            "host-io", f"{b.host_error}: a host-side I/O error, not a fault of the guest "
            f"(its output was lost)")]
        return
    if b.start_error:
        out.problems = [logparse.Problem(
            "host-qemu", f"{b.start_error}: QEMU could not be started (infrastructure, "
            f"not the guest)")]
        return
    try:
        text = store.read_log(b.log_path)
    except (OSError, EOFError, ValueError) as e:
        out.problems = [logparse.Problem("host-io", f"cannot read {b.log_path}: {e}")]
        return
    out.log = logparse.parse(text)
    out.problems = logparse.validate(
        out.log, exit_code=b.exit_code, timed_out=b.timed_out, timeout_s=b.extra.get(
            "timeout"), variant=out.variant, clock=clock.name, samples=samples,
        warmup=warmup, require_all_cases=True,
        min_value=1 if clockmod.counts_instructions(clock.name) else None,
        max_value=ICOUNT_MAX_VALUE if (strict_values and clock.name == "icount") else None,
        min_checks=min_checks, build="debug" if debug else "release", arch=arch,
        workload=workload)
    out.problems += [logparse.Problem("implausible", m) for m in
                     limits.implausible(out.log, clock.name, b.seconds, clock.unit)]
    if clock.name == "model":
        judge_model(out, workload == "ipc")
    if any(p.kind in ("qemu-exit", "timeout") for p in out.problems):
        try:
            err = [l for l in b.stderr_path.read_text(errors="replace").splitlines()
                   if l.strip()]
        except OSError:
            err = []
        if err:
            out.problems.insert(1, logparse.Problem(
                "qemu-stderr", " / ".join(err[-2:])[:400] + f" (see {b.stderr_path.name})"))


def judge_model(out: Outcome, require_all: bool = True) -> None:
    """clock=model: the plugin's refusal if it refused; else, for a boot the guest
    passed, every sample's counts from the record file (model.attribute), which is
    then stored packed (logs/<v>.model.gz). A sample the records cannot account for
    fails the variant; so does a case without STAMP lines, with `require_all` (the IPC
    benchmark), else it is listed as unattributed (a workload's count or average)."""
    b = out.boot
    try:
        err = b.stderr_path.read_text(errors="replace")
    except OSError:
        err = ""
    refusal = model.plugin_error(err)
    if refusal:
        out.problems.insert(0, logparse.Problem(
            "model-plugin", f"the model plugin refused to run: {refusal}"))
        return
    out.model = {"totals": model.totals(err)}
    path = model.stored_records(b.log_path)
    if path is not None and path.suffix != ".gz":
        try:                  # packed whatever the verdict: 50 KB, not 12 MB, per boot
            path = model.pack(path)
        except (model.ModelError, OSError):
            pass
    if path is not None:
        out.model["records"] = str(Path("logs") / path.name)
    if out.problems:
        return
    if path is None:
        out.problems.append(logparse.Problem(
            "model", f"no record file {model.records_path(b.log_path).name}: the plugin "
            f"wrote none (QEMU's stderr: {b.stderr_path.name})"))
        return
    try:
        rec = model.read(path)
        problems, unattributed = model.attribute(out.log, rec, require_all)
        out.model["params"] = rec.params
        if unattributed:
            out.model["unattributed"] = unattributed
    except model.ModelError as e:
        problems = [str(e)]
    out.problems += [logparse.Problem("model", p) for p in problems]


def build_problem(b: runner.BuildResult, where: Path) -> logparse.Problem:
    """A failed build, with make's own one-line reason."""
    if b.tool_error:
        return logparse.Problem("host-tool", f"{b.tool_error} (infrastructure: install "
                                f"make, or set IPCLAB_MAKE)")
    return logparse.Problem("build-failed", f"build failed: {b.reason} (full output: "
                            f"{where})")


class Matrix:
    """Builds and boots variants; icount boots overlap with later builds."""

    def __init__(self, variants, clock, arch="x86_64", samples=None, warmup=None,
                 jobs=None, timeout=DEFAULT_TIMEOUT, build=True, repo=None,
                 progress=print, debug=False):
        self.variants, self.clock, self.arch = variants, clock, arch
        self.debug = debug
        self.extra: dict | None = None   # more words for the guest's command line
        self.model_args: list | None = None   # clock=model: the plugin's arguments
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
        r = runner.build(v.name, self.arch, self.repo, debug=self.debug,
                         variant_file=v.file)
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
            proc.kill_all()
            raise
        pool.shutdown(wait=True)

    def _boot(self, v, elf, log_path):
        r = runner.boot(v.name, elf, self.clock, log_path, arch=self.arch,
                        samples=self.samples, warmup=self.warmup, timeout=self.timeout,
                        extra=self.extra, model_args=self.model_args)
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


def preflight(clock, arch: str, build: bool, repo: Path | None = None) -> None:
    """Refuse (InfraError, exit 3) before anything runs when a tool is missing, rather
    than failing every variant and blaming the kernel."""
    qemu = runner.qemu_binary(arch)
    found = (os.access(qemu, os.X_OK) and os.path.isfile(qemu)) if os.sep in qemu \
        else shutil.which(qemu)
    if not found:
        raise InfraError(f"QEMU not found: {qemu!r} is not an executable on PATH; nothing "
                         f"was built or booted. Install it (`make deps` as root installs "
                         f"qemu-system-x86) or point IPCLAB_QEMU at it")
    make = os.environ.get("IPCLAB_MAKE", "make")
    if build and not shutil.which(make):
        raise InfraError(f"make not found: {make!r} is not on PATH; install it (`apt-get "
                         f"install make`), or pass --no-build to boot existing images")
    if clock.name == "model":
        model_plugin(build, repo)


def model_plugin(build: bool, repo: Path | None = None) -> Path:
    """The model plugin, built first (make -f bench/model/model.mk model-plugin) unless
    --no-build; refuses (InfraError) when it cannot be had."""
    repo = Path(repo or REPO)
    if build:
        try:
            status, out = proc.run(model.build_command(), cwd=repo, env=runner.make_env())
        except OSError as e:
            raise InfraError(f"cannot build the model plugin: {e}")
        if status != 0:
            raise InfraError(f"cannot build the model plugin ({' '.join(model.build_command())}"
                             f"): {runner.build_reason(out)}; nothing was booted")
    so = model.plugin_path(repo)
    if not so.is_file():
        raise InfraError(f"the model plugin {so} does not exist; build it with `make -f "
                         f"bench/model/model.mk model-plugin` (or drop --no-build)")
    return so


def tree_locks(repo: Path, results_dir: Path | None = None) -> list:
    """The locks a run takes: build/ (images are rebuilt in place) and, when it
    stores a run, the results directory."""
    locks = [proc.Lock(Path(repo) / "build" / ".harness.lock", f"{Path(repo) / 'build'}/")]
    if results_dir is not None:
        locks.append(proc.Lock(Path(results_dir) / ".harness.lock", f"{results_dir}/"))
    return locks


def check_writable(directory: Path) -> None:
    """Refuse (InfraError) a results directory the harness cannot write."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / f".write-probe-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        raise InfraError(describe_os_error(e, f"preparing {directory}") +
                         "; nothing was built or booted")


@dataclass
class HostStep:
    """The host benchmarks (bench/host) as part of a run: built with
    `make host-bench-build` (unless build=False), run into the run's directory before
    it is published, so the run is complete only with them."""
    bin_dir: Path
    args: list = field(default_factory=list)
    build: bool = True


def _host_step(host: HostStep, work: Path, repo: Path, progress) -> dict:
    """Run the host benchmarks into `work`; returns the record for meta.json. A failure
    keeps the kernel results: its partial output moves to host-failed/."""
    t0 = time.monotonic()
    rec = {"bin_dir": str(host.bin_dir), "args": list(host.args)}
    problems = []
    try:
        if host.build:
            status, out = proc.run([os.environ.get("IPCLAB_MAKE", "make"), "-s",
                                    "--no-print-directory", "host-bench-build"],
                                   cwd=repo, env=runner.make_env())
            if status != 0:
                raise RuntimeError(f"make host-bench-build failed: "
                                   f"{runner.build_reason(out)}")
        progress(f"host benchmarks: running {', '.join(hostbench.expected())} "
                 f"(console output in host-raw/*.log)")
        _, problems = hostbench.run(host.bin_dir, work, host.args, log=lambda *_: None)
        if not problems:
            hostbench.plot(work)
    except (OSError, RuntimeError, ValueError) as e:
        problems = [str(e)]
    rec["seconds"] = round(time.monotonic() - t0, 2)
    if problems:
        failed = work / "host-failed"
        failed.mkdir(exist_ok=True)
        for name in ("host-raw", "host.csv", "host-meta.json"):
            if (work / name).exists():
                os.rename(work / name, failed / name)
        rec.update(status="failed", problems=problems[:20])
        progress(f"WARNING: host benchmarks FAILED: {problems[0]} (their output is in "
                 f"host-failed/; the kernel results are kept)")
    else:
        rec["status"] = "ok"
        progress(f"host benchmarks: ok in {rec['seconds']:.1f} s")
    return rec


def run_bench(variants: list, clock, *, arch="x86_64", samples=None, warmup=None,
              jobs=None, timeout=DEFAULT_TIMEOUT, build=True, results_dir=None,
              experiment=None, force_untrusted_kvm=False, figures=True, repo=None,
              progress=print, host: HostStep | None = None, wait: bool = False,
              summary: bool = True, linux: bool = False, model_args: list | None = None
              ) -> tuple[Path | None, dict, bool]:
    """Run the matrix and store it. Returns (run path, meta, all ok); meta says whether
    the run was published (`published`) and the exit status it earns (`exit_status`:
    0 ok, 1 a variant failed, 3 an infrastructure fault). A run with no successful
    variant is not published: it stays in results/.partial-<id>/. `linux`: the Linux
    pseudo-variants too (linuxrun.py)."""
    check_arch(arch, clock)
    limits.check_request(samples, warmup)
    repo = Path(repo or REPO)
    results_dir = Path(results_dir or repo / "results")
    preflight(clock, arch, build, repo)
    check_writable(results_dir)
    with proc.locked(*tree_locks(repo, results_dir), wait=wait, progress=progress):
        return _run_bench(variants, clock, arch, samples, warmup, jobs, timeout, build,
                          results_dir, experiment, force_untrusted_kvm, figures, repo,
                          progress, host, summary, linux, model_args)


def _run_bench(variants, clock, arch, samples, warmup, jobs, timeout, build, results_dir,
               experiment, force_untrusted_kvm, figures, repo, progress, host, summary,
               linux=False, model_args=None):
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
    try:
        w = store.RunWriter(results_dir, run_id)
    except OSError as e:
        raise InfraError(describe_os_error(e, "creating the run directory") +
                         "; nothing was built or booted")
    run_id = w.run_id
    meta = {
        "layout_version": RUN_LAYOUT_VERSION, "format_version": FORMAT_VERSION,
        "run_id": run_id, "complete": False, "started_utc": store.utc_stamp(),
        "arch": arch, "clock": clock.name, "unit": clock.unit,
        "clock_note": clock.note, "trusted": (kvm_info["trusted"] if kvm_info else
                                              clockmod.counts_instructions(clock.name)
                                              or None),
        "model": ({"plugin": str(model.PLUGIN), "args": list(model_args or []),
                   "params": None} if clock.name == "model" else None),
        "samples": samples, "warmup": warmup, "timeout_s": timeout,
        "jobs": jobs or default_jobs(clock),
        "experiment": experiment.as_meta() if experiment else None,
        "variant_order": [v.name for v in variants],
        "git": git, "host": store.host_info(),
        "tools": {"qemu": runner.tool_version([runner.qemu_binary(arch), "--version"]),
                  "cc": runner.tool_version([os.environ.get("CC", "gcc"), "--version"]),
                  "make": runner.tool_version(["make", "--version"]),
                  "gnuplot": runner.tool_version(["gnuplot", "--version"])},
        "kvm": kvm_info, "warnings": warnings,
        "command": " ".join(sys.argv), "variants": {},
    }
    meta_error = []

    def save_meta():
        """meta.json after every variant, so a run cut short (disk full, killed) can be
        finished later from its logs by `harness reanalyse`."""
        try:
            store.write_json(w.path / "meta.json", meta)
        except OSError as e:
            if not meta_error:
                meta_error.append(describe_os_error(e, "writing meta.json"))
                progress(f"WARNING: {meta_error[0]}")

    save_meta()
    if meta_error:
        raise InfraError(meta_error[0] + "; nothing was built or booted")
    progress(f"run {run_id}: {len(variants)} variant(s), clock={clock.name} "
             f"[{clock.unit}], samples={samples} warmup={warmup}, "
             f"jobs={meta['jobs']}, timeout={timeout:g} s -> {w.final}")
    for wmsg in warnings:
        progress(f"WARNING: {wmsg}")
    frames, outcomes = [], {}
    done = [0]
    workload = experiment.workload if experiment else "ipc"

    def rel(p: Path) -> str:
        return str(Path("logs") / p.name)

    def on_done(v, b, boots):
        out = Outcome(v, b, boots[0] if boots else None)
        done[0] += 1
        info = {"config": v.config, "build_s": round(b.seconds, 2),
                "build_cmd": " ".join(b.cmd)}
        if not b.ok:
            p = w.path / "logs" / f"{v.name}.build"
            try:
                p.write_text(b.output)
            except OSError:
                pass
            out.problems = [build_problem(b, w.final / "logs" / p.name)]
            info.update(status=out.status, problems=[str(x) for x in out.problems],
                        log=rel(p))
        else:
            judge(out, clock, samples, warmup, arch=arch, workload=workload)
            r = out.boot
            if out.log is not None and out.log.faults:
                info["user_faults"] = out.log.faults
            if out.log is not None and out.log.skips:
                info["skips"] = [dict(s) for s in out.log.skips]
            info.update(boot_cmd=r.cmdline, boot_s=round(r.seconds, 3),
                        exit_code=r.exit_code, timed_out=r.timed_out, log=rel(r.log_path),
                        elf=str(b.elf), elf_sha256=_sha256(b.elf))
            if r.host_error or r.start_error:
                info["host_error"] = r.host_error or r.start_error
            if out.model is not None:
                info["model"] = out.model
                if out.model.get("params") and not meta["model"]["params"]:
                    meta["model"]["params"] = out.model["params"]
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
        save_meta()
        _progress_line(progress, done[0], len(variants), out, clock, w.final)

    try:
        m = Matrix(variants, clock, arch, samples, warmup, jobs, timeout, build, repo,
                   progress)
        m.extra = experiment.boot_words() if experiment else None
        m.model_args = model_args
        t_matrix = time.monotonic()
        m.run(lambda v, i: w.log_path(v.name), on_done)
        if linux:
            frames += linuxrun.bench_step(w.path, meta, clock, timeout=timeout,
                                          jobs=meta["jobs"], progress=progress, repo=repo)
            save_meta()
        t_analyse = time.monotonic()
        failed = [n for n, o in outcomes.items() if not o.ok]
        infra = [n for n, o in outcomes.items() if o.infra] + \
            (["linux guest"] if (meta.get("linux") or {}).get("status") == "failed" else [])
        meta.update(failed_variants=failed, infra_failures=infra)
        if len(failed) == len(variants):
            meta.update(published=False, exit_status=EXIT_INFRA if infra else EXIT_REGRESSION)
            save_meta()
            progress("")
            progress(f"NOT PUBLISHED: no variant succeeded ({', '.join(failed)} failed). "
                     f"The logs stay in {w.path} for inspection; `harness clean` removes it.")
            if infra:
                progress(f"infrastructure fault(s), not the kernel: "
                         f"{outcomes[infra[0]].problems[0]}")
            return w.path, meta, False
        try:
            st = analysis.write_derived(w.path, meta, frames, figures=figures, repo=repo,
                                        progress=progress)
        except OSError as e:
            save_meta()
            raise InfraError(describe_os_error(e, "writing the run's tables") +
                             f"\nthe variants that finished keep their logs in {w.path}: fix "
                             f"the cause, then `harness reanalyse {w.path}` finishes the run")
        host_rec = None
        t_host = time.monotonic()
        if host is not None:
            host_rec = _host_step(host, w.path, repo, progress)
            if host_rec["status"] != "ok":
                infra.append("host benchmarks")
            meta["figures"] += sorted(str(f.relative_to(w.path)) for f in
                                      (w.path / "figures").glob("host-*") if f.is_file())
        t_end = time.monotonic()
        host_s = t_end - t_host if host is not None else 0.0
        exit_status = EXIT_INFRA if infra else (EXIT_REGRESSION if failed else EXIT_OK)
        meta.update({
            "finished_utc": store.utc_stamp(), "complete": True, "published": True,
            "exit_status": exit_status, "host_bench": host_rec,
            "timings_s": {"total_wall": round(t_end - t_start, 2),
                          "matrix_wall": round(t_analyse - t_matrix, 2),
                          "build_sum": round(m.build_seconds, 2),
                          "boot_sum": round(m.boot_seconds, 2),
                          "analyse_wall": round(t_end - t_analyse - host_s, 2),
                          "host_bench_wall": round(host_s, 2),
                          "linux_wall": (meta.get("linux") or {}).get("seconds", 0.0)},
        })
        try:
            analysis.write_summary(w.path, meta, st)
            final = w.finish(meta)
        except OSError as e:
            raise InfraError(describe_os_error(e, "publishing the run") +
                             f"\nthe run's logs are in {w.path}: fix the cause, then "
                             f"`harness reanalyse {w.path}` finishes it")
        # Print the short form (headline, failures); the saved summary has every case.
        if summary:
            progress("")
            progress(report.summary_markdown(meta, st, full=False).rstrip())
        progress("")
        tm = meta["timings_s"]
        progress(f"run {run_id}: {len(variants) - len(failed)}/{len(variants)} variants ok; "
                 f"wall {tm['total_wall']:.1f} s (builds {tm['build_sum']:.1f} s, boots "
                 f"{tm['boot_sum']:.1f} s summed over {meta['jobs']} job(s), analysis "
                 f"{tm['analyse_wall']:.1f} s" +
                 (f", host benchmarks {tm['host_bench_wall']:.1f} s" if host else "") +
                 (f", Linux {tm['linux_wall']:.1f} s" if tm["linux_wall"] else "") + ")")
        if failed:
            progress(f"FAILED: {', '.join(failed)} (see {final}/summary.md)")
        if infra:
            progress(f"infrastructure fault(s), not the kernel: {', '.join(infra)} (exit 3)")
        progress(f"stored: {final}")
        return final, meta, not failed
    except (KeyboardInterrupt, Interrupted):
        progress(f"interrupted: every child process killed; the partial run stays in "
                 f"{w.path} (no COMPLETE marker; nothing loads it; `harness clean` "
                 f"removes it, `harness reanalyse` finishes it from its logs)")
        raise


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
