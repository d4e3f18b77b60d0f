"""argparse front end of the `harness` command (harness/harness)."""
from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time
from pathlib import Path

import json

from . import analysis, bench, clock as clockmod, compare, config, export, fuzz, \
    hostbench, metrics, opscli, plots, reanalyse, report, runs as runsmod, store, vdiff, \
    verify
from . import proc
from . import model as clockmod_model
from .config import REPO, UsageError
from .errors import EXIT_INFRA, EXIT_OK, EXIT_REGRESSION, HarnessError, Interrupted, \
    describe_os_error

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
  model   icount with the cache/TLB model plugin (bench/model/, x86_64 only): every
          sample also gets modelled cycles and L1I/L1D/L2/L3/ITLB/DTLB misses, and cold
          cases (caches flushed before each sample) run beside the hot ones; --model-args
          changes the model's constants

Exit status:
  0  success
  1  a regression was found, or a variant failed (panic, hang, failed check,
     malformed or implausible output, build error)
  2  usage or input error (unknown name, bad option, malformed variant file, damaged
     stored run, refused comparison)
  3  infrastructure fault (host I/O error such as a read-only or full disk, QEMU or
     make missing, build/ or results/ locked by another harness run)
  128+N  killed by signal N (every child process is killed first)
A closed output pipe (`harness runs | head`) is not an error."""

EPILOG = """\
examples:
  harness list                                  variants, experiments, clock modes
  harness bench                                 every variant, icount, stored run
  harness bench -e message-structure            an experiment by name
  harness bench --variants l4-classic,sel4-like --samples 200
  harness boot --variant sel4-like              one boot, its summary (--console: raw)
  harness diff l4-classic sel4-like             two variants case by case, one run
  harness verify                                kernel gate: 2 identical boots each
  harness compare baseline latest               exact diff under icount
  harness bench --clock model                   misses and modelled cycles, hot and cold
  harness compare A B --variants sel4-like --cases 'ipc/cross/*' --format csv
  harness regress                               bench + compare with results/baseline
  harness baseline --from latest                promote a stored run to the baseline
  harness report latest -e fastpath --format pdf   figures for a paper, new folder
  harness runs                                  stored runs and their metadata
  harness reanalyse RUN                         rebuild a run's tables from its logs
  harness export latest --format gbench         for Google Benchmark's compare.py
  harness clean                                 remove what interrupted runs left
