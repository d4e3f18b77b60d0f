"""gnuplot figures made from stored statistics, never by re-measuring.

Scripts live in plots/*.gp; this module writes their data files next to the figures
(*.dat, kept so a figure can be re-drawn or checked) and runs gnuplot. Every figure is
written as PNG (viewing), SVG and PDF (papers, pdfcairo) unless `formats` says
otherwise. Titles say what is shown; the run id, the commit (a dirty tree marked),
the clock and what the error bars mean go into a caption line at the bottom.

    oneway-len<L>.*        one-way call cost per variant, same and cross, with the
                           null-syscall floor of each variant (ipc-oneway.gp)
    length-<space>.*       call cost against message length, a line per variant; more
                           than MAX_LINES variants are split into panels of at most
                           PANEL_LINES; a length a variant skips is marked x on the axis
                           (ipc-panels.gp)
    compare: <space>.*     old run dashed against new run solid, a panel per variant
    diff: <a>-vs-<b>.*     two variants of one run, a panel per address space
    misses-cross-call-len0.*   clock=model: misses per level of the one-way cross call,
                           hot and cold, a bar per variant (plots/exp-bars.gp)

Each figure shows one event of a run (metrics.py): the value's, or under the model
modelled cycles, hot (the usual names) and cold (cold-*), analysis.standard_figures.
"""
from __future__ import annotations

import math
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .clock import CLOCKS
from .config import REPO
from .errors import InfraError, UsageError
from .report import differing_axes, variant_label

PLOTS_DIR = REPO / "plots"
FORMATS = ("png", "svg", "pdf")
MAX_LINES = 6          # more lines than this in one panel are unreadable: split
PANEL_LINES = 4        # at most this many lines per panel once split
IPC_LENS = (0, 1, 2, 4, 8, 16)


class PlotError(InfraError):
    """gnuplot is missing or failed."""


def quote(s) -> str:
    """A gnuplot single-quoted string literal."""
    return "'" + str(s).replace("'", "''") + "'"


def _num(x) -> str:
    return "NaN" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.6g}"


def check_formats(formats) -> tuple:
    """('png', 'pdf') from 'png,pdf' or a list; refuses unknown formats by name."""
    if formats is None:
        return FORMATS
    if isinstance(formats, str):
        formats = formats.replace(",", " ").split()
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise UsageError(f"unknown figure format(s): {', '.join(bad) or '(none)'}; "
                         f"valid formats: {', '.join(FORMATS)}")
    return tuple(dict.fromkeys(formats))


def _array(name: str, values) -> str:
    values = list(values) or [0]
    items = ", ".join(quote(v) if isinstance(v, str) else _num(float(v)) for v in values)
    return f"array {name}[{len(values)}] = [{items}]"


