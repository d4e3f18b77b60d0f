"""`harness diff A B`: two variants, case by case, measured in one run.

Both variants must come from the same run (same build of the guest, same clock, same
samples, same host), or the difference would mix in whatever else changed. `find_run`
picks the newest stored run that has both variants OK, the requested clock, arch,
samples and warmup, and was measured from the commit checked out now with a clean
tree; when there is none (or with --fresh) the caller measures both in a new run.

The table has every case either variant has: for A and B the number of kept samples,
mean, 95% CI half width and median (after the outlier policy of stats.py), then
delta = mean(B) - mean(A) with the 95% CI of that difference (Welch's t), delta % of
A, and ratio = mean(B) / mean(A) with an approximate interval (A's mean taken as
exact: 1 + delta CI / mean(A)). A case only one side has says so in `note`.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from . import metrics, report, stats, store
from .compare import select

KEY = ["bench", "space", "metric", "len", "cache"]
COLS = ["case", "bench", "space", "metric", "len", "cache", "event", "unit", "a_n",
        "a_mean", "a_ci95", "a_median", "b_n", "b_mean", "b_ci95", "b_median", "delta",
        "delta_ci95", "delta_pct", "ratio", "ratio_lo", "ratio_hi", "note"]


def find_run(results_dir: Path, va: str, vb: str, *, clock: str, arch: str,
             samples: int | None, warmup: int | None, commit: str | None) -> Path | None:
    """The newest complete run with both variants OK that matches the request and was
    measured from `commit` with a clean tree (None: none stored)."""
    for path in reversed(store.complete_runs(results_dir)):
        try:
            meta = store.load_meta(path)
        except store.RunError:
            continue
        vs = meta.get("variants", {})
        g = meta.get("git") or {}
        if any((vs.get(v) or {}).get("status") != "ok" for v in (va, vb)):
            continue
        if meta.get("clock") != clock or meta.get("arch") != arch:
            continue
        if samples is not None and meta.get("samples") != samples:
            continue
        if warmup is not None and meta.get("warmup") != warmup:
            continue
        if commit is None or g.get("commit") != commit or g.get("dirty"):
            continue
        return path
    return None


def diff_table(run: store.Run, va: str, vb: str, cases=None, events=None) -> pd.DataFrame:
    """A row per case and event (`events`, default every event of the run: under the
    model instructions, modelled cycles, misses per level, serialising instructions)."""
    s = select(metrics.normalize_samples(run.samples), [va, vb], cases)
    kept = s[s.outlier == 0]
    rows = []
    for event in events or metrics.events(run.clock):
        view = metrics.sample_view(kept, run.clock, event)
        rows += _rows(view, va, vb, event,
                      metrics.unit(run.clock, event, run.meta.get("unit", "")))
    return pd.DataFrame(rows, columns=COLS)


def _rows(kept: pd.DataFrame, va: str, vb: str, event: str, unit: str) -> list:
    groups = {k: g for k, g in kept.groupby(["variant"] + KEY, sort=False)}
    keys = list(dict.fromkeys(tuple(k[1:]) for k in groups))
    rows = []
    for k in keys:
        a = groups.get((va, *k))
        b = groups.get((vb, *k))
        row = dict(zip(KEY, k))
        row["len"] = int(row["len"])
        row["case"] = f"{k[0]}/{k[1]}/{k[2]}/len{int(k[3])}" + \
            ("/cold" if k[4] == "cold" else "")
        row["event"], row["unit"] = event, unit
        for side, g in (("a", a), ("b", b)):
            if g is None:
                row.update({f"{side}_n": 0, f"{side}_mean": math.nan,
                            f"{side}_ci95": math.nan, f"{side}_median": math.nan})
            else:
                d = stats.describe(g["value"].to_numpy(), median_interval=False)
                row.update({f"{side}_n": d["count"], f"{side}_mean": d["mean"],
                            f"{side}_ci95": d["ci95"], f"{side}_median": d["median"]})
        if a is None or b is None:
            row.update(delta=math.nan, delta_ci95=math.nan, delta_pct=math.nan,
                       ratio=math.nan, ratio_lo=math.nan, ratio_hi=math.nan,
                       note=f"only {va if b is None else vb} measures it (the other "
                            f"SKIPs it)")
        else:
            delta, half = stats.welch(a["value"].to_numpy(), b["value"].to_numpy())
            am = row["a_mean"]
            ok = am not in (0, 0.0) and not math.isnan(am)
            row.update(delta=delta, delta_ci95=half,
                       delta_pct=100.0 * delta / am if ok else math.nan,
                       ratio=row["b_mean"] / am if ok else math.nan,
                       ratio_lo=1 + (delta - half) / am if ok else math.nan,
                       ratio_hi=1 + (delta + half) / am if ok else math.nan, note="")
        rows.append(row)
    return rows


def _pm(x, half, digits=2) -> str:
    if pd.isna(x):
        return "-"
    return report.fmt(x, digits) + ("" if pd.isna(half) else f" ± {half:.{digits}f}")


def markdown(df: pd.DataFrame, run: store.Run, va: str, vb: str) -> str:
    unit = run.meta.get("unit", "")
    g = run.meta.get("git") or {}
    head = [f"# ipclab diff: {vb} against {va}", "",
            f"- run `{run.run_id}` ({run.path}), commit `{g.get('commit')}`"
            f"{' (DIRTY tree)' if g.get('dirty') else ''}, clock **{run.clock}**, unit "
            f"**{unit}**, samples {run.meta.get('samples')}",
            f"- A = **{va}**, B = **{vb}**: {report.axes_words(run.stats, [va, vb])}",
            "- mean ± 95% CI half width after the outlier policy; delta = B - A with the "
            "95% CI of the difference (Welch); ratio = B / A"]
    events = df["event"].nunique() > 1
    body = []
    for r in df.itertuples():
        body.append([r.case] + ([r.event] if events else []) +
                    [_pm(r.a_mean, r.a_ci95), _pm(r.b_mean, r.b_ci95),
                     "-" if pd.isna(r.delta) else f"{r.delta:+.2f}" +
                     ("" if pd.isna(r.delta_ci95) else f" ± {r.delta_ci95:.2f}"),
                     "-" if pd.isna(r.delta_pct) else f"{r.delta_pct:+.1f}%",
                     "-" if pd.isna(r.ratio) else f"{r.ratio:.3f}" +
                     ("" if pd.isna(r.ratio_lo) else
                      f" [{r.ratio_lo:.3f}, {r.ratio_hi:.3f}]"),
                     report.fmt(r.a_median), report.fmt(r.b_median), r.note or ""])
    if events:
        unit = "each event's unit"
    table = report.md_table(["case"] + (["event"] if events else []) +
                            [f"A mean [{unit}]", f"B mean [{unit}]", "delta",
                             "delta %", "ratio B/A [95% CI]", "A median", "B median",
                             "note"], body)
    return "\n".join(head) + "\n\n" + table + "\n"


def write(df: pd.DataFrame, md: str, outdir: Path, base: str) -> list[Path]:
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    files = [outdir / f"{base}.md", outdir / f"{base}.csv", outdir / f"{base}.json"]
    files[0].write_text(md)
    df.to_csv(files[1], index=False, float_format="%.6g")
    files[2].write_text(json.dumps(json.loads(df.to_json(orient="records")), indent=2) +
                        "\n")
    return files