see harness/README.md for the run layout, CSV columns and statistics."""


def _add_matrix_opts(p, samples_default=None, warmup_default=None, clock=True):
    p.add_argument("--arch", default=os.environ.get("ARCH") or "x86_64",
                   help="target architecture: x86_64 (default), aarch64 or riscv64 "
                   "(harness/ipclab/arches.py)")
    if clock:
        p.add_argument("--clock", default="icount",
                       help="icount (default), kvm, tcg or model; see above")
        p.add_argument("--model-args", default="", metavar="NAME=VALUE,...",
                       help="clock=model: the model's parameters, e.g. "
                       "l2_size=512K,l3_miss_latency=250 (bench/model/README.md)")
    p.add_argument("--samples", type=int, default=samples_default,
                   help=f"samples per case passed to the guest (default {samples_default}; "
                   f"the guest's limit is checked before anything boots)")
    p.add_argument("--warmup", type=int, default=warmup_default,
                   help=f"warm-up iterations discarded by the guest (default {warmup_default})")
    p.add_argument("--jobs", "-j", type=int, default=None,
                   help="parallel boots (default: core count under icount, 1 otherwise)")
    p.add_argument("--timeout", type=float, default=bench.DEFAULT_TIMEOUT,
                   help="seconds before a hung guest is killed (default %(default)s)")
    p.add_argument("--no-build", action="store_true",
                   help="boot the existing build/<arch>/<variant>/ipclab.elf, do not run make")
    p.add_argument("--wait", action="store_true",
                   help="if another harness run holds build/ or results/, queue behind it "
                   "instead of refusing")


def _add_selection(p):
    p.add_argument("--variants", "--variant", "-V", action="append", default=[],
                   metavar="NAMES", help="variant names, comma separated or repeated "
                   "(default: every variants/*.conf)")
    p.add_argument("--experiment", "-e", default=None,
                   help="run the variants of variants/experiments/<name>.conf")


def _add_formats(p):
    p.add_argument("--format", dest="fig_format", default=None, metavar="FMTS",
                   help=f"figure formats, comma separated (default: all of "
                   f"{','.join(plots.FORMATS)})")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="harness", description=DESCRIPTION, epilog=EPILOG,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", metavar="COMMAND")
    sub.required = True

    sub.add_parser("list", help="list variants (with axes), experiments and clock modes; "
                   "a broken variant file is reported, the others still listed")

    p = sub.add_parser("bench", help="build and boot variants, store a run under results/",
                       description="Build and boot a matrix of variants and store one run "
                       "under results/<UTC>-<commit>/ (raw logs, samples.csv.gz, stats.csv, "
                       "meta.json, summary.md, figures/). With --host, the host benchmarks "
                       "run into the same run before it is published.")
    _add_selection(p)
    _add_matrix_opts(p, bench.DEFAULT_SAMPLES, bench.DEFAULT_WARMUP)
    p.add_argument("--results", default=str(RESULTS), help="where runs are stored")
    p.add_argument("--no-figures", action="store_true", help="skip gnuplot")
    p.add_argument("--force-untrusted-kvm", action="store_true",
                   help="run clock=kvm on a host whose KVM is nested/paravirtual; every "
                   "result is then flagged UNTRUSTED")
    p.add_argument("--host", dest="host_bin_dir", default=None, metavar="BIN_DIR",
                   help="also run the host benchmarks built in BIN_DIR (make "
                   "host-bench-build first, unless --no-host-build) into this run")
    p.add_argument("--host-args", default="", metavar="'ARGS'",
                   help="arguments for the host benchmark binaries (one string)")
    p.add_argument("--no-host-build", action="store_true",
                   help="use the host benchmark binaries as they are")
    p.add_argument("--linux", action="store_true",
                   help="also boot Debian's Linux with bench/linux/'s /init (pti on and "
                   "off) into this run as the pseudo-variants linux-pti-on/-off (x86_64, "
                   "icount; skipped with the reason when its kernel package cannot be "
                   "had)")

    p = sub.add_parser("regress", help="bench the default matrix and compare it with "
                       "results/baseline (exit 1 on regression); prints the verdict and "
                       "only the changed cases")
    _add_selection(p)
    _add_matrix_opts(p, None, None, clock=False)
    p.add_argument("--baseline", default=str(BASELINE))
    p.add_argument("--results", default=str(RESULTS))
    p.add_argument("--alpha", type=float, default=compare.DEFAULT_ALPHA)
    p.add_argument("--threshold", type=float, default=compare.DEFAULT_THRESHOLD)
    p.add_argument("--force", action="store_true",
                   help="run even against a baseline of another architecture")

    p = sub.add_parser("compare", help="compare two stored runs (A old, B new)",
                       description=compare.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_a", help="run directory, run id, 'latest' or 'baseline'")
    p.add_argument("run_b", help="run directory, run id, 'latest' or 'baseline'")
    p.add_argument("--report", default=None,
                   help="Markdown report path (default results/compare/<A>--<B>.md; the "
                   ".csv and .json beside it, figures in <A>--<B>/)")
    p.add_argument("--alpha", type=float, default=compare.DEFAULT_ALPHA,
                   help="kvm/tcg: significance level (default %(default)s)")
    p.add_argument("--threshold", type=float, default=compare.DEFAULT_THRESHOLD,
                   help="kvm/tcg: relative median change that counts (default %(default)s)")
    p.add_argument("--all", action="store_true", help="list unchanged cases too")
    p.add_argument("--variants", "-V", action="append", default=[], metavar="NAMES",
                   help="only these variants (comma separated or repeated)")
    p.add_argument("--cases", "-c", action="append", default=[], metavar="GLOBS",
                   help="only cases matching a glob on bench/space/metric/len<N>, e.g. "
                   "'ipc/cross/*' or '*/call/len0' (comma separated or repeated)")
    p.add_argument("--common", action="store_true",
                   help="only the cases both runs have (no MISSING/new)")
    p.add_argument("--events", action="append", default=[], metavar="EVENTS",
                   help="clock=model runs: only these events (default every one both runs "
                   "have: instructions, cycles, l1i_misses, ..., serializing)")
    p.add_argument("--format", dest="out_format", choices=("md", "csv", "json"),
                   default="md", help="what goes to stdout (all three are written)")
    p.add_argument("--no-figures", action="store_true",
                   help="skip the before/after figures")
    p.add_argument("--force", action="store_true",
                   help="compare even the same run, or runs of another arch, clock, "
                   "samples or warmup (reported as warnings)")

    p = sub.add_parser("diff", help="two variants case by case (deltas, ratios, CIs) "
                       "and a figure; measured together in one run unless one is stored",
                       description=vdiff.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("variant_a", metavar="VARIANT_A")
    p.add_argument("variant_b", metavar="VARIANT_B")
    p.add_argument("--run", default=None,
                   help="use this stored run (id, directory, 'latest' or 'baseline')")
    p.add_argument("--fresh", action="store_true",
                   help="measure both now even if a matching run is stored")
    _add_matrix_opts(p, None, None)
    p.add_argument("--results", default=str(RESULTS))
    p.add_argument("--cases", "-c", action="append", default=[], metavar="GLOBS",
                   help="only cases matching these globs (as compare --cases)")
    p.add_argument("--events", action="append", default=[], metavar="EVENTS",
                   help="clock=model: only these events (default every one)")
    p.add_argument("--out", default=None,
                   help="folder for diff.{md,csv,json} and the figure (default "
                   "results/diff/<A>--<B>--<run>/)")
    p.add_argument("--print", dest="out_format", choices=("md", "csv", "json"),
                   default="md", help="what goes to stdout")
    _add_formats(p)
    p.add_argument("--no-figures", action="store_true")

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
    p.add_argument("--experiment", "-e", default=None,
                   help="verify an experiment's variants running its workload (its own "
                   "cases and checks, two boots identical)")

    p = sub.add_parser("boot", help="build and boot one variant, print its summary table "
                       "(make run; the raw console with --console, make run V=1)")
    p.add_argument("--variant", "-V", required=True)
    _add_matrix_opts(p, None, None)
    p.add_argument("--log", default=None, help="log path (default results/boot/<v>-<clock>.log)")
    p.add_argument("--console", "-v", action="store_true",
                   help="echo the raw serial console (every DATA line) as it arrives")
    p.add_argument("--quiet", "-q", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--force-untrusted-kvm", action="store_true",
                   help="boot with clock=kvm on a host whose KVM is nested/paravirtual; "
                   "its numbers are then not real cycles")

    p = sub.add_parser("report", help="tables and figures again from a stored run, into a "
                       "new folder (never into the stored run)")
    p.add_argument("run", help="run directory, run id, 'latest' or 'baseline'")
    p.add_argument("--experiment", "-e", default=None,
                   help="restrict to an experiment's variants (its title on the figures)")
    p.add_argument("--variants", "-V", action="append", default=[], metavar="NAMES",
                   help="restrict to these variants, in this order")
    p.add_argument("--title", default=None, help="figure title (what is shown)")
    _add_formats(p)
    p.add_argument("--out", default=None, help="folder for summary.md and the figures "
                   "(default results/reports/<run>[-<exp>]-<UTC time>/)")

    p = sub.add_parser("baseline", help="make a stored run the regression baseline "
                       "(results/baseline)")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--from", dest="src", help="run directory, run id or 'latest'")
    g.add_argument("--run", action="store_true",
                   help="bench the default matrix first, then promote it")
    _add_matrix_opts(p, None, None, clock=False)
    p.add_argument("--force", action="store_true",
                   help="promote even a run from a dirty tree, or of clock kvm/tcg")

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

    p = sub.add_parser("export", help="a stored run as Google Benchmark JSON or CSV, or "
                       "in the shape of sel4bench's JSON results",
                       description=export.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", help="run directory, run id, 'latest' or 'baseline'")
    p.add_argument("--format", dest="out_format", required=True, choices=export.FORMATS)
    p.add_argument("--variants", "-V", action="append", default=[], metavar="NAMES",
                   help="only these variants (comma separated or repeated)")
    p.add_argument("--out", default=None, help="file to write ('-': stdout; default "
                   "results/exports/<run>.<format>.json or .csv)")
    p.add_argument("--event", default=None,
                   help="clock=model: which event (default cycles, modelled; "
                   "instructions, l1i_misses, ..., serializing)")
    p.add_argument("--cache", choices=metrics.CACHES, default="hot",
                   help="clock=model: the hot or the cold cases (default hot)")

    p = sub.add_parser("latest", help="print the directory of the newest complete run")
    p.add_argument("--results", default=str(RESULTS), help="where runs are stored")

    p = sub.add_parser("runs", help="list stored runs with their metadata")
    p.add_argument("--results", default=str(RESULTS), help="where runs are stored")
    p.add_argument("--check", action="store_true",
                   help="also verify every run's files against its checksums")

    p = sub.add_parser("clean", help="remove what interrupted runs left (results/.partial-* "
                       "and .old-* folders whose writer is gone)")
    p.add_argument("--results", default=str(RESULTS), help="where runs are stored")
    p.add_argument("--dry-run", "-n", action="store_true", help="only say what would go")
    p.add_argument("--wait", action="store_true",
                   help="if a harness run is writing results/, wait for it")

    p = sub.add_parser("reanalyse", aliases=["reanalyze"],
                       help="rebuild a run's tables, figures and summary from its raw "
                       "logs (a damaged run, or a .partial-* one cut short)",
                       description=reanalyse.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", help="run directory, run id, or a results/.partial-<id> folder")
    p.add_argument("--no-figures", action="store_true")
    p.add_argument("--wait", action="store_true",
                   help="if a harness run is writing results/, wait for it")
    opscli.add_parsers(sub, RESULTS)     # nightly, bisect, sweeps (opscli.py)
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
                     f"also 'latest' and 'baseline' (`harness runs` lists them)")


def selection(args):
    if args.experiment and args.variants:
        raise UsageError("give --variants or --experiment, not both")
    if args.experiment:
        exp = config.resolve_experiment(args.experiment)
        return config.resolve_variants(exp.variants), exp
    return config.resolve_variants(args.variants, arch=args.arch), None


def _check_samples(args):
    if getattr(args, "samples", None) is not None or getattr(args, "warmup", None) is not None:
        from .limits import check_request
        check_request(args.samples, args.warmup)


_stdout_closed = False


def _close_stdout() -> None:
    """The reader went away (`harness runs | head`): drop the rest of the output."""
    global _stdout_closed
    _stdout_closed = True
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def out(msg=""):
    if _stdout_closed:
        return
    try:
        print(msg, flush=True)
    except BrokenPipeError:
        _close_stdout()


def _terse(progress):
    """Progress without the per-variant 'ok' lines (a FAIL line still shows)."""
    ok_line = re.compile(r"^\[\s*\d+/\d+\] \S+\s+ok ")
    return lambda msg="": None if ok_line.match(str(msg)) else progress(msg)


# ---------------------------------------------------------------------- commands

def cmd_list(args):
    good, broken = config.scan_variants()
    out("variants (variants/*.conf):")
    for v in good.values():
        out(f"  {v.name:<18} " + " ".join(f"{k}={val}" for k, val in v.config.items()))
    exps, bad_exps = config.scan_experiments()
    out("experiments (variants/experiments/*.conf):")
    for e in exps.values():
        extra = (f", workload {e.workload}" if e.workload != "ipc" else "") + \
            (", verdict" if e.verdict else "")
        out(f"  {e.name:<18} {e.title}  [axis {e.axis}: {' '.join(e.variants)}{extra}]")
    out("clock modes:")
    for c in clockmod.CLOCKS.values():
        out(f"  {c.name:<7} unit: {c.unit}. {c.note}")
    for msg in broken + bad_exps:
        print(f"harness: BROKEN: {msg}", file=sys.stderr)
    if broken or bad_exps:
        print(f"harness: {len(broken) + len(bad_exps)} broken file(s) above: fix them (the "
              f"commands that use them refuse to run); everything else is listed",
              file=sys.stderr)
        return 2
    return 0


def _host_step(args):
    if not args.host_bin_dir:
        return None
    import shlex
    return bench.HostStep(Path(args.host_bin_dir), shlex.split(args.host_args or ""),
                          build=not args.no_host_build)


def cmd_bench(args):
    _check_samples(args)
    variants, exp = selection(args)
    clk = clockmod.get_clock(args.clock)
    path, meta, ok = bench.run_bench(
        variants, clk, arch=args.arch, samples=args.samples, warmup=args.warmup,
        jobs=args.jobs, timeout=args.timeout, build=not args.no_build,
        results_dir=Path(args.results), experiment=exp,
        force_untrusted_kvm=args.force_untrusted_kvm, figures=not args.no_figures,
        progress=out, host=_host_step(args), wait=args.wait, linux=args.linux,
        model_args=_model_args(args, clk))
    return meta.get("exit_status", EXIT_OK if ok else EXIT_REGRESSION)


def _model_args(args, clk) -> list | None:
    """--model-args, checked; refused with any clock but model."""
    text = getattr(args, "model_args", "") or ""
    if text and clk.name != "model":
        raise UsageError(f"--model-args needs --clock model (this is clock={clk.name})")
    return clockmod_model.check_args(text) if clk.name == "model" else None


def _compare_paths(a: Path, b: Path) -> Path:
    return RESULTS / "compare" / f"{a.name}--{b.name}.md"


def cmd_compare(args):
    a, b = resolve_run(args.run_a), resolve_run(args.run_b)
    rp = Path(args.report) if args.report else _compare_paths(a, b)
    ra, rb = store.load_run(a), store.load_run(b)
    c = compare.compare_runs(ra, rb, args.alpha, args.threshold, force=args.force,
                             variants=config.split_names(args.variants),
                             cases=config.split_names(args.cases), common=args.common,
                             events=config.split_names(args.events))
    files = compare.write_report(c, rp, args.all)
    if not args.no_figures:
        vs = [v for v in dict.fromkeys(list(c.rows.variant))]
        # the figure shows the headline event both runs have, hot
        ev = metrics.headline_event(rb.clock) if ra.clock == rb.clock else \
            metrics.value_event(rb.clock)
        try:
            files += plots.overlay_figures(
                metrics.stats_view(ra.stats, ev, "hot"), metrics.stats_view(rb.stats, ev, "hot"),
                analysis.view_meta(ra.meta, ev), analysis.view_meta(rb.meta, ev), vs,
                rp.with_suffix(""))
        except plots.PlotError as e:
            print(f"harness: WARNING: figures failed: {e}", file=sys.stderr)
    if args.out_format == "md":
        out(compare.markdown(c, args.all))
    else:
        out(files[1 if args.out_format == "csv" else 2].read_text().rstrip("\n"))
    print("written: " + ", ".join(str(f) for f in files), file=sys.stderr)
    return EXIT_REGRESSION if c.regressed else EXIT_OK


def cmd_regress(args):
    _check_samples(args)
    base = Path(args.baseline)
    if not store.is_complete(base):
        raise UsageError(f"no baseline at {base}: create one with `make harness-baseline` "
                         f"(or `harness baseline --from <run>`)")
    brun = store.load_run(base)
    bmeta = brun.meta
    if bmeta.get("arch") != args.arch and not args.force:
        raise UsageError(f"the baseline {base} is for arch={bmeta.get('arch')}, this run "
                         f"would be arch={args.arch}: nothing to compare with. Promote a "
                         f"baseline for {args.arch}, or pass --force")
    variants, exp = selection(args)
    clk = clockmod.get_clock(bmeta.get("clock", "icount"))
    samples = args.samples if args.samples is not None else bmeta.get("samples")
    warmup = args.warmup if args.warmup is not None else bmeta.get("warmup")
    out(f"regress: against {base} (run {bmeta.get('run_id')}, clock={clk.name}, "
        f"samples={samples} warmup={warmup})")
    if (samples, warmup) != (bmeta.get("samples"), bmeta.get("warmup")):
        out(f"WARNING: the baseline has samples={bmeta.get('samples')} "
            f"warmup={bmeta.get('warmup')}; this run uses samples={samples} "
            f"warmup={warmup}, so cases may show as changed")
    if (bmeta.get("git") or {}).get("dirty"):
        out(f"WARNING: the baseline was measured from a DIRTY tree "
            f"({', '.join(bmeta['git'].get('dirty_files', [])[:5])})")
    path, meta, ok = bench.run_bench(
        variants, clk, arch=args.arch, samples=samples, warmup=warmup, jobs=args.jobs,
        timeout=args.timeout, build=not args.no_build, results_dir=Path(args.results),
        experiment=exp, progress=_terse(out), wait=args.wait, summary=False,
        model_args=(bmeta.get("model") or {}).get("args") if clk.name == "model" else None)
    if not meta.get("published"):
        out("regress: FAILED: no variant ran, nothing to compare")
        return meta.get("exit_status", EXIT_REGRESSION)
    c = compare.compare_runs(brun, store.load_run(path), args.alpha, args.threshold,
                             force=True)
    files = compare.write_report(c, path.parent / "compare" /
                                 f"baseline--{path.name}.md")
    table = compare.changed_table(c)
    if c.rows.verdict.ne("same").any():
        out(f"\nchanged cases [{meta.get('unit')}]:\n\n{table}")
    out(f"\nreport: {files[0]} (.csv, .json beside it)")
    infra = meta.get("exit_status") == EXIT_INFRA
    if c.regressed:
        out(f"regress: {compare.verdict(c)} (exit 1)")
    elif not ok:
        out(f"regress: no regression in what ran, but some variants FAILED "
            f"({', '.join(meta.get('failed_variants', []))}) (exit "
            f"{EXIT_INFRA if infra else EXIT_REGRESSION})")
    else:
        out(f"regress: {compare.verdict(c)}")
    if c.regressed:
        return EXIT_REGRESSION
    return meta.get("exit_status", EXIT_OK if ok else EXIT_REGRESSION)


def _promotion_problems(run: store.Run) -> tuple[list[str], list[str]]:
    """(refusals unless --force, warnings) for making `run` the baseline."""
    refuse, warn = [], []
    m = run.meta
    g = m.get("git") or {}
    if g.get("dirty"):
        refuse.append(f"{run.run_id} was measured from a DIRTY tree (uncommitted: "
                      f"{', '.join(g.get('dirty_files', [])[:5])}): its commit does not "
                      f"name what was measured")
    if not clockmod.counts_instructions(m.get("clock", "")):
        refuse.append(f"{run.run_id} has clock={m.get('clock')}: the baseline is meant to "
                      f"be exact and deterministic (icount, or model)")
    if m.get("trusted") is False:
        refuse.append(f"{run.run_id} is an UNTRUSTED kvm run")
    if store.is_complete(BASELINE):
        try:
            old = store.load_meta(BASELINE)
        except store.RunError:
            old = {}
        for key in ("arch", "samples", "warmup"):
            if old and old.get(key) != m.get(key):
                warn.append(f"the current baseline has {key}={old.get(key)}, the new one "
                            f"{key}={m.get(key)}")
        if old.get("run_id") == run.run_id:
            warn.append(f"the baseline already is run {run.run_id}")
    return refuse, warn


def cmd_baseline(args):
    if args.run:
        _check_samples(args)
        variants = config.resolve_variants([], arch=args.arch)
        path, meta, ok = bench.run_bench(
            variants, clockmod.CLOCKS["icount"], arch=args.arch, samples=args.samples,
            warmup=args.warmup, jobs=args.jobs, timeout=args.timeout,
            build=not args.no_build, progress=out, wait=args.wait)
        if not ok:
            out(f"baseline NOT updated: the run {path} had failures")
            return meta.get("exit_status", EXIT_REGRESSION)
        src = path
    else:
        src = resolve_run(args.src)
    run = store.load_run(src)
    if run.meta.get("failed_variants"):
        out(f"baseline NOT updated: {src} has failed variants: "
            f"{', '.join(run.meta['failed_variants'])}")
        return EXIT_REGRESSION
    refuse, warn = _promotion_problems(run)
    if refuse and not args.force:
        raise UsageError("baseline NOT updated:\n  " + "\n  ".join(refuse) +
                         "\npass --force to promote it anyway")
    for w in [f"FORCED: {r}" for r in refuse] + warn:
        out(f"WARNING: {w}")
    with proc.locked(proc.Lock(BASELINE.parent / ".harness.lock", f"{BASELINE.parent}/"),
                     wait=args.wait, progress=out):
        store.copy_run(src, BASELINE, with_figures=False, compress_logs=True,
                       note={"forced": refuse} if refuse else None)
    out(f"baseline updated from {src} -> {BASELINE}\n"
        f"commit it:  git add results/baseline && git commit -m 'results: new baseline'")
    return EXIT_OK


def _inside_complete_run(p: Path) -> Path | None:
    """The complete run a path lies in (the path need not exist yet), if any."""
    p = p.resolve()
    for d in [p] + list(p.parents):
        if store.is_complete(d):
            return d
    return None


def cmd_report(args):
    path = resolve_run(args.run)
    run = store.load_run(path)
    formats = plots.check_formats(args.fig_format)
    have = [v for v in (run.meta.get("variant_order") or []) if v in set(run.stats.variant)]
    title, variants, tag = args.title, None, ""
    if args.experiment and args.variants:
        raise UsageError("give --variants or --experiment, not both")
    if args.experiment:
        exp = config.resolve_experiment(args.experiment)
        variants = [v for v in exp.variants if v in have]
        missing = [v for v in exp.variants if v not in variants]
        if missing:
            out(f"note: run {run.run_id} has no results for {', '.join(missing)}")
        title = title or exp.title
        tag = f"-{exp.name}"
    elif args.variants:
        variants = config.split_names(args.variants)
        bad = [v for v in variants if v not in have]
        if bad:
            raise UsageError(f"run {run.run_id} has no results for {', '.join(bad)}; it "
                             f"has: {', '.join(have)}")
    if variants == []:
        raise UsageError(f"run {run.run_id} has none of the experiment's variants")
    outdir = Path(args.out) if args.out else \
        RESULTS / "reports" / f"{run.run_id}{tag}-{store.utc_stamp()}"
    inside = _inside_complete_run(outdir)
    if inside is not None:
        raise UsageError(f"--out {outdir} is inside the stored run {inside}: a report never "
                         f"changes a stored run; choose a folder outside it")
    st = run.stats if variants is None else run.stats[run.stats.variant.isin(variants)]
    meta = dict(run.meta)
    if variants is not None:
        meta["variant_order"] = variants
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "summary.md").write_text(report.summary_markdown(meta, st))
    out(report.summary_markdown(meta, st, full=False))
    files = analysis.standard_figures(st, meta, outdir, variants, title, formats)
    out(f"report of {run.run_id} in {outdir}: summary.md and {len(files)} figure file(s)")
    for f in files:
        out(f"figure: {f}")
    return EXIT_OK


def cmd_boot(args):
    _check_samples(args)
    v = config.resolve_variants([args.variant])[0]
    clk = clockmod.get_clock(args.clock)
    bench.check_arch(args.arch, clk)
    bench.preflight(clk, args.arch, not args.no_build)
    with proc.locked(*bench.tree_locks(REPO), wait=args.wait, progress=out):
        return _boot(args, v, clk)


def _boot(args, v, clk):
    if clk.name == "kvm":
        # The same gate as bench: host checks, then a calibration boot of this variant.
        info = bench.kvm_gate([v], args.arch, args.force_untrusted_kvm, out,
                              build=not args.no_build)
        for r in info["reasons"]:
            out(f"WARNING (kvm untrusted): {r}")
    log = Path(args.log) if args.log else RESULTS / "boot" / f"{v.name}-{clk.name}.log"
    m = bench.Matrix([v], clk, args.arch, args.samples, args.warmup, 1, args.timeout,
                     not args.no_build, progress=out)
    m.model_args = _model_args(args, clk)
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
                        out(data.decode(errors="replace").rstrip("\n"))
            except FileNotFoundError:
                pass
            if fin:
                return
            time.sleep(0.2)

    def on_done(var, b, boots):
        result["b"], result["boots"] = b, boots

    log.parent.mkdir(parents=True, exist_ok=True)
    if log.exists():
        log.unlink()
    t = None
    if args.console:
        t = threading.Thread(target=tail, daemon=True)
        t.start()
    else:
        out(f"booting {v.name} (clock={clk.name}); the raw console goes to {log} "
            f"(--console or make run V=1 shows it)")
    try:
        m.run(lambda var, i: log, on_done)
    finally:
        stop.set()
        if t:
            t.join()
    b = result.get("b")
    if b is None or not b.ok:
        prob = bench.build_problem(b, "below") if b else "no build result"
        out(f"--- {v.name}: {prob}\n{(b.output if b else '')[-3000:]}")
        return EXIT_INFRA if b and b.tool_error else EXIT_REGRESSION
    o = bench.Outcome(v, b, result["boots"][0])
    bench.judge(o, clk, args.samples, args.warmup, arch=args.arch)
    r = o.boot
    if o.log and o.log.cases and (clk.name != "model" or o.ok):
        st = store.stats_frame(store.samples_frame(o.log, v, "boot", "", args.arch, clk))
        ev = metrics.headline_event(clk.name)
        unit = metrics.unit(clk.name, ev, clk.unit)
        for cache in metrics.CACHES if clk.name == "model" else ("hot",):
            view = metrics.stats_view(st, ev, cache)
            words = f", {cache}" if clk.name == "model" else ""
            out(f"\n## {v.name}: median per sample, message length 0{words} [{unit}] "
                f"(clock={clk.name})\n")
            out(report.headline_table(view, [v.name]))
            for space in ("same", "cross"):
                out(f"\n## call cost against message length, {space} address space"
                    f"{words}: median [{unit}]\n")
                out(report.length_table(view, [v.name], space))
        if clk.name == "model":
            out(f"\n## {v.name}: the model, one-way cross call, length 0: median per "
                f"sample\n")
            out(report.model_table(st, [v.name]))
    elif o.problems:
        for p in o.problems[:5]:
            out(f"problem: {p}")
    out(f"\n--- {v.name}: QEMU exit {r.exit_code}{' (TIMEOUT)' if r.timed_out else ''}, "
        f"{r.seconds:.1f} s; {len(o.log.cases) if o.log else 0} cases, "
        f"{len(o.log.skips) if o.log else 0} skips, {len(o.log.checks) if o.log else 0} "
        f"checks; log {log}")
    out(f"--- command: {r.cmdline}")
    if o.problems:
        for p in o.problems[:10]:
            out(f"--- PROBLEM {p}")
        return EXIT_INFRA if o.infra else EXIT_REGRESSION
    out("--- OK")
    return EXIT_OK


def cmd_verify(args):
    _check_samples(args)
    exp = None
    if args.experiment:
        if args.names:
            raise UsageError("give variant names or --experiment, not both")
        exp = config.resolve_experiment(args.experiment)
        variants = config.resolve_variants(exp.variants, arch=args.arch)
    else:
        variants = config.resolve_variants(args.names, arch=args.arch)
    ok = verify.run_verify(variants, arch=args.arch, samples=args.samples, experiment=exp,
                           warmup=args.warmup, jobs=args.jobs, timeout=args.timeout,
                           build=not args.no_build, logdir=Path(args.logdir) if args.logdir else None,
                           progress=out,
                           debug=args.debug, wait=args.wait)
    if ok.infra:
        out(f"verify: {', '.join(ok.infra)} failed because of the host, not the kernel "
            f"(exit 3)")
        return EXIT_INFRA
    return EXIT_OK if ok else EXIT_REGRESSION


def cmd_diff(args):
    _check_samples(args)
    names = config.split_names([args.variant_a, args.variant_b])
    va, vb = (names + [None, None])[:2]
    if len(names) != 2:
        raise UsageError("diff needs two different variants, e.g. "
                         "`harness diff l4-classic sel4-like`")
    variants = config.resolve_variants([va, vb])
    clk = clockmod.get_clock(args.clock)
    results = Path(args.results)
    cases = config.split_names(args.cases)
    if args.run:
        path = resolve_run(args.run, results)
        run = store.load_run(path)
        bad = [v for v in (va, vb) if (run.meta["variants"].get(v) or {}).get("status")
               != "ok"]
        if bad:
            raise UsageError(f"run {run.run_id} has no results for {', '.join(bad)}; omit "
                             f"--run to measure both in a new run")
    else:
        git = store.git_info(REPO)
        path = None
        if not args.fresh:
            path = vdiff.find_run(results, va, vb, clock=clk.name, arch=args.arch,
                                  samples=args.samples, warmup=args.warmup,
                                  commit=None if git["dirty"] else git["commit"])
        if path is not None:
            out(f"diff: both variants are in the stored run {path.name} (commit "
                f"{git['short']}, clean tree, clock={clk.name}); --fresh measures again")
        else:
            why = ("--fresh" if args.fresh else "the working tree is dirty" if git["dirty"]
                   else "no stored run of this commit has both")
            out(f"diff: measuring {va} and {vb} in one run ({why})")
            path, meta, ok = bench.run_bench(
                variants, clk, arch=args.arch, samples=args.samples, warmup=args.warmup,
                jobs=args.jobs, timeout=args.timeout, build=not args.no_build,
                results_dir=results, progress=_terse(out), wait=args.wait, summary=False,
                model_args=_model_args(args, clk))
            if not ok:
                out(f"diff: a variant failed ({', '.join(meta.get('failed_variants', []))}); "
                    f"see {path}")
                return meta.get("exit_status", EXIT_REGRESSION)
        run = store.load_run(path)
    events = config.split_names(args.events)
    for e in events:
        metrics.check_event(run.clock, e)
    df = vdiff.diff_table(run, va, vb, cases, events or None)
    if not len(df):
        raise UsageError(f"no case matches {', '.join(cases)}")
    md = vdiff.markdown(df, run, va, vb)
    outdir = Path(args.out) if args.out else results / "diff" / f"{va}--{vb}--{run.run_id}"
    files = vdiff.write(df, md, outdir, "diff")
    if not args.no_figures:
        ev = metrics.headline_event(run.clock)
        files += plots.pair_figure(metrics.stats_view(run.stats, ev, "hot"),
                                   analysis.view_meta(run.meta, ev), va, vb, outdir,
                                   plots.check_formats(args.fig_format))
    if args.out_format == "md":
        out(md)
    else:
        out(files[1 if args.out_format == "csv" else 2].read_text().rstrip("\n"))
    print(f"written: {outdir}/ ({', '.join(f.name for f in files)})", file=sys.stderr)
    return EXIT_OK


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
    except (ValueError, RuntimeError) as e:
        note(f"error: {e}")
        return 2
    except OSError as e:
        note(f"error: {e}")
        return EXIT_INFRA
    return 0


def cmd_fuzz(args):
    if args.calls < 1 or args.check < 1:
        raise UsageError("--calls and --check must be at least 1")
    variants = config.resolve_variants(args.names, arch=args.arch)
    bench.preflight(clockmod.CLOCKS["icount"], args.arch, not args.no_build)
    with proc.locked(*bench.tree_locks(REPO)):
        results = _fuzz(args, variants)
    return 0 if all(r.ok for r in results) else 1


def _fuzz(args, variants):
    return fuzz.run_fuzz(variants, seed=args.seed, calls=args.calls,
                         check_every=args.check, arch=args.arch, jobs=args.jobs,
                         timeout=args.timeout, build=not args.no_build,
                         logdir=Path(args.logdir) if args.logdir else None,
                         shrink_failures=not args.no_shrink, progress=out,
                         debug=args.debug)


def cmd_export(args):
    run = store.load_run(resolve_run(args.run))
    variants = config.split_names(args.variants)
    have = list(dict.fromkeys(run.stats.variant))
    bad = [v for v in variants if v not in have]
    if bad:
        raise UsageError(f"run {run.run_id} has no results for {', '.join(bad)}; it has: "
                         f"{', '.join(have)}")
    run = metrics.run_view(run, args.event, args.cache)
    text = export.render(export.select(run, variants), args.out_format)
    if args.out == "-":
        out(text.rstrip("\n"))
        return EXIT_OK
    path = Path(args.out) if args.out else export.default_path(RESULTS, run, args.out_format)
    inside = _inside_complete_run(path.parent)
    if inside is not None:
        raise UsageError(f"--out {path} is inside the stored run {inside}: an export never "
                         f"changes a stored run; choose a file outside it")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    out(f"exported {run.run_id} ({args.out_format}) to {path}")
    return EXIT_OK


def cmd_latest(args):
    out(str(resolve_run("latest", Path(args.results))))
    return EXIT_OK


def cmd_runs(args):
    entries = runsmod.scan(Path(args.results), check=args.check)
    if not entries:
        out(f"no runs under {args.results}")
        return EXIT_OK
    out(report.md_table(runsmod.HEADER, [e.row() for e in entries]))
    damaged = [e for e in entries if e.problem]
    stale = [e for e in entries if e.kind == "stale"]
    if stale:
        out(f"\n{len(stale)} stale folder(s) left by interrupted runs: `harness clean` "
            f"removes them")
    if damaged:
        out(f"\n{len(damaged)} DAMAGED run(s): `harness reanalyse RUN` rebuilds derived "
            f"files from the logs; see the state column")
        return 2
    return EXIT_OK


def cmd_clean(args):
    results = Path(args.results)
    with proc.locked(proc.Lock(results / ".harness.lock", f"{results}/"), wait=args.wait,
                     progress=out):
        removed, kept = runsmod.clean(results, dry_run=args.dry_run)
    for p in removed:
        out(f"{'would remove' if args.dry_run else 'removed'} {p}")
    for e in kept:
        out(f"kept {e.path}: still being written by pid {(e.owner or {}).get('pid')}")
    if not removed and not kept:
        out(f"nothing to clean under {results}")
    return EXIT_OK


def cmd_reanalyse(args):
    path = Path(args.run) if Path(args.run).is_dir() else resolve_run(args.run)
    with proc.locked(proc.Lock(path.parent / ".harness.lock", f"{path.parent}/"),
                     wait=args.wait, progress=out):
        final, meta, ok = reanalyse.reanalyse(path, figures=not args.no_figures,
                                              progress=out)
    return meta.get("exit_status", EXIT_OK if ok else EXIT_REGRESSION)


COMMANDS = {"latest": cmd_latest, "export": cmd_export, "host": cmd_host, "fuzz": cmd_fuzz, "list": cmd_list,
            "bench": cmd_bench,
            "compare": cmd_compare, "regress": cmd_regress, "baseline": cmd_baseline,
            "report": cmd_report, "boot": cmd_boot, "verify": cmd_verify,
            "kvm-check": cmd_kvm_check, "diff": cmd_diff, "runs": cmd_runs,
            "clean": cmd_clean, "reanalyse": cmd_reanalyse, "reanalyze": cmd_reanalyse,
            **opscli.COMMANDS}


def main(argv=None) -> int:
    global _stdout_closed
    _stdout_closed = False
    args = build_parser().parse_args(argv)
    with proc.signal_handlers():
        try:
            rc = COMMANDS[args.cmd](args)
        except HarnessError as e:
            print(f"harness: {e}", file=sys.stderr)
            rc = e.exit_code
        except Interrupted as e:
            print(f"harness: interrupted by {e.name}: every child process was killed",
                  file=sys.stderr)
            rc = e.exit_code
        except KeyboardInterrupt:
            print("harness: interrupted: every child process was killed", file=sys.stderr)
            rc = 130
        except BrokenPipeError:
            _close_stdout()
            rc = EXIT_OK
        except OSError as e:
            print(f"harness: {describe_os_error(e, f'during `harness {args.cmd}`')}",
                  file=sys.stderr)
            rc = EXIT_INFRA
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _close_stdout()
    return rc
