"""The architecture as a dimension of runs.

A stored run holds one architecture (store.py; a sweep's merge makes one per arch and
clock as well), so that compare, regress, export and reanalyse keep their meaning.
This module runs the same matrix on several architectures and sets the results side by
side:

    parse_arches      'x86_64,aarch64 riscv64' -> a checked list (every command that
                      builds or boots takes `--arch` as such a list where it makes sense)
    not_applicable    why a variant cannot exist on an architecture (an axis value whose
                      `requires`/`excludes` in kernel/axes.conf names ARCH): such a
                      variant is left out of that architecture's matrix, with the reason
    host_skip_reason  the host benchmarks measure this machine: they join the run of the
                      host's own ISA only (Linux in the run is x86_64 only: linuxrun.py)
    baseline_name     results/baseline (x86_64, as always) and results/baseline-<arch>
    run_arches        `harness bench --arch a,b,c` (`make bench ARCHES="a b c"`): one
                      stored run per architecture, then the cross-architecture report
    write_report      `harness crossarch [RUN...]`: the report from stored runs

The report goes to results/crossarch/<UTC>-<commit>/ (never into a stored run):

    summary.md        the runs it reads (arch, run id, commit, QEMU machine, counter), a
                      table variant x architecture (null system call, one-way cross call
                      and reply at message length 0), a table per case with each
                      architecture's ratio to the first, what was not measured and why
    crossarch.csv     every case of every variant on every architecture: the statistics
                      of each run's stats.csv with the run id and commit of its row
    meta.json         the runs, their commits, clock, samples, warmup; warnings
    figures/arch-*    one figure per headline case: a group of bars per variant, one bar
                      per architecture (plots/arch-bars.gp), PNG, SVG and PDF

Runs of different clocks are refused (unless forced); different commits, samples or
warm-up counts, and a dirty tree, are warned about on every page of the report.
"""
from __future__ import annotations

import math
import os
import platform
import shutil
from pathlib import Path

import pandas as pd

from . import plots, report, store
from .arches import ARCHES, get_arch
from .config import UsageError, arch_refusal
from .errors import EXIT_OK

DIR_NAME = "crossarch"
# The cases of the report's tables and figures: (title, bench, space, metric, len).
HEADLINE = [
    ("null syscall", "null_syscall", "self", "round", 0),
    ("cross call", "ipc", "cross", "call", 0),
    ("cross reply", "ipc", "cross", "reply", 0),
]
CASE_TABLES = HEADLINE + [
    ("same call", "ipc", "same", "call", 0),
    ("cross round", "ipc", "cross", "round", 0),
    ("cross call len 8", "ipc", "cross", "call", 8),
]
FIGURES = [
    ("arch-cross-call-len0", "One-way IPC cost, call (client to server), cross address "
     "space, message length 0", ("ipc", "cross", "call", 0)),
    ("arch-cross-reply-len0", "One-way IPC cost, reply (server to client), cross "
     "address space, message length 0", ("ipc", "cross", "reply", 0)),
    ("arch-null-syscall", "Null system call (entry, exit and back), the floor of IPC",
     ("null_syscall", "self", "round", 0)),
]
CSV_COLS = ["variant", "arch"] + ["bench", "space", "metric", "len", "case", "count",
                                  "outliers", "min", "median", "mean", "stddev", "ci95",
                                  "ci95_lo", "ci95_hi", "raw_min", "raw_max", "unit",
                                  "clock", "run_id", "commit"]


# ------------------------------------------------------------------- selection

def parse_arches(value) -> list[str]:
    """Architecture names from 'a,b c' or a list: checked against the table
    (arches.py), duplicates dropped, order kept."""
    items = value if isinstance(value, (list, tuple)) else [value]
    names = [n for item in items for n in str(item or "").replace(",", " ").split()]
    if not names:
        raise UsageError(f"no architecture given; valid: {', '.join(ARCHES)}")
    for n in names:
        get_arch(n)
    return list(dict.fromkeys(names))


def not_applicable(variant, arch: str, axes=None) -> str | None:
    """The build's own refusal of `variant` on `arch` when one of its axis values cannot
    exist there, else None (config.arch_refusal: the same test that leaves such a
    variant out of an architecture's default matrix)."""
    return arch_refusal(variant, arch, axes)


def applicable(variants: list, arch: str, axes=None) -> tuple[list, dict]:
    """(the variants that can exist on arch, {left-out variant: reason})."""
    keep, left = [], {}
    for v in variants:
        why = not_applicable(v, arch, axes)
        if why:
            left[v.name] = why
        else:
            keep.append(v)
    return keep, left


