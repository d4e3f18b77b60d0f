"""argparse front end of the `harness` command (harness/harness)."""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import json

from . import bench, clock as clockmod, compare, config, fuzz, hostbench, logparse, plots, \
    report, store, verify
from .config import REPO, UsageError

RESULTS = REPO / "results"
BASELINE = RESULTS / "baseline"

DESCRIPTION = """\
ipclab harness: build kernel variants, boot them under QEMU, parse the serial results
(bench/FORMAT.md), store runs under results/, compute statistics, draw figures, compare
runs and check for regressions. Run with /usr/bin/python3 (Debian's pandas).

Clock modes (--clock), each labelled with its unit everywhere:
  icount  default; -icount shift=0: one tick = one retired guest instruction, exact and
          deterministic; boots run in parallel up to the core count
  kvm     -accel kvm -cpu host: host TSC cycles, boots one at a time; refused on nested
          or paravirtual KVM hosts (rdtsc traps) unless --force-untrusted-kvm
  tcg     plain TCG: emulated ticks, NOT a real cost (flagged as such)

Exit status: 0 success, 1 a variant failed or a regression was found, 2 bad usage."""

EPILOG = """\
examples:
  harness list                                  variants, experiments, clock modes
  harness bench                                 every variant, icount, stored run
  harness bench -e message-structure            an experiment by name
  harness bench --variants l4-classic,sel4-like --samples 200
  harness boot --variant sel4-like              one boot, console and summary
  harness verify                                kernel gate: 2 identical boots each
  harness compare baseline latest               exact diff under icount
  harness regress                               bench + compare with results/baseline
  harness baseline --from latest                promote a stored run to the baseline
  harness report latest -e fastpath             tables and figures from a stored run
see harness/README.md for the run layout, CSV columns and statistics."""


def _add_matrix_opts(p, samples_default=None, warmup_default=None, clock=True):
    p.add_argument("--arch", default=os.environ.get("ARCH") or "x86_64",
                   help="target architecture: x86_64 (default), aarch64 or riscv64 "
                   "(harness/ipclab/arches.py)")
    if clock:
        p.add_argument("--clock", default="icount",
                       help="icount (default), kvm or tcg; see above")
    p.add_argument("--samples", type=int, default=samples_default,
                   help=f"samples per case passed to the guest (default {samples_default})")
    p.add_argument("--warmup", type=int, default=warmup_default,
                   help=f"warm-up iterations discarded by the guest (default {warmup_default})")
    p.add_argument("--jobs", "-j", type=int, default=None,
                   help="parallel boots (default: core count under icount, 1 otherwise)")
    p.add_argument("--timeout", type=float, default=bench.DEFAULT_TIMEOUT,
                   help="seconds before a hung guest is killed (default %(default)s)")
    p.add_argument("--no-build", action="store_true",
                   help="boot the existing build/<arch>/<variant>/ipclab.elf, do not run make")


