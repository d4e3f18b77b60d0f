"""The nightly history: one compact row per variant, case and metric for every night,
kept in results/history/ (committed to git; append-only).

    results/history/<arch>-<clock>/<night UTC>-<short commit>.csv.gz

One file per night, written once and never changed (a second write of the same night
is refused): appending is adding a file, so the history grows by one small gzip'd CSV
a night, two branches that each add a night merge without conflict, and nothing in it
is ever rewritten. A night's rows (HISTORY_COLS):

    night, commit, short, dirty, subject, run_id, arch, clock, unit, samples, warmup,
    variant, config, case, count, outliers, min, median, mean, max, digest

`config` is the kernel's configuration string (every axis, so a variant whose file
changed is seen as such), `count`..`max` are the run's statistics (stats.csv: kept
samples, outliers, min, median, mean of the kept ones, raw maximum) and `digest` the
first 16 hex digits of the SHA-256 of the case's raw samples in sorted order: equal
digests mean the same multiset of samples, which is what `harness compare` calls
`same` under icount.

Night against night (`compare_nights`) follows compare.py's exact rule, on these
numbers instead of the samples: same digest -> same; kept mean or median higher ->
REGRESSION; lower -> improvement; otherwise changed (only outlier samples moved). A
case the older night has and the newer lacks is MISSING (a regression); one only the
newer has is new. Clocks that are not exact (kvm, tcg) compare the medians with a
relative threshold instead (the samples are not kept, so no rank test).
"""
from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import re
from pathlib import Path

import pandas as pd

from . import metrics, plots, store
from .config import axes as declared_axes

HISTORY_COLS = ["night", "commit", "short", "dirty", "subject", "run_id", "arch", "clock",
                "unit", "samples", "warmup", "variant", "config", "case", "count",
                "outliers", "min", "median", "mean", "max", "digest"]
KEY = ["variant", "case"]
EXACT_CLOCKS = ("icount",)
FILE_RE = re.compile(r"^(\d{8}T\d{6}Z)-([0-9a-z]+)\.csv\.gz$")
HEADLINE_CASES = ["ipc/cross/call/len0", "ipc/cross/reply/len0", "ipc/same/call/len0",
                  "null_syscall/self/round/len0"]


class HistoryError(Exception):
    pass


def series_dir(history: Path, arch: str, clock: str) -> Path:
    return Path(history) / f"{arch}-{clock}"


def digest(values) -> str:
    data = ",".join(str(int(v)) for v in sorted(values))
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def rows_from_run(run: store.Run, night: str, subject: str) -> pd.DataFrame:
    """A night's rows from a stored run (its statistics and raw samples)."""
    m = run.meta
    git = m.get("git") or {}
    # one row per case: the value's event (a model run's stats have one per event)
    st = metrics.stats_view(run.stats, metrics.value_event(m.get("clock", "")))
    dig = {k: digest(g["value"]) for k, g in
           run.samples.groupby(["variant", "case"], sort=False)}
    keys = [a.key for a in declared_axes()]
    rows = []
    for r in st.itertuples(index=False):
        rd = r._asdict()
        cfg = " ".join(f"{k}={rd[k]}" for k in keys if k in rd)
        rows.append([night, git.get("commit", ""), git.get("short", ""),
                     int(bool(git.get("dirty"))), subject, m.get("run_id"), m.get("arch"),
                     m.get("clock"), m.get("unit"), m.get("samples"), m.get("warmup"),
                     rd["variant"], cfg, rd["case"], rd["count"], rd["outliers"], rd["min"],
                     rd["median"], rd["mean"], rd.get("raw_max", rd.get("max")),
                     dig.get((rd["variant"], rd["case"]), "")])
    return pd.DataFrame(rows, columns=HISTORY_COLS)


def append(history: Path, rows: pd.DataFrame) -> Path:
    """Write one night's file; refuses to overwrite (the history is append-only)."""
    first = rows.iloc[0]
    d = series_dir(history, first["arch"], first["clock"])
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{first['night']}-{first['short'] or 'nogit'}.csv.gz"
    if path.exists():
        raise HistoryError(f"{path} exists: the history is append-only and this night "
                           f"is in it already")
    buf = io.StringIO()
    rows.to_csv(buf, index=False, float_format="%.6g")
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                mtime=0, compresslevel=9) as gz:
        gz.write(buf.getvalue().encode())
    os.replace(tmp, path)
    return path


def load(history: Path, arch: str, clock: str) -> pd.DataFrame:
    """Every night of one arch and clock, oldest first."""
    d = series_dir(history, arch, clock)
    files = sorted(f for f in d.glob("*.csv.gz") if FILE_RE.match(f.name)) if d.is_dir() \
        else []
    frames = []
    for f in files:
        try:
            df = pd.read_csv(f, dtype={"short": str, "commit": str, "digest": str,
                                       "subject": str})
        except (OSError, EOFError, ValueError, pd.errors.ParserError) as e:
            raise HistoryError(f"{f} cannot be read ({e}); restore it from git "
                               f"(git checkout -- {f})")
        missing = [c for c in HISTORY_COLS if c not in df.columns]
        if missing:
            raise HistoryError(f"{f} lacks column(s) {', '.join(missing)}")
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=HISTORY_COLS)
    out = pd.concat(frames, ignore_index=True)
    out["subject"] = out["subject"].fillna("")
    return out.sort_values("night", kind="stable").reset_index(drop=True)


