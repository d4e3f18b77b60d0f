"""Compare two stored runs: `harness compare RUN_A RUN_B` (A = old, B = new).

icount (deterministic): exact. For every case (variant, bench, space, metric, len) the
raw samples of B are compared with those of A. Identical -> `same`. Otherwise the
samples kept by the outlier policy are compared: their mean or median higher in B ->
`REGRESSION` (one more instruction counts); both lower or equal and one lower ->
`improvement`; kept samples equal, so only outlier samples differ -> `changed`
(reported, not a regression). Why: the kernel's timer interrupt costs a fixed number
of instructions and lands, deterministically, in whichever sample it lands; any change
to the image moves it into another case, which is not a change of the IPC path.

kvm and tcg (noisy): a two-sided Mann-Whitney U test on the samples kept by the outlier
policy. `REGRESSION` when p < alpha (default 0.01) AND the median rose by more than
the threshold (default 2%); `improvement` symmetrically; anything else `same`.

A case present in A but missing from B, or a variant that ran in A and failed in B, is
a regression too. A case only in B is reported as `new`. The two runs must use the same
clock mode. The exit status of the CLI is 1 when any regression was found.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import report, stats
from .store import Run

KEY = ["variant", "bench", "space", "metric", "len"]
DEFAULT_ALPHA = 0.01
DEFAULT_THRESHOLD = 0.02


class CompareError(Exception):
    pass


@dataclass
class Comparison:
    a: Run
    b: Run
    mode: str                       # exact | statistical
    rows: pd.DataFrame
    failed_variants: list = field(default_factory=list)
    alpha: float = DEFAULT_ALPHA
    threshold: float = DEFAULT_THRESHOLD

    @property
    def regressions(self) -> pd.DataFrame:
        return self.rows[self.rows.verdict.isin(["REGRESSION", "MISSING"])]

    @property
    def regressed(self) -> bool:
        return len(self.regressions) > 0 or bool(self.failed_variants)


def _groups(df: pd.DataFrame) -> dict:
    out = {}
    for key, g in df.groupby(KEY, sort=False):
        out[(key[0], key[1], key[2], key[3], int(key[4]))] = g
    return out


def compare_runs(a: Run, b: Run, alpha: float = DEFAULT_ALPHA,
                 threshold: float = DEFAULT_THRESHOLD) -> Comparison:
    if a.clock != b.clock:
        raise CompareError(f"cannot compare clock={a.clock} ({a.run_id}) with "
                           f"clock={b.clock} ({b.run_id}): different units")
    exact = a.clock == "icount"
    ga, gb = _groups(a.samples), _groups(b.samples)
    order = list(ga) + [k for k in gb if k not in ga]
    rows = []
    for key in order:
        row = dict(zip(KEY, key))
        xa, xb = ga.get(key), gb.get(key)
        if xb is None:
            va = xa["value"].to_numpy()
            row.update(old_mean=va.mean(), old_median=float(np.median(va)),
                       new_mean=math.nan, new_median=math.nan, delta=math.nan,
                       delta_pct=math.nan, p=math.nan, outliers="", verdict="MISSING")
            rows.append(row)
            continue
        if xa is None:
            vb = xb["value"].to_numpy()
            row.update(old_mean=math.nan, old_median=math.nan, new_mean=vb.mean(),
                       new_median=float(np.median(vb)), delta=math.nan,
                       delta_pct=math.nan, p=math.nan, outliers="", verdict="new")
            rows.append(row)
            continue
        ka = xa.loc[xa["outlier"] == 0, "value"].to_numpy()
        kb = xb.loc[xb["outlier"] == 0, "value"].to_numpy()
        ka = ka if len(ka) else xa["value"].to_numpy()
        kb = kb if len(kb) else xb["value"].to_numpy()
        ma, mb = float(ka.mean()), float(kb.mean())
        da, db = float(np.median(ka)), float(np.median(kb))
        outl = f"{int(xa['outlier'].sum())}->{int(xb['outlier'].sum())}"
        if exact:
            p = math.nan
            delta = mb - ma
            if np.array_equal(np.sort(xa["value"].to_numpy()), np.sort(xb["value"].to_numpy())):
                verdict = "same"
            elif mb > ma or db > da:
                verdict = "REGRESSION"
            elif mb < ma or db < da:
                verdict = "improvement"
            else:
                verdict = "changed"
        else:
            p = stats.mann_whitney(ka, kb)[1]
            delta = db - da
            rel = delta / abs(da) if da else (math.inf if delta else 0.0)
            if p < alpha and rel > threshold:
                verdict = "REGRESSION"
            elif p < alpha and rel < -threshold:
                verdict = "improvement"
            else:
                verdict = "same"
        base = ma if exact else da
        row.update(old_mean=ma, old_median=da, new_mean=mb, new_median=db, delta=delta,
                   delta_pct=(100.0 * delta / base) if base else math.nan, p=p,
                   outliers=outl, verdict=verdict)
        rows.append(row)
    df = pd.DataFrame(rows, columns=KEY + ["old_mean", "old_median", "new_mean",
                                           "new_median", "delta", "delta_pct", "p",
                                           "outliers", "verdict"])
    va = a.meta.get("variants", {})
    vb = b.meta.get("variants", {})
    failed = [v for v, i in vb.items() if i.get("status") != "ok" and
              va.get(v, {}).get("status") == "ok"]
    return Comparison(a, b, "exact" if exact else "statistical", df, failed, alpha,
                      threshold)


def markdown(c: Comparison, all_rows: bool = False) -> str:
    unit = c.b.meta.get("unit", "")
    ga, gb = c.a.meta.get("git", {}), c.b.meta.get("git", {})
    head = [f"# ipclab comparison: {c.a.run_id} -> {c.b.run_id}", "",
            f"- old (A): `{c.a.path}` commit `{ga.get('commit')}`"
            f"{' (dirty)' if ga.get('dirty') else ''}",
            f"- new (B): `{c.b.path}` commit `{gb.get('commit')}`"
            f"{' (dirty)' if gb.get('dirty') else ''}",
            f"- clock **{c.b.clock}**, unit **{unit}**"]
    if c.mode == "exact":
        head.append("- rule: exact (icount is deterministic): any change in the raw "
                    "samples is reported; a higher mean or median of the samples kept by "
                    "the outlier policy is a REGRESSION; a change confined to outlier "
                    "samples (e.g. where the timer interrupt landed) is `changed`")
    else:
        head.append(f"- rule: Mann-Whitney U (two-sided) on outlier-filtered samples; "
                    f"REGRESSION when p < {c.alpha} and the median rose by more than "
                    f"{100 * c.threshold:g}%")
    counts = c.rows.verdict.value_counts().to_dict()
    head.append("- cases: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if c.failed_variants:
        head.append(f"- **variants that ran in A but FAILED in B: "
                    f"{', '.join(c.failed_variants)}**")
    head.append(f"- verdict: **{'REGRESSION' if c.regressed else 'no regression'}**")
    shown = c.rows if all_rows else c.rows[c.rows.verdict != "same"]
    shown = shown.assign(_o=shown.verdict.map(
        {"MISSING": 0, "REGRESSION": 1, "changed": 2, "improvement": 3, "new": 4, "same": 5}))
    shown = shown.sort_values("_o", kind="stable")
    if len(shown):
        cols = ["variant", "case", "old mean", "new mean", "delta", "delta %",
                "old median", "new median", "outliers"] + \
            ([] if c.mode == "exact" else ["p"]) + ["verdict"]
        body = []
        for r in shown.itertuples():
            line = [r.variant, f"{r.bench}/{r.space}/{r.metric}/len{int(r.len)}",
                    report.fmt(r.old_mean, 2), report.fmt(r.new_mean, 2),
                    "-" if pd.isna(r.delta) else f"{r.delta:+.6g}",
                    "-" if pd.isna(r.delta_pct) else f"{r.delta_pct:+.2f}%",
                    report.fmt(r.old_median), report.fmt(r.new_median), r.outliers]
            if c.mode != "exact":
                line.append("-" if pd.isna(r.p) else f"{r.p:.2g}")
            line.append(r.verdict)
            body.append(line)
        table = report.md_table(cols, body)
    else:
        table = "Every case is identical." if c.mode == "exact" else \
            "No case changed significantly."
    return "\n".join(head) + f"\n\n## Changed cases [{unit}]\n\n" + table + "\n"


def write_report(c: Comparison, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(markdown(c))
    tmp.replace(path)
    return path
