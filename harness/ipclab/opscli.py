"""The commands of regression over time and of sweeps, registered by cli.py:

    nightly          the regression matrix, against the baseline and the previous night,
                     into results/history/ (nightly.py, history.py)
    bisect           the first commit that changed an icount number (bisect.py)
    sweep            enumerate, shard and run a design-space sweep (sweep.py, slurm.py)
    sweep-status     each shard's state
    sweep-resubmit   run or submit the failed (or named) shards again
    sweep-shard      one shard (what a Slurm array task or the local executor runs)
    merge            the shards of a sweep -> one stored run per arch x clock
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from . import bench, report, sweep
from .config import REPO, UsageError, split_names
from .errors import EXIT_INFRA, EXIT_OK, EXIT_REGRESSION


def _out(msg=""):
    from .cli import out
    out(msg)


def _results(args) -> Path:
    return Path(args.results)


def add_parsers(sub, results_default: Path) -> None:
    from . import nightly
    p = sub.add_parser(
        "nightly", help="the regression matrix at this commit against the baseline and "
        "the previous night; appends to results/history/, trend figures, Markdown and "
        "JUnit reports (exit 1 on regression)", description=nightly.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variants", "-V", action="append", default=[], metavar="NAMES",
                   help="default: every variant")
    p.add_argument("--arch", default=os.environ.get("ARCH") or "x86_64")
    p.add_argument("--jobs", "-j", type=int, default=None)
    p.add_argument("--timeout", type=float, default=bench.DEFAULT_TIMEOUT)
    p.add_argument("--no-build", action="store_true")
    p.add_argument("--no-figures", action="store_true")
    p.add_argument("--wait", action="store_true")
    p.add_argument("--force", action="store_true",
                   help="measure even when the baseline is of another arch (no baseline "
                   "comparison then)")
    p.add_argument("--baseline", default=str(results_default / "baseline"))
    p.add_argument("--history", default=str(results_default / "history"),
                   help="the history directory (default results/history, committed)")
    p.add_argument("--anchors", default=",".join(nightly.ANCHORS),
                   help="variants that get a trend figure")
    p.add_argument("--results", default=str(results_default))

    from . import bisect
    p = sub.add_parser(
        "bisect", help="the first commit between GOOD and BAD at which an icount number "
        "of one variant and case changed (git bisect run in a scratch worktree)",
        description=bisect.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("good", metavar="GOOD")
    p.add_argument("bad", metavar="BAD")
    p.add_argument("--variant", "-V", required=True)
    p.add_argument("--case", "-c", required=True, help="bench/space/metric/len<N>, e.g. "
                   "ipc/cross/call/len0")
    p.add_argument("--arch", default=os.environ.get("ARCH") or "x86_64")
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--timeout", type=float, default=bench.DEFAULT_TIMEOUT)
    p.add_argument("--exact", action="store_true",
                   help="any change of the raw samples counts (also the timer interrupt "
                   "moving into another sample)")
    p.add_argument("--keep", action="store_true", help="keep the scratch worktree")
    p.add_argument("--repo", default=None, help="the repository (default: this one)")
    p = sub.add_parser("bisect-step", help="one step of `harness bisect` (git bisect run "
                       "calls it in the scratch worktree)")
    p.add_argument("--tree", required=True)
    p.add_argument("--variant", required=True)
    p.add_argument("--case", required=True)
    p.add_argument("--reference", required=True)
    p.add_argument("--arch", default="x86_64")
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--timeout", type=float, default=bench.DEFAULT_TIMEOUT)
    p.add_argument("--exact", action="store_true")

    p = sub.add_parser(
        "sweep", help="enumerate the valid configurations of some axes (or a list of "
        "variants), shard them, run the shards here or as a Slurm job array",
        description=sweep.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--axes", default=None, metavar="AXIS,...",
                   help="axes to sweep (kernel/axes.conf), comma separated, or ALL; every "
                   "other axis keeps the base's value")
    p.add_argument("--base", default=None, metavar="VARIANT",
                   help="values of the axes not swept (default: the declared defaults)")
    p.add_argument("--variants", "-V", action="append", default=[], metavar="NAMES",
                   help="sweep these named variants instead of a product of axes")
    p.add_argument("--arch", default=os.environ.get("ARCH") or "x86_64",
                   help="architecture(s), comma separated: x86_64, aarch64, riscv64")
    p.add_argument("--clock", default="icount",
                   help="clock mode(s) (metric), comma separated; one merged run each")
    p.add_argument("--samples", type=int, default=bench.DEFAULT_SAMPLES)
    p.add_argument("--warmup", type=int, default=bench.DEFAULT_WARMUP)
    p.add_argument("--timeout", type=float, default=bench.DEFAULT_TIMEOUT)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--shards", type=int, default=None,
                   help="shards per arch x clock group")
    g.add_argument("--per-shard", type=int, default=None,
                   help=f"configurations per shard (default {sweep.DEFAULT_PER_SHARD})")
    p.add_argument("--executor", choices=("local", "slurm"), default="local")
    p.add_argument("--parallel", type=int, default=None,
                   help="local: shards at a time (default: one per core)")
    p.add_argument("--cpus-per-task", type=int, default=None,
                   help="slurm: CPUs per array task, its boot jobs (default 1)")
    p.add_argument("--partition", default=None, help="slurm: partition")
    p.add_argument("--time", dest="time_limit", default=None, help="slurm: time limit")
    p.add_argument("--sbatch-arg", action="append", default=[], metavar="'--opt=value'",
                   help="slurm: another #SBATCH line (repeatable), e.g. --account=x")
    p.add_argument("--no-submit", action="store_true",
                   help="slurm: write the script, print the sbatch command, submit nothing")
    p.add_argument("--wait", action="store_true",
                   help="slurm: wait for the shards (else the command returns at once)")
    p.add_argument("--merge", action="store_true",
                   help="merge when every shard is done (local: the default; slurm: "
                   "with --wait)")
    p.add_argument("--no-merge", action="store_true", help="local: do not merge")
    p.add_argument("--allow-dirty", action="store_true",
                   help="sweep the working tree's uncommitted changes too (runs marked DIRTY)")
    p.add_argument("--dry-run", "-n", action="store_true",
                   help="print the configurations and shards, write nothing")
    p.add_argument("--results", default=str(results_default))

    p = sub.add_parser("sweep-status", help="each shard of a sweep: state, host, wall time")
    p.add_argument("sweep", help="sweep directory, its id under results/sweeps/, or latest")
    p.add_argument("--results", default=str(results_default))

    p = sub.add_parser("sweep-resubmit", help="run (local) or submit (slurm) shards of a "
                       "sweep again: the failed ones, or those named")
    p.add_argument("sweep")
    p.add_argument("--shard", action="append", default=[], metavar="K,...")
    p.add_argument("--force", action="store_true",
                   help="also shards that are ok or still say running (a dead node)")
    p.add_argument("--parallel", type=int, default=None)
    p.add_argument("--wait", action="store_true")
    p.add_argument("--results", default=str(results_default))

    p = sub.add_parser("sweep-shard", help="run one shard of a sweep (what each Slurm "
                       "array task and the local executor run)")
    p.add_argument("sweep_dir")
    p.add_argument("index", type=int)
    p.add_argument("--jobs", "-j", type=int, default=None)

    p = sub.add_parser("merge", help="merge a sweep's shards into one stored run per arch "
                       "x clock (statistics, figures, verdicts as any run)")
    p.add_argument("sweep")
    p.add_argument("--partial", action="store_true",
                   help="merge although shards are missing or failed (their "
                   "configurations are recorded as not run)")
    p.add_argument("--again", action="store_true",
                   help="merge although merged before (a new run; the first stays)")
    p.add_argument("--no-figures", action="store_true")
    p.add_argument("--results", default=str(results_default))


# ------------------------------------------------------------------ sweep commands

def _status_table(sweep_dir: Path, sw: dict) -> tuple[str, list]:
    rows = sweep.status_rows(sweep_dir, sw)
    body = [[r["shard"], r["arch"], r["clock"], r["configs"], r["state"], r["attempt"],
             r["host"] or "-", "-" if r["wall_s"] is None else f"{r['wall_s']:.1f}",
             r["slurm_job"] or "-", (r["problem"] or r["run"] or "")[:90]]
            for r in rows]
    return report.md_table(["shard", "arch", "clock", "configs", "state", "attempt", "host",
                            "wall s", "slurm job", "run / problem"], body), rows


def _finish(sweep_dir: Path, args, merge: bool) -> int:
    sw = sweep.load(sweep_dir)
    table, rows = _status_table(sweep_dir, sw)
    _out(table)
    bad = sweep.unfinished(rows)
    if bad:
        failed = [r["shard"] for r in bad if r["state"] == "failed"]
        _out(f"\nsweep: {len(bad)} shard(s) not ok" +
             (f"; resubmit: {sweep.resubmit_hint(sweep_dir, failed)}" if failed else ""))
        return EXIT_REGRESSION if not any(r["problem"].startswith("infrastructure")
                                          for r in bad) else EXIT_INFRA
    if not merge:
        _out(f"\nsweep: every shard ok; merge: harness merge {sweep_dir}")
        return EXIT_OK
    rc = EXIT_OK
    for path, meta in sweep.merge(sweep_dir, results=_results(args), progress=_out):
        rc = max(rc, meta.get("exit_status", EXIT_OK))
        _out(f"merged run: {path}")
    return rc


def cmd_sweep(args):
    from . import slurm
    if args.samples is not None or args.warmup is not None:
        from .limits import check_request
        check_request(args.samples, args.warmup)
    t0 = time.monotonic()
    sweep_dir, sw = sweep.create(
        axes_text=args.axes, variants=split_names(args.variants), base=args.base,
        arches=split_names(args.arch), clocks=split_names(args.clock),
        samples=args.samples, warmup=args.warmup, timeout=args.timeout,
        per_shard=args.per_shard, shards=args.shards, executor=args.executor,
        results=_results(args), allow_dirty=args.allow_dirty, dry_run=args.dry_run,
        progress=_out)
    if args.dry_run:
        for s in sw["shards"]:
            _out(f"shard {s['index']} ({s['arch']}, {s['clock']}): {' '.join(s['configs'])}")
        named = sum(c["named"] for g in sw["groups"] for c in g["configs"])
        total = sum(len(g["configs"]) for g in sw["groups"])
        _out(f"{total} configuration run(s), {named} of them named variants; nothing written")
        return EXIT_OK
    every = [s["index"] for s in sw["shards"]]
    if args.executor == "local":
        sweep.run_local(sweep_dir, every, args.parallel, progress=_out)
        rc = _finish(sweep_dir, args, merge=not args.no_merge)
        _out(f"sweep {sw['sweep_id']}: wall {time.monotonic() - t0:.1f} s")
        return rc
    script = slurm.write_script(sweep_dir, sw, cpus_per_task=args.cpus_per_task or
                                slurm.cpus_per_task_default(), partition=args.partition,
                                time_limit=args.time_limit, extra=args.sbatch_arg)
    if args.no_submit:
        _out(f"sweep: wrote {script}; submit it with:\n  sbatch --array="
             f"{slurm.array_spec(every)} {script}\nthen: harness merge {sweep_dir}")
        return EXIT_OK
    job = slurm.submit(sweep_dir, every, progress=_out)
    if not args.wait:
        _out(f"sweep: when the job is done: harness merge {sweep_dir}")
        return EXIT_OK
    slurm.wait(sweep_dir, job, every, progress=_out)
    rc = _finish(sweep_dir, args, merge=args.merge)
    _out(f"sweep {sw['sweep_id']}: wall {time.monotonic() - t0:.1f} s (submission to "
         f"{'merge' if args.merge else 'last shard'})")
    return rc


def cmd_sweep_status(args):
    d = sweep.resolve_sweep(args.sweep, _results(args))
    sw = sweep.load(d)
    table, rows = _status_table(d, sw)
    _out(f"sweep {sw['sweep_id']} ({sw['executor']}): {d}")
    _out(table)
    for m in sw.get("merges", []):
        _out(f"merged ({m['arch']}, {m['clock']}): {m['run']} at {m['at_utc']}"
             f"{' (partial)' if m.get('partial') else ''}")
    bad = sweep.unfinished(rows)
    failed = [r["shard"] for r in bad if r["state"] == "failed"]
    if failed:
        _out(f"failed shard(s): {sweep.resubmit_hint(d, failed)}")
    return EXIT_REGRESSION if failed else EXIT_OK


def cmd_sweep_resubmit(args):
    from . import slurm
    d = sweep.resolve_sweep(args.sweep, _results(args))
    sw = sweep.load(d)
    rows = {r["shard"]: r for r in sweep.status_rows(d, sw)}
    if args.shard:
        try:
            picked = [int(x) for x in split_names(args.shard)]
        except ValueError:
            raise UsageError("--shard takes shard numbers, e.g. --shard 3,5")
        bad = [k for k in picked if k not in rows]
        if bad:
            raise UsageError(f"no shard {', '.join(map(str, bad))}; this sweep has 0.."
                             f"{len(rows) - 1}")
        busy = [k for k in picked if rows[k]["state"] in ("ok", "running") and not args.force]
        if busy:
            raise UsageError(f"shard(s) {', '.join(map(str, busy))} are "
                             f"{'/'.join(sorted({rows[k]['state'] for k in busy}))}: "
                             f"nothing to resubmit (--force runs them again; a shard "
                             f"'running' on a dead node needs it)")
    else:
        picked = [k for k, r in rows.items() if r["state"] == "failed" or
                  (r["state"] == "pending" and sw["executor"] == "local")]
        if not picked:
            _out("sweep-resubmit: no failed shard; name one with --shard K to run it again")
            return EXIT_OK
    _out(f"sweep-resubmit: shard(s) {', '.join(map(str, picked))} ({sw['executor']})")
    if sw["executor"] == "local":
        sweep.run_local(d, picked, args.parallel, progress=_out)
        return _finish(d, args, merge=False)
    job = slurm.submit(d, picked, progress=_out)
    if args.wait:
        slurm.wait(d, job, picked, progress=_out)
        return _finish(d, args, merge=False)
    return EXIT_OK


def cmd_sweep_shard(args):
    return sweep.run_shard(Path(args.sweep_dir), args.index, args.jobs, progress=_out)


def cmd_merge(args):
    d = sweep.resolve_sweep(args.sweep, _results(args))
    rc = EXIT_OK
    for path, meta in sweep.merge(d, results=_results(args), partial=args.partial,
                                  again=args.again, figures=not args.no_figures,
                                  progress=_out):
        rc = max(rc, meta.get("exit_status", EXIT_OK))
        _out(f"merged run: {path}")
    return rc


def cmd_nightly(args):
    from . import config, nightly
    variants = config.resolve_variants(args.variants)
    try:
        res = nightly.run_nightly(
            variants, arch=args.arch, baseline=Path(args.baseline), results=_results(args),
            history_dir=Path(args.history), jobs=args.jobs, timeout=args.timeout,
            build=not args.no_build, progress=_out, wait=args.wait,
            anchors=split_names(args.anchors), figures=not args.no_figures,
            force=args.force)
    except nightly._NotMeasured as e:
        _out(f"nightly: FAILED: no variant ran ({e.path}); nothing appended to the history")
        return e.meta.get("exit_status", EXIT_REGRESSION)
    md = nightly.markdown(res)
    _out("")
    _out(md.split("## Trend figures")[0].rstrip())
    outdir = _results(args) / nightly.NIGHTLY_DIR / res.meta["run_id"]
    _out(f"\nreports: {outdir}/report.md, {outdir}/junit.xml (copied to "
         f"{_results(args) / nightly.NIGHTLY_DIR / 'latest'}/); history: {res.history_file} "
         f"({res.history_file.stat().st_size} bytes)")
    rc = nightly.exit_status(res)
    _out(f"nightly: {'REGRESSION' if res.regressed else 'no regression'}; wall "
         f"{res.wall_s:.1f} s (exit {rc})")
    return rc


def cmd_bisect(args):
    from . import bisect
    from .limits import check_request
    check_request(args.samples, args.warmup)
    res = bisect.run_bisect(args.good, args.bad, args.variant, args.case,
                            repo=Path(args.repo) if args.repo else None, arch=args.arch,
                            samples=args.samples, warmup=args.warmup, timeout=args.timeout,
                            exact=args.exact, keep=args.keep, progress=_out)
    if res.first_bad is None:
        _out(f"bisect: {res.message} ({res.wall_s:.1f} s; logs in {res.logdir})")
        return EXIT_REGRESSION
    after = next((s for s in res.steps if s["commit"] == res.first_bad), None)
    _out(f"\nbisect: first commit that changed {args.variant} {args.case} "
         f"(icount, samples={args.samples}): {res.first_bad}")
    _out(f"  at GOOD: {res.good.text()}")
    _out(f"  at it:   {bisect.Number(**{k: after[k] for k in ('median', 'kept_mean', 'digest', 'status')}).text() if after else res.bad.text()}")
    _out("")
    _out(res.stat.rstrip())
    _out(f"\nbisect: {len(res.steps)} step(s) after GOOD and BAD, {res.wall_s:.1f} s; logs "
         f"in {res.logdir}")
    return EXIT_OK


def cmd_bisect_step(args):
    from . import bisect
    return bisect.step(Path(args.tree), args.variant, args.case, Path(args.reference),
                       arch=args.arch, samples=args.samples, warmup=args.warmup,
                       timeout=args.timeout, exact=args.exact)


COMMANDS = {"nightly": cmd_nightly, "bisect": cmd_bisect, "bisect-step": cmd_bisect_step, "sweep": cmd_sweep, "sweep-status": cmd_sweep_status,
            "sweep-resubmit": cmd_sweep_resubmit, "sweep-shard": cmd_sweep_shard,
            "merge": cmd_merge}