def _add_selection(p):
    p.add_argument("--variants", "--variant", "-V", action="append", default=[],
                   metavar="NAMES", help="variant names, comma separated or repeated "
                   "(default: every variants/*.conf)")
    p.add_argument("--experiment", "-e", default=None,
                   help="run the variants of variants/experiments/<name>.conf")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="harness", description=DESCRIPTION, epilog=EPILOG,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", metavar="COMMAND")
    sub.required = True

    sub.add_parser("list", help="list variants (with axes), experiments and clock modes")

    p = sub.add_parser("bench", help="build and boot variants, store a run under results/",
                       description="Build and boot a matrix of variants and store one run "
                       "under results/<UTC>-<commit>/ (raw logs, samples.csv.gz, stats.csv, "
                       "meta.json, summary.md, figures/).")
    _add_selection(p)
    _add_matrix_opts(p, bench.DEFAULT_SAMPLES, bench.DEFAULT_WARMUP)
    p.add_argument("--results", default=str(RESULTS), help="where runs are stored")
    p.add_argument("--no-figures", action="store_true", help="skip gnuplot")
    p.add_argument("--force-untrusted-kvm", action="store_true",
                   help="run clock=kvm on a host whose KVM is nested/paravirtual; every "
                   "result is then flagged UNTRUSTED")

    p = sub.add_parser("regress", help="bench the default matrix and compare it with "
                       "results/baseline (exit 1 on regression)")
    _add_selection(p)
    _add_matrix_opts(p, None, None, clock=False)
    p.add_argument("--baseline", default=str(BASELINE))
    p.add_argument("--results", default=str(RESULTS))
    p.add_argument("--alpha", type=float, default=compare.DEFAULT_ALPHA)
    p.add_argument("--threshold", type=float, default=compare.DEFAULT_THRESHOLD)

    p = sub.add_parser("compare", help="compare two stored runs (A old, B new)",
                       description=compare.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_a", help="run directory, run id, 'latest' or 'baseline'")
    p.add_argument("run_b", help="run directory, run id, 'latest' or 'baseline'")
    p.add_argument("--report", default=None,
                   help="Markdown report path (default results/compare/<A>--<B>.md)")
    p.add_argument("--alpha", type=float, default=compare.DEFAULT_ALPHA,
                   help="kvm/tcg: significance level (default %(default)s)")
    p.add_argument("--threshold", type=float, default=compare.DEFAULT_THRESHOLD,
                   help="kvm/tcg: relative median change that counts (default %(default)s)")
    p.add_argument("--all", action="store_true", help="list unchanged cases too")

    p = sub.add_parser("verify", help="boot each variant twice under icount and check "
                       "the serial contract (exit 1 if any variant fails)",
                       description=verify.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("names", nargs="*", metavar="VARIANT", help="default: every variant")
    _add_matrix_opts(p, verify.VERIFY_SAMPLES, verify.VERIFY_WARMUP, clock=False)
    p.add_argument("--logdir", default=None,
                   help=f"where the boot logs go (default {RESULTS / 'verify'}, and its "
                   f"subdirectory <arch>/ for an arch other than x86_64)")
    p.add_argument("--debug", action="store_true",
                   help="boot the debug builds (make DEBUG=1: kernel assertions on)")

    p = sub.add_parser("boot", help="build and boot one variant, print its console and a "
                       "summary (make run)")
    p.add_argument("--variant", "-V", required=True)
    _add_matrix_opts(p, None, None)
    p.add_argument("--log", default=None, help="log path (default results/boot/<v>-<clock>.log)")
    p.add_argument("--quiet", "-q", action="store_true", help="do not echo the console")
    p.add_argument("--force-untrusted-kvm", action="store_true",
                   help="boot with clock=kvm on a host whose KVM is nested/paravirtual; "
                   "its numbers are then not real cycles")

    p = sub.add_parser("report", help="tables and figures again from a stored run "
                       "(no re-measurement)")
    p.add_argument("run", help="run directory, run id, 'latest' or 'baseline'")
    p.add_argument("--experiment", "-e", default=None,
                   help="restrict to an experiment's variants (figures go to "
                   "figures/<experiment>/)")
    p.add_argument("--out", default=None, help="figure directory")

    p = sub.add_parser("baseline", help="make a stored run the regression baseline "
                       "(results/baseline)")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--from", dest="src", help="run directory, run id or 'latest'")
    g.add_argument("--run", action="store_true",
                   help="bench the default matrix first, then promote it")
    _add_matrix_opts(p, None, None, clock=False)

    sub.add_parser("kvm-check", help="say whether KVM on this host counts real cycles")

    p = sub.add_parser("fuzz", help="run the kernel's system-call fuzzer on variants "
                       "(exit 1 if any fails; a failure is shrunk to its shortest prefix)",
                       description=fuzz.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("names", nargs="*", metavar="VARIANT", help="default: every variant")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--calls", type=int, default=fuzz.DEFAULT_CALLS,
                   help="system calls per variant (default %(default)s)")
    p.add_argument("--check", type=int, default=fuzz.DEFAULT_CHECK_EVERY,
                   help="calls between invariant checks (default %(default)s)")
    p.add_argument("--arch", default=os.environ.get("ARCH") or "x86_64")
    p.add_argument("--jobs", "-j", type=int, default=None)
    p.add_argument("--timeout", type=float, default=bench.DEFAULT_TIMEOUT,
                   help="seconds before a hung guest is killed (long runs get more)")
    p.add_argument("--no-build", action="store_true")
    p.add_argument("--no-shrink", action="store_true", help="do not look for the shortest "
                   "failing prefix")
    p.add_argument("--debug", action="store_true", help="fuzz the debug builds: the "
                   "kernel checks all its object invariants at every call")
    p.add_argument("--logdir", default=None,
                   help="default results/fuzz (results/fuzz-debug with --debug)")

    p = sub.add_parser("host", help="host-side benchmarks (bench/host): run, ingest, check, "
                       "plot, table, perf-status", description=hostbench.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    hsub = p.add_subparsers(dest="host_cmd", metavar="ACTION")
    hsub.required = True
    h = hsub.add_parser("run", help="run the host benchmarks, check and ingest their JSON")
    h.add_argument("--bin-dir", required=True, type=Path)
    h.add_argument("--run-dir", required=True, type=Path)
    h.add_argument("--smoke", action="store_true", help="brief run: output only checked")
    h.add_argument("bench_args", nargs="*", help="after --: arguments for the binaries")
    h = hsub.add_parser("ingest", help="ingest Google Benchmark JSON into a run directory")
    h.add_argument("--run-dir", required=True, type=Path)
    h.add_argument("json", nargs="+", type=Path)
    h = hsub.add_parser("check", help="check JSON files for completeness (exit 1 if not)")
    h.add_argument("json", nargs="+", type=Path)
    h = hsub.add_parser("plot", help="draw figures from <run>/host.csv (+ kernel stats)")
    h.add_argument("--run-dir", required=True, type=Path)
    h.add_argument("--plots-dir", type=Path, default=hostbench.PLOTS_DIR)
    h = hsub.add_parser("table", help="print the short table")
    h.add_argument("--run-dir", required=True, type=Path)
    hsub.add_parser("perf-status", help="what perf stat can count here")

    p = sub.add_parser("latest", help="print the directory of the newest complete run "
                       "(for scripts: make bench stores the host benchmarks beside it)")
    p.add_argument("--results", default=str(RESULTS), help="where runs are stored")
    return ap


# ----------------------------------------------------------------------- helpers

def resolve_run(name: str, results: Path | None = None) -> Path:
    results = Path(results or RESULTS)
    if name == "baseline":
        return results / "baseline"
    if name == "latest":
        runs = store.complete_runs(results)
        if not runs:
            raise UsageError(f"no complete run under {results}")
        return runs[-1]
    p = Path(name)
    if p.is_dir():
        return p
    if (results / name).is_dir():
        return results / name
    runs = [r.name for r in store.complete_runs(results)][-10:]
    raise UsageError(f"no such run: {name}\nrecent runs: {', '.join(runs) or '(none)'}; "
                     f"also 'latest' and 'baseline'")


def selection(args):
    if args.experiment and args.variants:
        raise UsageError("give --variants or --experiment, not both")
    if args.experiment:
        exp = config.resolve_experiment(args.experiment)
        return config.resolve_variants(exp.variants), exp
    return config.resolve_variants(args.variants, arch=args.arch), None


def _check_samples(args):
    for k in ("samples", "warmup"):
        v = getattr(args, k, None)
        if v is not None and v < (1 if k == "samples" else 0):
            raise UsageError(f"--{k} must be {'>= 1' if k == 'samples' else '>= 0'}")


def out(msg=""):
    print(msg, flush=True)


# ---------------------------------------------------------------------- commands

def cmd_list(args):
    out("variants (variants/*.conf):")
    for v in config.variants().values():
        out(f"  {v.name:<18} " + " ".join(f"{k}={val}" for k, val in v.config.items()))
    out("experiments (variants/experiments/*.conf):")
    for e in config.experiments().values():
        out(f"  {e.name:<18} {e.title}  [axis {e.axis}: {' '.join(e.variants)}]")
    out("clock modes:")
    for c in clockmod.CLOCKS.values():
        out(f"  {c.name:<7} unit: {c.unit}. {c.note}")
    return 0


def cmd_bench(args):
    _check_samples(args)
    variants, exp = selection(args)
    clk = clockmod.get_clock(args.clock)
    path, meta, ok = bench.run_bench(
        variants, clk, arch=args.arch, samples=args.samples, warmup=args.warmup,
        jobs=args.jobs, timeout=args.timeout, build=not args.no_build,
        results_dir=Path(args.results), experiment=exp,
        force_untrusted_kvm=args.force_untrusted_kvm, figures=not args.no_figures,
        progress=out)
    return 0 if ok else 1


def _compare(a_path, b_path, report_path, alpha, threshold, all_rows=False):
    a, b = store.load_run(a_path), store.load_run(b_path)
    c = compare.compare_runs(a, b, alpha, threshold)
    md = compare.markdown(c, all_rows)
    out(md)
    compare.write_report(c, report_path)
    out(f"report: {report_path}")
    return c


def cmd_compare(args):
    a, b = resolve_run(args.run_a), resolve_run(args.run_b)
    rp = Path(args.report) if args.report else RESULTS / "compare" / f"{a.name}--{b.name}.md"
    c = _compare(a, b, rp, args.alpha, args.threshold, args.all)
    return 1 if c.regressed else 0


def cmd_regress(args):
    _check_samples(args)
    base = Path(args.baseline)
    if not store.is_complete(base):
        raise UsageError(f"no baseline at {base}: create one with `make harness-baseline` "
                         f"(or `harness baseline --from <run>`)")
    bmeta = store.load_run(base).meta
    variants, exp = selection(args)
    clk = clockmod.get_clock(bmeta.get("clock", "icount"))
    samples = args.samples if args.samples is not None else bmeta.get("samples")
    warmup = args.warmup if args.warmup is not None else bmeta.get("warmup")
    out(f"regress: against {base} (run {bmeta.get('run_id')}, clock={clk.name}, "
        f"samples={samples})")
    if (samples, warmup) != (bmeta.get("samples"), bmeta.get("warmup")):
        out(f"WARNING: the baseline has samples={bmeta.get('samples')} "
            f"warmup={bmeta.get('warmup')}; this run uses samples={samples} "
            f"warmup={warmup}, so cases may show as changed")
    path, meta, ok = bench.run_bench(
        variants, clk, arch=args.arch, samples=samples, warmup=warmup, jobs=args.jobs,
        timeout=args.timeout, build=not args.no_build, results_dir=Path(args.results),
        experiment=exp, progress=out)
    c = _compare(base, path, path / "regress.md", args.alpha, args.threshold)
    if c.regressed:
        out("regress: REGRESSION (exit 1)")
    elif not ok:
        out("regress: no regression in what ran, but some variants FAILED (exit 1)")
    else:
        out("regress: no regression")
    return 1 if (c.regressed or not ok) else 0


def cmd_baseline(args):
    if args.run:
        _check_samples(args)
        variants = config.resolve_variants([], arch=args.arch)
        path, meta, ok = bench.run_bench(
            variants, clockmod.CLOCKS["icount"], arch=args.arch, samples=args.samples,
            warmup=args.warmup, jobs=args.jobs, timeout=args.timeout,
            build=not args.no_build, progress=out)
        if not ok:
            out(f"baseline NOT updated: the run {path} had failures")
            return 1
        src = path
    else:
        src = resolve_run(args.src)
        run = store.load_run(src)
        if run.meta.get("failed_variants"):
            out(f"baseline NOT updated: {src} has failed variants: "
                f"{', '.join(run.meta['failed_variants'])}")
            return 1
    store.copy_run(src, BASELINE, with_figures=False, compress_logs=True)
    out(f"baseline updated from {src} -> {BASELINE}\n"
        f"commit it:  git add results/baseline && git commit -m 'results: new baseline'")
    return 0


def cmd_report(args):
    path = resolve_run(args.run)
    run = store.load_run(path)
    variants = None
    title = None
    outdir = Path(args.out) if args.out else path / "figures"
    if args.experiment:
        exp = config.resolve_experiment(args.experiment)
        variants = [v for v in exp.variants if v in set(run.stats.variant)]
        missing = [v for v in exp.variants if v not in variants]
        if missing:
            out(f"note: run {run.run_id} has no results for {', '.join(missing)}")
        title = exp.title
        outdir = Path(args.out) if args.out else path / "figures" / exp.name
    st = run.stats if variants is None else run.stats[run.stats.variant.isin(variants)]
    meta = dict(run.meta)
    if variants is not None:
        meta["variant_order"] = variants
    out(report.summary_markdown(meta, st, full=False))
    files = plots.make_figures(st, meta, outdir, variants, title)
    for f in files:
        out(f"figure: {f}")
    return 0


def cmd_boot(args):
    _check_samples(args)
    v = config.resolve_variants([args.variant])[0]
    clk = clockmod.get_clock(args.clock)
    bench.check_arch(args.arch, clk)
    if clk.name == "kvm":
        # The same gate as bench: host checks, then a calibration boot of this variant.
        info = bench.kvm_gate([v], args.arch, args.force_untrusted_kvm, out,
                              build=not args.no_build)
        for r in info["reasons"]:
            out(f"WARNING (kvm untrusted): {r}")
    log = Path(args.log) if args.log else RESULTS / "boot" / f"{v.name}-{clk.name}.log"
    m = bench.Matrix([v], clk, args.arch, args.samples, args.warmup, 1, args.timeout,
                     not args.no_build, progress=out)
    result = {}
    stop = threading.Event()

    def tail():
        pos = 0
        while True:
            fin = stop.is_set()
            try:
                with open(log, "rb") as f:
                    f.seek(pos)
                    data = f.read()
                    pos += len(data)
                    if data:
                        sys.stdout.write(data.decode(errors="replace"))
                        sys.stdout.flush()
            except FileNotFoundError:
                pass
            if fin:
                return
            time.sleep(0.2)

    def on_done(var, b, boots):
        result["b"], result["boots"] = b, boots

    if log.exists():
        log.unlink()
    t = None
    if not args.quiet:
        t = threading.Thread(target=tail, daemon=True)
        t.start()
    try:
        m.run(lambda var, i: log, on_done)
    finally:
        stop.set()
        if t:
            t.join()
    b = result.get("b")
    if b is None or not b.ok:
        out(f"build of {v.name} failed:\n{b.output if b else ''}")
        return 1
    o = bench.Outcome(v, b, result["boots"][0])
    bench.judge(o, clk, args.samples, args.warmup, arch=args.arch)
    r = o.boot
    out(f"\n--- {v.name}: clock={clk.name} [{clk.unit}], QEMU exit {r.exit_code}"
        f"{' (TIMEOUT)' if r.timed_out else ''}, {r.seconds:.1f} s, log {log}")
    out(f"--- command: {r.cmdline}")
    if o.log and o.log.cases:
        out(f"--- {len(o.log.cases)} cases, {len(o.log.skips)} skips, {len(o.log.checks)} "
            f"checks; {bench.headline(o.log, clk.short_unit)}")
    if o.problems:
        for p in o.problems[:10]:
            out(f"--- PROBLEM {p}")
        return 1
    out("--- OK")
    return 0


def cmd_verify(args):
    _check_samples(args)
    variants = config.resolve_variants(args.names, arch=args.arch)
    ok = verify.run_verify(variants, arch=args.arch, samples=args.samples,
                           warmup=args.warmup, jobs=args.jobs, timeout=args.timeout,
                           build=not args.no_build,
                           logdir=Path(args.logdir) if args.logdir else None, progress=out,
                           debug=args.debug)
    return 0 if ok else 1


def cmd_kvm_check(args):
    h = clockmod.kvm_host_checks()
    for k, v in h["facts"].items():
        out(f"  {k}: {v}")
    if not h["usable"]:
        out("KVM: not usable here")
    elif h["trusted"]:
        out("KVM: usable and no sign of nesting; the guest calibration still runs at "
            "bench time")
    else:
        out("KVM: usable but NOT trusted for cycle counts:")
    for r in h["reasons"]:
        out(f"  - {r}")
    return 0 if h["trusted"] else 1


def cmd_host(args):
    """The host benchmarks' steps (hostbench.py); their console lines say 'hostbench:'."""
    def note(msg):
        print(f"hostbench: {msg}", file=sys.stderr)
    try:
        if args.host_cmd == "run":
            run_dir, problems = hostbench.run(args.bin_dir, args.run_dir, args.bench_args,
                                              smoke=args.smoke)
            for pr in problems:
                note(f"INCOMPLETE: {pr}")
            if problems:
                return 1
            out(f"hostbench: {run_dir}/host.csv written")
        elif args.host_cmd == "ingest":
            problems = hostbench.check(args.json)
            for pr in problems:
                note(f"warning: {pr}")
            args.run_dir.mkdir(parents=True, exist_ok=True)
            written = hostbench.write_csv(args.run_dir, hostbench.ingest(args.json))
            hostbench.write_meta(args.run_dir, args.json, hostbench.perf_status(),
                                 {"mode": "ingest", "check": problems or "complete"})
            out(f"hostbench: {written} written")
        elif args.host_cmd == "check":
            problems = hostbench.check(args.json)
            for pr in problems:
                note(f"INCOMPLETE: {pr}")
            if problems:
                return 1
            out("hostbench: complete")
        elif args.host_cmd == "plot":
            for f in hostbench.plot(args.run_dir, args.plots_dir):
                out(f"hostbench: {f}")
        elif args.host_cmd == "table":
            out(hostbench.table(args.run_dir))
        elif args.host_cmd == "perf-status":
            out(json.dumps(hostbench.perf_status(), indent=2))
    except (OSError, ValueError, RuntimeError) as e:
        note(f"error: {e}")
        return 2
    return 0


def cmd_fuzz(args):
    if args.calls < 1 or args.check < 1:
        raise UsageError("--calls and --check must be at least 1")
    variants = config.resolve_variants(args.names, arch=args.arch)
    results = fuzz.run_fuzz(variants, seed=args.seed, calls=args.calls,
                            check_every=args.check, arch=args.arch, jobs=args.jobs,
                            timeout=args.timeout, build=not args.no_build,
                            logdir=Path(args.logdir) if args.logdir else None,
                            shrink_failures=not args.no_shrink, progress=out,
                            debug=args.debug)
    return 0 if all(r.ok for r in results) else 1


def cmd_latest(args):
    out(str(resolve_run("latest", Path(args.results))))
    return 0


COMMANDS = {"latest": cmd_latest, "host": cmd_host, "fuzz": cmd_fuzz, "list": cmd_list, "bench": cmd_bench, "compare": cmd_compare,
            "regress": cmd_regress, "baseline": cmd_baseline, "report": cmd_report,
            "boot": cmd_boot, "verify": cmd_verify, "kvm-check": cmd_kvm_check}


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.cmd](args)
    except UsageError as e:
        print(f"harness: {e}", file=sys.stderr)
        return 2
    except (store.RunError, compare.CompareError, plots.PlotError) as e:
        print(f"harness: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("harness: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:                      # e.g. `harness compare A B | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