def gnuplot(script: Path, params: dict, cwd: Path, arrays: dict | None = None) -> None:
    exe = shutil.which("gnuplot")
    if exe is None:
        raise PlotError("gnuplot is not installed (apt-get install gnuplot-nox)")
    setters = [f"{k}={v}" for k, v in params.items()]
    setters += [_array(k, v) for k, v in (arrays or {}).items()]
    p = subprocess.run([exe, "-e", "; ".join(setters), str(script)], cwd=cwd, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    if p.returncode != 0:
        raise PlotError(f"gnuplot {script.name} failed:\n{p.stdout}")


def _clock_words(meta: dict) -> tuple[str, str]:
    clock = CLOCKS.get(meta.get("clock", ""), None)
    unit = meta.get("unit") or (clock.unit if clock else "ticks")
    tag = f"clock={meta.get('clock')}"
    if meta.get("trusted") is False:
        tag += ", UNTRUSTED: nested/paravirtual KVM"
    return unit, tag


def run_words(meta: dict) -> str:
    """'run X, commit abcd1234 (DIRTY tree)': which run and source a figure shows."""
    git = meta.get("git", {}) or {}
    commit = git.get("short") or str(git.get("commit", "?"))[:8]
    dirty = " (DIRTY tree: uncommitted changes measured)" if git.get("dirty") else ""
    return f"run {meta.get('run_id')}, commit {commit}{dirty}"


def caption(meta: dict, what: str) -> str:
    _, tag = _clock_words(meta)
    return f"{run_words(meta)}; {tag}; {what}"


def _stat(st, variant, bench, space, metric, length):
    r = st[(st.variant == variant) & (st.bench == bench) & (st.space == space) &
           (st.metric == metric) & (st["len"] == length)]
    return (float(r["mean"].iloc[0]), float(r["ci95"].iloc[0])) if len(r) else (math.nan,
                                                                                math.nan)


def _files(base: Path, formats) -> list[Path]:
    return [base.with_suffix(f".{f}") for f in formats]


def skipped_lengths(st: pd.DataFrame, meta: dict, variant: str, space: str) -> list[int]:
    """Lengths the variant SKIPped in this space: from meta.json (runs that record the
    guest's SKIP lines), else the lengths other variants measured and it did not."""
    info = (meta.get("variants") or {}).get(variant) or {}
    if "skips" in info:
        return sorted({int(s["len"]) for s in info["skips"]
                       if s.get("bench") == "ipc" and s.get("space") == space})
    ipc = st[(st.bench == "ipc") & (st.space == space) & (st.metric == "call")]
    have = set(ipc[ipc.variant == variant]["len"].astype(int))
    if not have:
        return []
    return sorted(set(ipc["len"].astype(int)) - have)


def oneway_figure(st: pd.DataFrame, meta: dict, variants: list, outdir: Path,
                  length: int = 0, title: str | None = None, formats=FORMATS,
                  prefix: str = "") -> list[Path]:
    unit, tag = _clock_words(meta)
    base = outdir / f"{prefix}oneway-len{length}"
    rows = ["# index variant same_mean same_ci cross_mean cross_ci null_mean"]
    for i, v in enumerate(variants):
        sm, sc = _stat(st, v, "ipc", "same", "call", length)
        cm, cc = _stat(st, v, "ipc", "cross", "call", length)
        nm, _ = _stat(st, v, "null_syscall", "self", "round", 0)
        rows.append(f"{i} {v} {_num(sm)} {_num(0 if math.isnan(sc) else sc)} {_num(cm)} "
                    f"{_num(0 if math.isnan(cc) else cc)} {_num(nm)}")
    dat = base.with_suffix(".dat")
    dat.write_text("\n".join(rows) + "\n")
    t = title or "One-way IPC cost (call, client to server)"
    gnuplot(PLOTS_DIR / "ipc-oneway.gp",
            {"datafile": quote(dat.name), "outbase": quote(base.name), "nvar": len(variants),
             "ylabel": quote(f"one-way IPC cost [{unit}] ({tag})"),
             "figtitle": quote(f"{t}, message length {length} words"),
             "caption": quote(caption(meta, "bars = mean, error bars = 95% CI")),
             "formats": quote(" ".join(formats))}, cwd=outdir)
    return _files(base, formats)


# ------------------------------------------------------------------ panel figures

@dataclass
class Line:
    """One line of a panel figure: (len, mean, ci95) rows and how it is drawn."""
    title: str
    rows: list
    colour: int = 0
    dash: int = 1
    width: float = 2.0
    point: int = 7
    floor: float = math.nan
    skips: list = field(default_factory=list)


def _rows(st: pd.DataFrame, variant: str, space: str, metric: str) -> list:
    d = st[(st.variant == variant) & (st.bench == "ipc") & (st.space == space) &
           (st.metric == metric)].sort_values("len")
    return [(int(r.len), r.mean, 0 if pd.isna(r.ci95) else r.ci95) for r in d.itertuples()]


def _split(n: int) -> list[int]:
    """Panel sizes for n lines: one panel up to MAX_LINES, else balanced panels of at
    most PANEL_LINES."""
    if n <= MAX_LINES:
        return [n]
    k = math.ceil(n / PANEL_LINES)
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def panel_figure(panels: list, base: Path, *, figtitle: str, cap: str, ylabel: str,
                 formats=FORMATS) -> list[Path]:
    """panels: [(title, [Line, ...]), ...] -> one figure, panels sharing the y range."""
    lines = [ln for _, group in panels for ln in group]
    if not lines:
        return []
    blocks, pf, pn, pt = [], [], [], []
    for title, group in panels:
        pf.append(len(blocks))
        pn.append(len(group))
        pt.append(title)
        for ln in group:
            rows = [f"{x} {_num(m)} {_num(c)}" for x, m, c in ln.rows] or ["0 NaN 0"]
            blocks.append("\n".join([f'len "{ln.title}"'] + rows))
    dat = base.with_suffix(".dat")
    dat.write_text("\n\n\n".join(blocks) + "\n")
    top = max([m + c for ln in lines for _, m, c in ln.rows if not pd.isna(m)] +
              [ln.floor for ln in lines if not math.isnan(ln.floor)] + [1.0])
    sx = [x for ln in lines for x in ln.skips]
    sb = [i for i, ln in enumerate(lines) for _ in ln.skips]
    # Long legend entries (variant names with their axes) need the full width.
    wide = max(len(ln.title) for ln in lines) > 44
    cols = 1 if wide else min(len(panels), 3)
    rows = math.ceil(len(panels) / cols)
    width, height = (1300 if wide else 520 * cols + 100), 400 * rows + 120
    # The key sits inside each panel, above the data: head room for its entries.
    entries = max(len(g) for _, g in panels) + 1 + (1 if sx else 0)
    gnuplot(PLOTS_DIR / "ipc-panels.gp",
            {"datafile": quote(dat.name), "outbase": quote(base.name),
             "nblock": len(lines), "npanel": len(panels), "cols": cols,
             "rows": rows, "nskip": len(sx), "width": width, "height": height,
             "ml": _num(80 / width), "mr": _num(1 - 20 / width),
             "mb": _num(85 / height), "mt": _num(1 - 75 / height),
             "sx": _num(70 / width), "sy": _num(95 / height),
             "ymax": _num(top * (1.12 + 0.075 * entries)), "ylabel": quote(ylabel),
             "figtitle": quote(figtitle), "caption": quote(cap),
             "formats": quote(" ".join(formats))}, cwd=base.parent,
            arrays={"PF": pf, "PN": pn, "PT": pt,
                    "BC": [ln.colour % 12 + 1 for ln in lines],
                    "BD": [ln.dash for ln in lines], "BW": [ln.width for ln in lines],
                    "BP": [ln.point for ln in lines], "BF": [ln.floor for ln in lines],
                    "SX": sx, "SB": sb})
    return _files(base, formats)


def length_figure(st: pd.DataFrame, meta: dict, variants: list, outdir: Path,
                  space: str, title: str | None = None, formats=FORMATS,
                  prefix: str = "") -> list[Path]:
    unit, tag = _clock_words(meta)
    shown = differing_axes(st, variants)
    lines = []
    for v in variants:
        rows = _rows(st, v, space, "call")
        if not rows:
            continue
        lines.append(Line(variant_label(st, v, shown), rows, colour=len(lines),
                          floor=_stat(st, v, "null_syscall", "self", "round", 0)[0],
                          skips=skipped_lengths(st, meta, v, space)))
    if not lines:
        return []
    panels, i = [], 0
    sizes = _split(len(lines))
    for k, n in enumerate(sizes):
        group = lines[i:i + n]
        i += n
        for j, ln in enumerate(group):   # identical lines stay visible: wider first
            ln.width = 3.6 - 2.4 * j / max(1, n - 1) if n > 1 else 2
            ln.point = 5 + 2 * (j % 5)
        name = f"{space} address space" + (f" ({k + 1} of {len(sizes)})"
                                           if len(sizes) > 1 else "")
        panels.append((name, group))
    t = title or "One-way IPC cost (call) against message length"
    return panel_figure(panels, outdir / f"{prefix}length-{space}",
                        figtitle=f"{t}, {space} address space",
                        cap=caption(meta, "error bars = 95% CI of the mean"),
                        ylabel=f"one-way IPC cost [{unit}] ({tag})", formats=formats)


def make_figures(st: pd.DataFrame, meta: dict, outdir: Path, variants: list | None = None,
                 title: str | None = None, formats=None, prefix: str = "") -> list[Path]:
    """The standard figures of one view (st: one event and cache state) into outdir,
    their names starting with `prefix`; returns the files written."""
    formats = check_formats(formats)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if variants is None:
        order = meta.get("variant_order") or list(dict.fromkeys(st.variant))
        variants = [v for v in order if v in set(st.variant)]
    if not variants:
        return []
    files = oneway_figure(st, meta, variants, outdir, 0, title, formats, prefix)
    for space in ("same", "cross"):
        files += length_figure(st, meta, variants, outdir, space, title, formats, prefix)
    from .linuxrun import linux_figure       # Linux beside ipclab, when the run has it
    return files + (linux_figure(st, meta, outdir, formats) if not prefix else [])


MISS_LABELS = [("l1i_misses", "L1I"), ("l1d_misses", "L1D"), ("l2_misses", "L2"),
               ("l3_misses", "L3"), ("itlb_misses", "ITLB"), ("dtlb_misses", "DTLB")]


def misses_figure(st: pd.DataFrame, meta: dict, outdir: Path, variants: list | None = None,
                  space: str = "cross", metric: str = "call", length: int = 0,
                  formats=None) -> list[Path]:
    """clock=model: the misses per level of one case, hot and cold, a bar per variant
    (medians per sample), drawn with plots/exp-bars.gp."""
    formats = check_formats(formats)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if variants is None:
        order = meta.get("variant_order") or list(dict.fromkeys(st.variant))
        variants = [v for v in order if v in set(st.variant)]
    d = st[(st.bench == "ipc") & (st.space == space) & (st.metric == metric) &
           (st["len"] == length)]
    if not len(d) or not variants or "event" not in d.columns:
        return []
    med = {(r.variant, r.cache, r.event): r.median for r in d.itertuples()}
    rows, i = ["# index level " + " ".join(variants)], 0
    for cache in ("hot", "cold"):
        for event, label in MISS_LABELS:
            if not any((v, cache, event) in med for v in variants):
                continue
            rows.append(f"{i} {label}/{cache} " +
                        " ".join(_num(med.get((v, cache, event), math.nan)) for v in variants))
            i += 1
    if i == 0:
        return []
    base = outdir / f"misses-{space}-{metric}-len{length}"
    dat = base.with_suffix(".dat")
    dat.write_text("\n".join(rows) + "\n")
    _, tag = _clock_words(meta)
    gnuplot(PLOTS_DIR / "exp-bars.gp",
            {"datafile": quote(dat.name), "outbase": quote(base.name), "nvar": len(variants),
             "ncase": i, "ylabel": quote(f"misses per sample, median [misses] ({tag})"),
             "figtitle": quote(f"Cache and TLB misses of the one-way {space}-address-space "
                               f"{metric}, message length {length}: hot, and cold (every "
                               f"cache and TLB flushed before each sample)"),
             "caption": quote(caption(meta, "bars = median per sample; L3 = last-level "
                                      "cache, each of its misses goes to memory")),
             "logy": 0, "formats": quote(" ".join(formats))},
            cwd=outdir, arrays={"names": variants})
    return _files(base, formats)


def overlay_figures(a_st: pd.DataFrame, b_st: pd.DataFrame, a_meta: dict, b_meta: dict,
                    variants: list, outdir: Path, formats=None) -> list[Path]:
    """Before/after: per address space, a panel per variant with the old run (A,
    dashed) and the new run (B, solid)."""
    formats = check_formats(formats)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    unit, tag = _clock_words(b_meta)
    files = []
    for space in ("same", "cross"):
        panels = []
        for i, v in enumerate(variants):
            ra, rb = _rows(a_st, v, space, "call"), _rows(b_st, v, space, "call")
            if not ra and not rb:
                continue
            panels.append((v, [
                Line(f"A (old) {a_meta.get('run_id')}", ra, colour=6, dash=2, width=3.0,
                     point=6, skips=skipped_lengths(a_st, a_meta, v, space) if ra else []),
                Line(f"B (new) {b_meta.get('run_id')}", rb, colour=i, dash=1, width=1.6,
                     point=7, skips=skipped_lengths(b_st, b_meta, v, space) if rb else [])]))
        if not panels:
            continue
        cap = (f"A = {run_words(a_meta)}; B = {run_words(b_meta)}; {tag}; error bars = "
               f"95% CI")
        files += panel_figure(
            panels, outdir / f"compare-{space}",
            figtitle=f"One-way IPC cost (call) before and after, {space} address space",
            cap=cap, ylabel=f"one-way IPC cost [{unit}]", formats=formats)
    return files


def pair_figure(st: pd.DataFrame, meta: dict, va: str, vb: str, outdir: Path,
                formats=None) -> list[Path]:
    """Two variants of one run: a panel per address space, call against length."""
    formats = check_formats(formats)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    unit, tag = _clock_words(meta)
    shown = differing_axes(st, [va, vb])
    panels = []
    for space in ("same", "cross"):
        group = [Line(variant_label(st, v, shown), _rows(st, v, space, "call"), colour=i,
                      dash=1 if i else 2, width=3.0 if i == 0 else 1.6, point=6 + i,
                      floor=_stat(st, v, "null_syscall", "self", "round", 0)[0],
                      skips=skipped_lengths(st, meta, v, space))
                 for i, v in enumerate((va, vb))]
        if any(ln.rows for ln in group):
            panels.append((f"{space} address space", group))
    return panel_figure(panels, outdir / f"diff-{va}-vs-{vb}",
                        figtitle=f"{vb} against {va}: one-way IPC cost (call)",
                        cap=caption(meta, "error bars = 95% CI of the mean"),
                        ylabel=f"one-way IPC cost [{unit}] ({tag})", formats=formats)
