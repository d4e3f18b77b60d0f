"""gnuplot figures made from a stored run (samples/stats), never by re-measuring.

Scripts live in plots/*.gp; this module writes their data files next to the figures
(figures/*.dat, kept so a figure can be re-drawn or checked) and runs gnuplot.

    figures/oneway-len<L>.{png,svg}   one-way call cost per variant, same and cross,
                                      with the null-syscall floor of each variant
    figures/length-<space>.{png,svg}  call cost against message length, a line per variant
"""
from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pandas as pd

from .clock import CLOCKS
from .config import REPO
from .report import differing_axes, variant_label

PLOTS_DIR = REPO / "plots"


class PlotError(Exception):
    pass


def quote(s) -> str:
    """A gnuplot single-quoted string literal."""
    return "'" + str(s).replace("'", "''") + "'"


def _num(x) -> str:
    return "NaN" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.6g}"


def gnuplot(script: Path, params: dict, cwd: Path) -> None:
    exe = shutil.which("gnuplot")
    if exe is None:
        raise PlotError("gnuplot is not installed (apt-get install gnuplot-nox)")
    setters = "; ".join(f"{k}={v}" for k, v in params.items())
    proc = subprocess.run([exe, "-e", setters, str(script)], cwd=cwd, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    if proc.returncode != 0:
        raise PlotError(f"gnuplot {script.name} failed:\n{proc.stdout}")


def _clock_words(meta: dict) -> tuple[str, str]:
    clock = CLOCKS.get(meta.get("clock", ""), None)
    unit = meta.get("unit") or (clock.unit if clock else "ticks")
    tag = f"clock={meta.get('clock')}"
    if meta.get("trusted") is False:
        tag += ", UNTRUSTED: nested/paravirtual KVM"
    return unit, tag


def _stat(st, variant, bench, space, metric, length):
    r = st[(st.variant == variant) & (st.bench == bench) & (st.space == space) &
           (st.metric == metric) & (st["len"] == length)]
    return (float(r["mean"].iloc[0]), float(r["ci95"].iloc[0])) if len(r) else (math.nan,
                                                                                math.nan)


def oneway_figure(st: pd.DataFrame, meta: dict, variants: list, outdir: Path,
                  length: int = 0, title: str | None = None) -> list[Path]:
    unit, tag = _clock_words(meta)
    base = outdir / f"oneway-len{length}"
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
    figtitle = (f"{t}, message length {length} words\nrun {meta.get('run_id')}, commit "
                f"{meta.get('git', {}).get('short')}, {tag}; bars = mean, error bars = 95% CI")
    gnuplot(PLOTS_DIR / "ipc-oneway.gp",
            {"datafile": quote(dat.name), "outbase": quote(base.name), "nvar": len(variants),
             "ylabel": quote(f"one-way IPC cost [{unit}] ({tag})"),
             "figtitle": quote(figtitle)}, cwd=outdir)
    return [base.with_suffix(".png"), base.with_suffix(".svg")]


def length_figure(st: pd.DataFrame, meta: dict, variants: list, outdir: Path,
                  space: str, title: str | None = None) -> list[Path]:
    unit, tag = _clock_words(meta)
    base = outdir / f"length-{space}"
    blocks, floors, used = [], [], []
    shown = differing_axes(st, variants)
    for v in variants:
        d = st[(st.variant == v) & (st.bench == "ipc") & (st.space == space) &
               (st.metric == "call")].sort_values("len")
        if not len(d):
            continue
        lines = [f'len "{variant_label(st, v, shown)}"']
        lines += [f"{int(r.len)} {_num(r.mean)} {_num(0 if pd.isna(r.ci95) else r.ci95)}"
                  for r in d.itertuples()]
        blocks.append("\n".join(lines))
        floors.append(_num(_stat(st, v, "null_syscall", "self", "round", 0)[0]))
        used.append(v)
    if not used:
        return []
    dat = base.with_suffix(".dat")
    dat.write_text("\n\n\n".join(blocks) + "\n")
    t = title or f"One-way IPC cost (call) against message length"
    figtitle = (f"{t}, {space} address space\nrun {meta.get('run_id')}, commit "
                f"{meta.get('git', {}).get('short')}, {tag}; error bars = 95% CI")
    gnuplot(PLOTS_DIR / "ipc-length.gp",
            {"datafile": quote(dat.name), "outbase": quote(base.name), "nvar": len(used),
             "floors": quote(" ".join(floors)),
             "ylabel": quote(f"one-way IPC cost [{unit}] ({tag})"),
             "figtitle": quote(figtitle)}, cwd=outdir)
    return [base.with_suffix(".png"), base.with_suffix(".svg")]


def make_figures(st: pd.DataFrame, meta: dict, outdir: Path, variants: list | None = None,
                 title: str | None = None) -> list[Path]:
    """Every figure of a run into outdir; returns the files written."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if variants is None:
        order = meta.get("variant_order") or list(dict.fromkeys(st.variant))
        variants = [v for v in order if v in set(st.variant)]
    if not variants:
        return []
    files = oneway_figure(st, meta, variants, outdir, 0, title)
    for space in ("same", "cross"):
        files += length_figure(st, meta, variants, outdir, space, title)
    return files
