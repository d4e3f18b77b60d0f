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

STAT_COLUMN = {"median": "median", "mean": "mean", "min": "min", "max": "raw_max"}


def _stat(st: pd.DataFrame, samples, variant: str, bench: str, space: str, metric: str,
          length: int, stat: str) -> float:
    """One statistic of one case of the view st (one event and cache state): from its
    statistics, or (p99) from the samples; NaN when the run lacks the case (or, for p99,
    its samples)."""
    if stat == "p99":
        if samples is None:
            return math.nan
        sel = (samples.variant == variant) & (samples.bench == bench) & \
            (samples.space == space) & (samples.metric == metric) & \
            (samples["len"] == length)
        if "cache" in samples.columns:
            sel &= samples["cache"] == "hot"
        v = samples[sel]["value"]
        return float(v.quantile(0.99)) if len(v) else math.nan
    r = st[(st.variant == variant) & (st.bench == bench) & (st.space == space) &
           (st.metric == metric) & (st["len"] == length)]
    return float(r[STAT_COLUMN[stat]].iloc[0]) if len(r) else math.nan


def _value(st: pd.DataFrame, variant: str, case: str, stat: str, samples=None) -> float:
    bench, space, metric, length = case.split("/")[:4]
    return _stat(st, samples, variant, bench, space, metric, int(length[3:]), stat)


def _ylabel(spec: figspec.FigureSpec, meta: dict, what: str, units: dict,
            metrics: list, stat: str | None = None) -> str:
    """The axis label: the clock's unit and mode, or the experiment's UNITS for a metric
    that is not a clock reading (bytes, threads, calls). `what`: the figure's ylabel=,
    else the experiment's YLABEL, else the caller's default. stat "": several panels,
    each titled by its statistic."""
    unit, tag = _clock_words(meta)
    what = spec.words("ylabel") or what
    stat = spec.stat if stat is None else stat
    lead = f"{what}, {stat}" if stat else what
    own = {units[m] for m in metrics if m in units}
    if own:
        return f"{lead} [{', '.join(sorted(own))}]"
    return f"{lead} [{unit}] ({tag})"


def _metrics(cases: list) -> list:
    return [c.split("/")[2] for c in cases]


def _title(spec: figspec.FigureSpec, title: str) -> str:
    return f"{title}: {spec.words('title')}" if spec.words("title") else title


def _caption(meta: dict, what: str, note: str) -> str:
    return caption(meta, f"{what}. {note}" if note else what)


def lines(spec, st, meta, variants, base: Path, title: str, xlabel: str, formats,
          units: dict, samples=None, ylabel: str = "", note: str = ""):
    benches, s, m = spec.benches, spec.params["space"], spec.params["metric"]
    b = benches[0] if len(benches) == 1 else "{" + ",".join(benches) + "}"
    # The lines: a variant, or a variant's bench when several benches are named (a bench
    # a variant does not run is left out); one panel per statistic, statistic-major.
    lines_of = []
    for v in variants:
        for bench in benches:
            d = st[(st.variant == v) & (st.bench == bench) & (st.space == s) &
                   (st.metric == m)].sort_values("len")
            if d.empty and len(benches) > 1:
                continue
            lines_of.append((v, bench, d))
    names = [v if len(benches) == 1 else f"{v}: {bench}" for v, bench, _ in lines_of]
    blocks = []
    for stat in spec.stats:
        for name, (v, bench, d) in zip(names, lines_of):
            rows = []
            for _, r in d.iterrows():
                y = _stat(st, samples, v, bench, s, m, int(r["len"]), stat)
                err = float(r["ci95"]) if stat == "mean" and pd.notna(r["ci95"]) else 0.0
                rows.append(f"{int(r['len'])} {_num(y)} {_num(err)}")
            blocks.append(f"# {stat} {name}\n" + ("\n".join(rows) if rows else "NaN NaN NaN"))
    if not blocks:
        blocks, names = ["# none\nNaN NaN NaN"] * len(spec.stats), ["(no data)"]
    dat = base.with_suffix(".dat")
    dat.write_text("\n\n\n".join(blocks) + "\n")
    what = "error bars = 95% CI of the mean" if spec.stats == ["mean"] else \
        f"points = {', '.join(spec.stats)} of the samples"
    unit, tag = _clock_words(meta)
    gnuplot(PLOTS_DIR / "exp-lines.gp",
            {"datafile": quote(dat.name), "outbase": quote(base.name), "nvar": len(names),
             "npanel": len(spec.stats),
             "xlabel": quote(xlabel or "len"),
             "ylabel": quote(_ylabel(spec, meta, ylabel or f"{b}/{s}/{m}", units, [m],
                                     stat=spec.stat if len(spec.stats) == 1 else "")),
             "figtitle": quote(_title(spec, title)), "caption": quote(_caption(meta, what, note)),
             "logx": int("logx" in spec.flags), "logy": int("logy" in spec.flags),
             "errors": int(spec.stats == ["mean"]), "formats": quote(" ".join(formats))},
            cwd=base.parent, arrays={"names": names, "panels": spec.stats})


def bars(spec, st, meta, variants, base: Path, title: str, xlabel: str, formats,
         units: dict, samples=None, ylabel: str = "", note: str = ""):
    cases = spec.cases
    rows = ["# index case " + " ".join(variants)]
    for i, c in enumerate(cases):
        rows.append(f"{i} {c} " + " ".join(_num(_value(st, v, c, spec.stat, samples))
                                           for v in variants))
    dat = base.with_suffix(".dat")
    dat.write_text("\n".join(rows) + "\n")
    gnuplot(PLOTS_DIR / "exp-bars.gp",
            {"datafile": quote(dat.name), "outbase": quote(base.name), "nvar": len(variants),
             "ncase": len(cases),
             "ylabel": quote(_ylabel(spec, meta, ylabel or "cost", units, _metrics(cases))),
             "figtitle": quote(_title(spec, title)),
             "caption": quote(_caption(meta, f"bars = {spec.stat}", note)),
             "logy": int("logy" in spec.flags), "formats": quote(" ".join(formats))},
            cwd=base.parent, arrays={"names": variants})


def waterfall(spec, st, meta, variants, base: Path, title: str, xlabel: str, formats,
              units: dict, samples=None, ylabel: str = "", note: str = ""):
    case = spec.cases[0]
    rows, prev = ["# index variant from to step"], 0.0
    for i, v in enumerate(variants):
        val = _value(st, v, case, spec.stat, samples)
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
             "ylabel": quote(_ylabel(spec, meta, ylabel or case, units, _metrics([case]))),
             "figtitle": quote(_title(spec, title)), "caption": quote(_caption(meta, what, note)),
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
         suffix: str = "", what: str = "", skip_empty: bool = False,
         samples: pd.DataFrame | None = None) -> list[Path]:
    """The experiment's FIGURE(s) (exp: its meta.json record), drawn from the view st (one
    event and cache state: analysis.experiment_figure), into outdir as
    experiment-<name><suffix>.* (a second figure: experiment-<name>-2<suffix>.*, ...),
    `what` added to its title; returns the files written (none when it has no FIGURE or
    the run has none of its variants; with `skip_empty`, none for a figure whose cases
    the view lacks). `samples` (the view's tidy samples, a value column) gives p99."""
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
                        formats, exp.get("units") or {}, samples=samples,
                        ylabel=exp.get("ylabel", ""), note=exp.get("note", ""))
        files += _files(base, formats)
    return files
