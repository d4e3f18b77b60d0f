"""An experiment's own figure (its FIGURE line, figspec.py), drawn from a run's
statistics with plots/exp-{lines,bars,waterfall}.gp. Like every figure of a run it
says its unit and clock mode, and its caption names the run and commit."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from . import figspec
from .plots import PLOTS_DIR, _clock_words, _files, _num, caption, check_formats, \
    gnuplot, quote

STAT_COLUMN = {"median": "median", "mean": "mean", "min": "min"}


def _value(st: pd.DataFrame, variant: str, case: str, stat: str) -> float:
    """The statistic of a case of the view st (one event and cache state)."""
    bench, space, metric, length = case.split("/")[:4]
    r = st[(st.variant == variant) & (st.bench == bench) & (st.space == space) &
           (st.metric == metric) & (st["len"] == int(length[3:]))]
    return float(r[STAT_COLUMN[stat]].iloc[0]) if len(r) else math.nan


def _ylabel(spec: figspec.FigureSpec, meta: dict, what: str, units: dict,
            metrics: list) -> str:
    """The axis label: the clock's unit and mode, or the experiment's UNITS for a metric
    that is not a clock reading (bytes, threads, calls)."""
    unit, tag = _clock_words(meta)
    what = spec.words("ylabel") or what
    own = {units[m] for m in metrics if m in units}
    if own:
        return f"{what}, {spec.stat} [{', '.join(sorted(own))}]"
    return f"{what}, {spec.stat} [{unit}] ({tag})"


def _metrics(cases: list) -> list:
    return [c.split("/")[2] for c in cases]


def _title(spec: figspec.FigureSpec, title: str) -> str:
    return f"{title}: {spec.words('title')}" if spec.words("title") else title


def lines(spec, st, meta, variants, base: Path, title: str, xlabel: str, formats,
         units: dict):
    benches, s, m = spec.benches, spec.params["space"], spec.params["metric"]
    b = benches[0] if len(benches) == 1 else "{" + ",".join(benches) + "}"
    blocks, names = [], []
    for v in variants:
        for bench in benches:
            d = st[(st.variant == v) & (st.bench == bench) & (st.space == s) &
                   (st.metric == m)].sort_values("len")
            rows = [f"{int(r['len'])} {_num(float(r[STAT_COLUMN[spec.stat]]))} "
                    f"{_num(float(r['ci95']) if pd.notna(r['ci95']) else 0.0)}"
                    for _, r in d.iterrows()]
            if not rows and len(benches) > 1:
                continue            # a bench (a mode) this variant does not run
            names.append(v if len(benches) == 1 else f"{v}: {bench}")
            blocks.append(f"# {names[-1]}\n" + ("\n".join(rows) if rows else "NaN NaN NaN"))
    if not blocks:
        blocks, names = ["# none\nNaN NaN NaN"], ["(no data)"]
    dat = base.with_suffix(".dat")
    dat.write_text("\n\n\n".join(blocks) + "\n")
    what = "error bars = 95% CI of the mean" if spec.stat == "mean" else \
        f"points = {spec.stat} per sample"
    gnuplot(PLOTS_DIR / "exp-lines.gp",
            {"datafile": quote(dat.name), "outbase": quote(base.name), "nvar": len(names),
             "xlabel": quote(xlabel or "len"),
             "ylabel": quote(_ylabel(spec, meta, f"{b}/{s}/{m}", units, [m])),
             "figtitle": quote(_title(spec, title)), "caption": quote(caption(meta, what)),
             "logx": int("logx" in spec.flags), "logy": int("logy" in spec.flags),
             "errors": int(spec.stat == "mean"), "formats": quote(" ".join(formats))},
            cwd=base.parent, arrays={"names": names})


def bars(spec, st, meta, variants, base: Path, title: str, xlabel: str, formats,
         units: dict):
    cases = spec.cases
    rows = ["# index case " + " ".join(variants)]
    for i, c in enumerate(cases):
        rows.append(f"{i} {c} " + " ".join(_num(_value(st, v, c, spec.stat))
                                           for v in variants))
    dat = base.with_suffix(".dat")
    dat.write_text("\n".join(rows) + "\n")
    gnuplot(PLOTS_DIR / "exp-bars.gp",
            {"datafile": quote(dat.name), "outbase": quote(base.name), "nvar": len(variants),
             "ncase": len(cases),
             "ylabel": quote(_ylabel(spec, meta, "cost", units, _metrics(cases))),
             "figtitle": quote(_title(spec, title)), "caption": quote(caption(meta, f"bars = "
                                                                 f"{spec.stat}")),
             "logy": int("logy" in spec.flags), "formats": quote(" ".join(formats))},
            cwd=base.parent, arrays={"names": variants})


def waterfall(spec, st, meta, variants, base: Path, title: str, xlabel: str, formats,
              units: dict):
    case = spec.cases[0]
    rows, prev = ["# index variant from to step"], 0.0
    for i, v in enumerate(variants):
        val = _value(st, v, case, spec.stat)
        step = val - prev
        rows.append(f"{i} {v} {_num(prev)} {_num(val)} {_num(step)}")
        prev = val if not math.isnan(val) else prev
    dat = base.with_suffix(".dat")
    dat.write_text("\n".join(rows) + "\n")
    refs = spec.references
    what = f"bars = {spec.stat}, each the step from the bar before"
    if refs:
        what += "; dashed = published numbers, not measured by ipclab"
    gnuplot(PLOTS_DIR / "exp-waterfall.gp",
            {"datafile": quote(dat.name), "outbase": quote(base.name), "nvar": len(variants),
             "nref": len(refs),
             "ylabel": quote(_ylabel(spec, meta, case, units, _metrics([case]))),
             "figtitle": quote(_title(spec, title)), "caption": quote(caption(meta, what)),
             "formats": quote(" ".join(formats))},
            cwd=base.parent, arrays={"RV": [r[1] for r in refs] or [0],
                                     "RL": [f"{r[0]}: {r[1]:g}" for r in refs] or [""]})


DRAW = {"lines": lines, "bars": bars, "waterfall": waterfall}


def _has_data(spec, st: pd.DataFrame, variants: list) -> bool:
    """Does the view st hold any case the figure draws, for any of its variants?"""
    if spec.kind == "lines":
        p = spec.params
        d = st[(st.bench == p["bench"]) & (st.space == p["space"]) &
               (st.metric == p["metric"])]
        return bool(d.variant.isin(variants).any())
    return any(not math.isnan(_value(st, v, c, spec.stat)) for c in spec.cases
               for v in variants)


def draw(exp: dict, st: pd.DataFrame, meta: dict, outdir: Path, formats=None,
         suffix: str = "", what: str = "", skip_empty: bool = False) -> list[Path]:
    """The experiment's FIGURE(s) (exp: its meta.json record), drawn from the view st (one
    event and cache state: analysis.experiment_figure), into outdir as
    experiment-<name><suffix>.* (a second figure: experiment-<name>-2<suffix>.*, ...),
    `what` added to its title; returns the files written (none when it has no FIGURE or
    the run has none of its variants; with `skip_empty`, none for a figure whose cases
    the view lacks)."""
    if not exp.get("figure"):
        return []
    formats = check_formats(formats)
    specs = figspec.parse_all(exp["figure"], f"experiment {exp['name']}: FIGURE")
    variants = [v for v in exp.get("variants", []) if v in set(st.variant)]
    if not variants:
        return []
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    files = []
    title = exp.get("title") or exp["name"]
    for i, spec in enumerate(specs):
        base = outdir / (f"experiment-{exp['name']}" + (f"-{i + 1}" if i else "") + suffix)
        if skip_empty and not _has_data(spec, st, variants):
            continue    # a view (an event of the model) without this figure's cases
        DRAW[spec.kind](spec, st, meta, variants, base,
                        f"{title}: {what}" if what else title, exp.get("xlabel", ""),
                        formats, exp.get("units") or {})
        files += _files(base, formats)
    return files