def select_for_arch(variants: list, arch: str, progress=print) -> tuple[list, dict]:
    """applicable(), saying what is left out; refuses (UsageError) a selection of
    which nothing can exist on arch."""
    keep, left = applicable(variants, arch)
    for name, why in left.items():
        progress(f"{arch}: {name} left out: {why}")
    if variants and not keep:
        raise UsageError(f"none of the selected variants can exist on {arch}:\n  " +
                         "\n  ".join(left.values()))
    return keep, left


def host_isa() -> str:
    """The host's own architecture, in the harness's names."""
    m = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(m, m)


def host_skip_reason(arch: str) -> str | None:
    """Why the host benchmarks (bench/host: Linux IPC and the kernel's scheduler code,
    run on this machine) stay out of a run of `arch`, or None: they measure the host,
    so they go with the run of the host's own ISA, where the figures that set them
    beside the kernel's numbers compare code of one instruction set."""
    own = host_isa()
    if arch == own:
        return None
    return (f"they measure this {own} host, so they go with the {own} run; this run is "
            f"{arch} (`make bench ARCH={own}` or ARCHES=\"{own} ...\" has them)")


# -------------------------------------------------------------------- baselines

def baseline_name(arch: str) -> str:
    """results/baseline holds x86_64, as it always did; each other architecture has
    results/baseline-<arch>."""
    get_arch(arch)
    return "baseline" if arch == "x86_64" else f"baseline-{arch}"


def baseline_dir(results_dir: Path, arch: str) -> Path:
    return Path(results_dir) / baseline_name(arch)


# ------------------------------------------------------------------------- runs

def preflight_all(arches: list, clock, build: bool) -> None:
    """Every architecture's clock and tools, before anything of any of them runs."""
    from . import bench
    for a in arches:
        bench.check_arch(a, clock)
    for a in arches:
        bench.preflight(clock, a, build)


def run_arches(variants: list, clock, arches: list, *, results_dir: Path, progress=print,
               figures: bool = True, formats=None, **bench_kw) -> tuple[dict, Path | None, int]:
    """One stored run per architecture (bench.run_bench with the same options), then
    the cross-architecture report of those that were published. Returns ({arch: run
    path or None}, report directory or None, exit status: the worst of the runs')."""
    from . import bench
    preflight_all(arches, clock, bench_kw.get("build", True))
    paths, statuses = {}, []
    for i, a in enumerate(arches, 1):
        progress(f"== architecture {a} ({i}/{len(arches)}) ==")
        try:
            vs, left = select_for_arch(variants, a, progress)
        except UsageError as e:             # nothing selected exists there: the others run
            progress(f"{a}: left out: {e}")
            paths[a] = None
            continue
        path, meta, ok = bench.run_bench(
            vs, clock, arch=a, results_dir=results_dir, figures=figures, progress=progress,
            extra_meta={"not_applicable": left} if left else None, **bench_kw)
        statuses.append(meta.get("exit_status", EXIT_OK if ok else 1))
        paths[a] = path if meta.get("published") else None
        progress("")
    runs = [store.load_run(p) for p in paths.values() if p is not None]
    out = None
    if len(runs) >= 1:
        out = new_report_dir(Path(results_dir), runs)
        write_report(runs, out, figures=figures, formats=formats, progress=progress)
        progress(table_text(runs))
        progress(f"\ncross-architecture report: {out}/summary.md (figures in {out}/figures/)")
    missing = [a for a, p in paths.items() if p is None]
    if missing:
        progress(f"not in the report (no variant published): {', '.join(missing)}")
    return paths, out, max(statuses) if statuses else EXIT_OK


def latest_per_arch(results_dir: Path) -> list[Path]:
    """The newest complete run of each architecture under results_dir."""
    newest = {}
    for p in store.complete_runs(Path(results_dir)):
        try:
            arch = store.load_meta(p).get("arch")
        except store.RunError:
            continue
        if arch:
            newest[arch] = p
    return [newest[a] for a in ARCHES if a in newest]


def new_report_dir(results_dir: Path, runs: list) -> Path:
    commits = {(r.meta.get("git") or {}).get("short", "") for r in runs}
    tag = commits.pop() if len(commits) == 1 else "mixed"
    base = Path(results_dir) / DIR_NAME / f"{store.utc_stamp()}-{tag}"
    out, n = base, 1
    while out.exists():
        n += 1
        out = base.with_name(f"{base.name}.{n}")
    return out


# ----------------------------------------------------------------------- report