def nights(hist: pd.DataFrame) -> list[str]:
    return sorted(set(hist["night"]))


def previous_night(hist: pd.DataFrame, before: str, samples=None, warmup=None
                   ) -> pd.DataFrame:
    """The rows of the newest night before `before` measured alike (samples, warmup)."""
    h = hist[hist["night"] < before]
    if samples is not None:
        h = h[(h["samples"] == samples) & (h["warmup"] == warmup)]
    if not len(h):
        return h
    return h[h["night"] == h["night"].max()]


def compare_nights(old: pd.DataFrame, new: pd.DataFrame, threshold: float = 0.02
                   ) -> pd.DataFrame:
    """Case by case, old night -> new night (rule in the module docstring)."""
    exact = (set(new["clock"]) | set(old["clock"])) <= set(EXACT_CLOCKS)
    o = old.set_index(KEY)
    n = new.set_index(KEY)
    rows = []
    order = list(o.index) + [k for k in n.index if k not in o.index]
    for key in order:
        a = o.loc[key] if key in o.index else None
        b = n.loc[key] if key in n.index else None
        rec = {"variant": key[0], "case": key[1],
               "old_median": a["median"] if a is not None else math.nan,
               "new_median": b["median"] if b is not None else math.nan,
               "old_mean": a["mean"] if a is not None else math.nan,
               "new_mean": b["mean"] if b is not None else math.nan}
        if b is None:
            verdict = "MISSING"
        elif a is None:
            verdict = "new"
        elif exact:
            if a["digest"] == b["digest"]:
                verdict = "same"
            elif b["mean"] > a["mean"] or b["median"] > a["median"]:
                verdict = "REGRESSION"
            elif b["mean"] < a["mean"] or b["median"] < a["median"]:
                verdict = "improvement"
            else:
                verdict = "changed"
        else:
            base = abs(a["median"]) or 1.0
            rel = (b["median"] - a["median"]) / base
            verdict = "REGRESSION" if rel > threshold else \
                "improvement" if rel < -threshold else "same"
        rec["config_changed"] = bool(a is not None and b is not None and
                                     a["config"] != b["config"])
        rec["verdict"] = verdict
        rows.append(rec)
    return pd.DataFrame(rows, columns=["variant", "case", "old_median", "new_median",
                                       "old_mean", "new_mean", "config_changed", "verdict"])


# ------------------------------------------------------------------ trend figures

def trend_figure(hist: pd.DataFrame, variant: str, outdir: Path, *,
                 cases: list[str] = HEADLINE_CASES, formats=None) -> list[Path]:
    """Cost against night (x: the commit measured), one line per case; every point
    where one of the numbers changed from the night before is labelled with the
    commit's subject. Median per sample, in the history's unit and clock."""
    formats = plots.check_formats(formats)
    h = hist[(hist["variant"] == variant) & (hist["case"].isin(cases))]
    if not len(h):
        return []
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    ns = nights(h)
    shown = [c for c in cases if c in set(h["case"])]
    base = outdir / f"trend-{variant}"
    lines = ["# index night short " + " ".join(f"c{i}" for i in range(len(shown)))]
    labels = []
    prev = None
    for i, night in enumerate(ns):
        rows = h[h["night"] == night].set_index("case")
        vals = [rows["median"].get(c, math.nan) for c in shown]
        short = str(rows["short"].iloc[0])[:8] + ("*" if rows["dirty"].iloc[0] else "")
        lines.append(f"{i} {night} {short} " +
                     " ".join("NaN" if pd.isna(v) else f"{v:g}" for v in vals))
        if prev is not None and any(not (pd.isna(a) and pd.isna(b)) and a != b
                                    for a, b in zip(prev, vals)):
            subj = str(rows["subject"].iloc[0]).replace('"', "'")
            subj = subj if len(subj) <= 40 else subj[:37] + "..."
            top = max((v for v in vals if not pd.isna(v)), default=0)
            labels.append(f'{i} {top:g} "{short}: {subj}"')
        prev = vals
    dat = base.with_suffix(".dat")
    dat.write_text("\n".join(lines) + "\n")
    lab = outdir / f"trend-{variant}.labels"
    lab.write_text("\n".join(labels) + ("\n" if labels else ""))
    first = h.iloc[0]
    unit = first["unit"]
    plots.gnuplot(plots.PLOTS_DIR / "nightly-trend.gp",
                  {"datafile": plots.quote(dat.name), "labelfile": plots.quote(lab.name),
                   "outbase": plots.quote(base.name), "ncases": len(shown),
                   "nnights": len(ns), "nlabels": len(labels),
                   "ylabel": plots.quote(f"median per sample [{unit}] (clock={first['clock']})"),
                   "figtitle": plots.quote(f"{variant}: nightly cost against commit "
                                           f"({first['arch']})"),
                   "caption": plots.quote(
                       f"results/history/{first['arch']}-{first['clock']}: {len(ns)} night(s) "
                       f"{ns[0]} .. {ns[-1]}; labelled: a number changed from the night "
                       f"before (commit subject); * = dirty tree"),
                   "formats": plots.quote(" ".join(formats))},
                  cwd=outdir, arrays={"casenames": shown})
    return [base.with_suffix(f".{f}") for f in formats]