def check_runs(runs: list, force: bool = False) -> list[str]:
    """Warnings for the report; refuses (UsageError) two runs of one architecture and,
    unless forced, runs of different clocks (their numbers are different units)."""
    seen = {}
    for r in runs:
        a = r.meta.get("arch")
        if a in seen:
            raise UsageError(f"two runs of {a}: {seen[a]} and {r.run_id}; give one run "
                             f"per architecture")
        seen[a] = r.run_id
    warn = []
    clocks = {r.meta.get("clock") for r in runs}
    if len(clocks) > 1:
        msg = "runs of different clocks (" + ", ".join(
            f"{r.meta.get('arch')}: {r.meta.get('clock')}" for r in runs) + ")"
        if not force:
            raise UsageError(msg + ": their numbers are in different units; measure them "
                             "with one clock, or pass --force")
        warn.append("FORCED: " + msg)
    for key in ("samples", "warmup"):
        vals = {r.meta.get(key) for r in runs}
        if len(vals) > 1:
            warn.append(f"runs with different {key} (" + ", ".join(
                f"{r.meta.get('arch')}: {r.meta.get(key)}" for r in runs) + ")")
    commits = {(r.meta.get("git") or {}).get("commit") for r in runs}
    if len(commits) > 1:
        warn.append("runs of different commits (" + ", ".join(
            f"{r.meta.get('arch')}: {(r.meta.get('git') or {}).get('short')}"
            for r in runs) + "): the architectures ran different sources")
    dirty = [r.meta.get("arch") for r in runs if (r.meta.get("git") or {}).get("dirty")]
    if dirty:
        warn.append(f"measured from a DIRTY tree: {', '.join(dirty)} (the commit does not "
                    f"name what was measured)")
    untrusted = [r.meta.get("arch") for r in runs if r.meta.get("trusted") is False]
    if untrusted:
        warn.append(f"UNTRUSTED kvm numbers: {', '.join(untrusted)}")
    return warn


def variant_order(runs: list) -> list[str]:
    """Every kernel variant of any run (measured, failed or not applicable), in the
    order the runs list them, first run first. Linux's pseudo-variants (x86_64 only,
    linuxrun.py) are not kernel variants: each run's own summary sets them beside the
    anchors."""
    order = []
    for r in runs:
        order += list(r.meta.get("variant_order") or []) + \
            list(r.meta.get("not_applicable") or {})
    return list(dict.fromkeys(order))


def tidy(runs: list) -> pd.DataFrame:
    """Every run's stats.csv rows with their run id and commit (crossarch.csv)."""
    frames = []
    for r in runs:
        st = r.stats.copy()
        st["run_id"] = r.run_id
        st["commit"] = (r.meta.get("git") or {}).get("commit", "")
        frames.append(st)
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    axis = [c for c in store.axis_cols() if c in df.columns]
    cols = ["variant", "arch"] + axis + [c for c in CSV_COLS[2:] if c in df.columns]
    return df[cols] if len(df) else pd.DataFrame(columns=cols)


def _cell(run, variant: str, key) -> tuple[str, float, float, float]:
    """(text, median, mean, ci95) of one case of one variant in one run; the text is
    the median, or why there is none: n/a (cannot exist on that arch), FAIL, skip (a
    length over the variant's register limit) or '-' (not in that run)."""
    st = run.stats
    bench, space, metric, length = key
    r = st[(st.variant == variant) & (st.bench == bench) & (st.space == space) &
           (st.metric == metric) & (st["len"] == length)]
    if len(r):
        row = r.iloc[0]
        return report.fmt(float(row["median"])), float(row["median"]), float(row["mean"]), \
            float(row["ci95"]) if not pd.isna(row["ci95"]) else 0.0
    nan = math.nan
    if variant in (run.meta.get("not_applicable") or {}):
        return "n/a", nan, nan, nan
    info = (run.meta.get("variants") or {}).get(variant)
    if info is not None and info.get("status") != "ok":
        return "FAIL", nan, nan, nan
    if info is not None and any(int(s.get("len", -1)) == length and s.get("space") == space
                                for s in info.get("skips") or []):
        return "skip", nan, nan, nan
    return "-", nan, nan, nan


def _axes_of(runs: list, variant: str) -> dict:
    for r in runs:
        d = r.stats[r.stats.variant == variant]
        if len(d):
            return {a: d[a].iloc[0] for a in store.axis_cols() if a in d.columns}
    for r in runs:
        info = (r.meta.get("variants") or {}).get(variant) or {}
        if info.get("config"):
            return {k.lower(): v for k, v in info["config"].items()}
    return {}


def _shown_axes(runs: list, variants: list) -> list[str]:
    vals = {v: _axes_of(runs, v) for v in variants}
    return [a for a in store.axis_cols()
            if len({vals[v].get(a) for v in variants if vals[v]}) > 1]


def variant_arch_table(runs: list, variants: list) -> str:
    """A row per variant: the axes that differ, then per architecture the median null
    system call and one-way cross call and reply at message length 0."""
    shown = _shown_axes(runs, variants)
    header = ["variant"] + shown + [f"{r.meta.get('arch')} {t}" for r in runs
                                    for t, *_ in HEADLINE]
    rows = []
    for v in variants:
        ax = _axes_of(runs, v)
        rows.append([v] + [ax.get(a, "?") for a in shown] +
                    [_cell(r, v, k[1:])[0] for r in runs for k in HEADLINE])
    return report.md_table(header, rows)


def case_table(runs: list, variants: list, key) -> str:
    """A row per variant, a column per architecture (median), then each architecture's
    ratio to the first one's."""
    first = runs[0]
    header = ["variant"] + [r.meta.get("arch") for r in runs] + \
        [f"{r.meta.get('arch')} / {first.meta.get('arch')}" for r in runs[1:]]
    rows = []
    for v in variants:
        cells = [_cell(r, v, key) for r in runs]
        base = cells[0][1]
        ratios = [f"{c[1] / base:.2f}" if not (math.isnan(c[1]) or math.isnan(base) or
                                                base == 0) else "-" for c in cells[1:]]
        rows.append([v] + [c[0] for c in cells] + ratios)
    return report.md_table(header, rows)


def runs_table(runs: list) -> str:
    rows = []
    for r in runs:
        a = get_arch(r.meta.get("arch"))
        g = r.meta.get("git") or {}
        vs = r.meta.get("variants") or {}
        ok = sum(1 for i in vs.values() if i.get("status") == "ok")
        rows.append([a.name, r.run_id, (g.get("short") or "") + (" DIRTY" if g.get("dirty")
                                                                  else ""),
                     f"{a.qemu} -M {a.machine} -cpu {a.cpu}", a.counter,
                     f"{ok}/{len(r.meta.get('variant_order') or vs)}",
                     len(r.meta.get("not_applicable") or {})])
    return report.md_table(["arch", "run", "commit", "QEMU", "counter", "variants ok",
                            "not applicable"], rows)


def not_measured_section(runs: list, variants: list) -> str:
    lines = []
    for r in runs:
        a = r.meta.get("arch")
        for v, why in (r.meta.get("not_applicable") or {}).items():
            lines.append(f"- {v} on {a}: not applicable: {why}")
        for v, info in (r.meta.get("variants") or {}).items():
            if info.get("status") != "ok":
                probs = "; ".join(info.get("problems") or [])[:300]
                lines.append(f"- {v} on {a}: FAILED ({info.get('status')}): {probs}")
        have = set(r.meta.get("variants") or {}) | set(r.meta.get("not_applicable") or {})
        for v in variants:
            if v not in have:
                lines.append(f"- {v} on {a}: not in run {r.run_id}")
    return "\n".join(lines) if lines else \
        "Every variant was measured on every architecture."


def summary_markdown(runs: list, variants: list, meta: dict) -> str:
    m0 = runs[0].meta
    unit, clock = m0.get("unit", ""), m0.get("clock", "")
    parts = [f"# ipclab across architectures: {meta['id']}", "",
             f"- clock **{clock}**, unit **{unit}**, samples {m0.get('samples')}, warmup "
             f"{m0.get('warmup')} (each run's own in its meta.json)",
             f"- architectures: {', '.join(r.meta.get('arch') for r in runs)}"]
    for w in meta.get("warnings", []):
        parts.append(f"- **WARNING: {w}**")
    parts += ["", "## Runs", "", runs_table(runs), "",
              f"## Variant x architecture, message length 0: median [{unit}]", "",
              "One-way = call (client to server) and reply (server to client), cross "
              "address space; the null system call is the floor no IPC can beat. "
              "n/a: the variant cannot exist on that architecture; skip: a length over "
              "its register limit.", "",
              variant_arch_table(runs, variants)]
    for title, *key in CASE_TABLES:
        bench, space, metric, length = key
        parts += ["", f"## {title}: median [{unit}] per architecture "
                  f"(`{bench}/{space}/{metric}/len{length}`)", "",
                  case_table(runs, variants, tuple(key))]
    parts += ["", "## Not measured", "", not_measured_section(runs, variants)]
    if meta.get("figures"):
        parts += ["", "## Figures", ""] + [f"- `{f}`" for f in meta["figures"]]
    return "\n".join(parts) + "\n"


def table_text(runs: list, variants: list | None = None) -> str:
    """The variant x architecture table with its unit, for the console."""
    variants = variants or variant_order(runs)
    unit = runs[0].meta.get("unit", "")
    return (f"\n## variant x architecture, message length 0: median [{unit}] "
            f"(clock={runs[0].meta.get('clock')})\n\n" + variant_arch_table(runs, variants))


def arch_figure(runs: list, variants: list, outdir: Path, name: str, title: str, key,
                meta: dict, formats=plots.FORMATS) -> list[Path]:
    """One case across architectures: bars per variant, one per architecture."""
    m0 = runs[0].meta
    unit, tag = plots._clock_words(m0)
    base = outdir / name
    rows = ["# index variant " + " ".join(f"{r.meta.get('arch')}_mean _ci _median _mark"
                                          for r in runs)]
    for i, v in enumerate(variants):
        cells = [_cell(r, v, key) for r in runs]
        rows.append(f"{i} {v} " + " ".join(
            f"{plots._num(c[2])} {plots._num(c[3])} {plots._num(c[1])} "
            f"\"{'' if not math.isnan(c[1]) else c[0]}\"" for c in cells))
    base.with_suffix(".dat").write_text("\n".join(rows) + "\n")
    which = "; ".join(f"{r.meta.get('arch')} run {r.run_id}, commit "
                      f"{(r.meta.get('git') or {}).get('short')}"
                      f"{' DIRTY' if (r.meta.get('git') or {}).get('dirty') else ''}"
                      for r in runs)
    warn = " WARNING: " + "; ".join(meta["warnings"]) if meta.get("warnings") else ""
    plots.gnuplot(plots.PLOTS_DIR / "arch-bars.gp",
                  {"datafile": plots.quote(base.with_suffix(".dat").name),
                   "outbase": plots.quote(base.name), "nvar": len(variants),
                   "narch": len(runs),
                   "width": min(2400, max(1280, 40 * len(variants) * len(runs))),
                   "ylabel": plots.quote(f"[{unit}] ({tag})"),
                   "figtitle": plots.quote(title),
                   "caption": plots.quote(f"{which}; {tag}; bars = mean, error bars = 95% "
                                          f"CI, numbers = median{warn}"),
                   "formats": plots.quote(" ".join(formats))}, cwd=outdir,
                  arrays={"AT": [r.meta.get("arch") for r in runs]})
    return plots._files(base, formats)


def write_report(runs: list, out: Path, *, variants: list | None = None, figures=True,
                 formats=None, force: bool = False, progress=print) -> dict:
    """The cross-architecture report of `runs` (one per architecture) into `out`, a new
    directory (written aside and renamed into place). Returns its meta."""
    if not runs:
        raise UsageError("no run to report on")
    order = {a: i for i, a in enumerate(ARCHES)}
    runs = sorted(runs, key=lambda r: order.get(r.meta.get("arch"), len(order)))
    warnings = check_runs(runs, force)
    variants = variants or variant_order(runs)
    out = Path(out)
    tmp = out.parent / f".partial-{out.name}"
    if tmp.exists():
        shutil.rmtree(tmp)
    (tmp / "figures").mkdir(parents=True)
    meta = {"id": out.name, "created_utc": store.utc_stamp(),
            "clock": runs[0].meta.get("clock"), "unit": runs[0].meta.get("unit"),
            "runs": [{"arch": r.meta.get("arch"), "run_id": r.run_id, "path": str(r.path),
                      "commit": (r.meta.get("git") or {}).get("commit"),
                      "dirty": (r.meta.get("git") or {}).get("dirty"),
                      "samples": r.meta.get("samples"), "warmup": r.meta.get("warmup"),
                      "not_applicable": r.meta.get("not_applicable") or {}}
                     for r in runs],
            "variants": variants, "warnings": warnings, "figures": [], "figure_error": None}
    tidy(runs).to_csv(tmp / "crossarch.csv", index=False, float_format="%.6g")
    if figures:
        fmts = plots.check_formats(formats)
        try:
            for name, title, key in FIGURES:
                files = arch_figure(runs, variants, tmp / "figures", name, title, key, meta,
                                    fmts)
                meta["figures"] += [str(Path("figures") / f.name) for f in files]
        except plots.PlotError as e:
            meta["figure_error"] = str(e)
            progress(f"WARNING: figures failed: {e}")
    (tmp / "summary.md").write_text(summary_markdown(runs, variants, meta))
    store.write_json(tmp / "meta.json", meta)
    if out.exists():
        shutil.rmtree(out)
    os.rename(tmp, out)
    return meta

