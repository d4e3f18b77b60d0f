"""Per-case statistics and the outlier policy (one policy, applied everywhere).

Outlier policy
--------------
Within one group (run, variant, bench, space, metric, len, cache) a sample is an
outlier if its value lies outside Tukey's far-out fences

    [Q1 - 3 * W, Q3 + 3 * W],   W = max(IQR, 1% of |median|, 1 tick)

The floor on W keeps a group whose samples are (nearly) all identical, as under icount,
from declaring every sample that differs by a tick an outlier: a sample must differ
from the bulk by more than 3% of the median before it is dropped. Outliers stay in the
tidy CSV (column `outlier` = 1) and are counted (`outliers`), but every statistic in
stats.csv, the tables and the figures is computed from the remaining samples. The exact
comparison under icount (compare.py) ignores this policy and compares raw samples.
Under the model a sample carries several events (metrics.py); the policy looks at its
value (instructions: a timer interrupt adds a fixed number of them) and every event's
statistics drop the same samples, so modelled cycles = instructions + misses x latency
holds for the means as it does for each sample.

Statistics: count (kept samples), min, median, mean, sample standard deviation
(n - 1), the 95% confidence interval of the mean, mean +- t(0.975, n-1) * sd/sqrt(n)
(Student's t; `ci95_lo`, `ci95_hi`, half width `ci95`), and the 95% confidence
interval of the median (`median_ci95_lo`, `median_ci95_hi`): a percentile bootstrap,
BOOTSTRAP_RESAMPLES resamples drawn from a generator seeded with BOOTSTRAP_SEED afresh
for every group over the group's sorted samples, so a stored run's intervals are
reproducible and depend neither on the order groups are visited nor on sample order. A group whose kept samples are all equal (the usual case
under icount) has the degenerate interval [median, median] without resampling: every
resample of it is that same value. Raw min/max over all samples are kept as `raw_min`,
`raw_max`.

The distributions and tests come from SciPy (Debian's python3-scipy): Student's t
quantiles (scipy.stats.t), the Mann-Whitney U test (scipy.stats.mannwhitneyu) and the
bootstrap (scipy.stats.bootstrap).
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats as sps

FENCE_K = 3.0
FENCE_FLOOR_REL = 0.01
FENCE_FLOOR_ABS = 1.0
CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 1000     # ~70 ms per group of 1000 samples that are not all equal
BOOTSTRAP_SEED = 20130          # fixed: stored intervals are reproducible
BOOTSTRAP_METHOD = "percentile"  # BCa is undefined for the tied, integer samples of icount

GROUP_COLS = ["variant", "bench", "space", "metric", "len", "cache"]


# ----------------------------------------------------------------- distributions

@lru_cache(maxsize=4096)
def t_ppf(p: float, df: float) -> float:
    """Quantile of Student's t (scipy.stats.t). Cached: every group of a run has the
    same sample count, so the same quantile."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be in (0, 1)")
    return float(sps.t.ppf(p, df))


def mann_whitney(a, b) -> tuple[float, float]:
    """Two-sided Mann-Whitney U test, normal approximation with tie and continuity
    correction (scipy.stats.mannwhitneyu, method='asymptotic'). Returns (U of sample a,
    p-value). Used for kvm/tcg comparisons. When every value of both samples is tied
    the test has no variance to work with: p = 1 (no evidence of a difference)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) == 0 or len(b) == 0:
        return float("nan"), float("nan")
    if np.unique(np.concatenate([a, b])).size == 1:
        return len(a) * len(b) / 2.0, 1.0
    r = sps.mannwhitneyu(a, b, alternative="two-sided", use_continuity=True,
                         method="asymptotic")
    return float(r.statistic), float(r.pvalue)


def median_ci(values, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Bootstrap (percentile) confidence interval of the median, seeded with
    BOOTSTRAP_SEED; (nan, nan) with fewer than two values. The values are sorted first,
    so the interval depends on the multiset of samples only, not on their order."""
    v = np.sort(np.asarray(values, dtype=float))
    if len(v) < 2:
        return math.nan, math.nan
    if np.all(v == v[0]):
        return float(v[0]), float(v[0])
    r = sps.bootstrap((v,), np.median, n_resamples=BOOTSTRAP_RESAMPLES,
                      confidence_level=confidence, method=BOOTSTRAP_METHOD,
                      vectorized=True, axis=-1,
                      random_state=np.random.default_rng(BOOTSTRAP_SEED))
    return float(r.confidence_interval.low), float(r.confidence_interval.high)


# ----------------------------------------------------------------- outliers, stats

def outlier_mask(values) -> np.ndarray:
    """Boolean array: True where a value is an outlier under the policy above."""
    v = np.asarray(values, dtype=float)
    if len(v) < 4:
        return np.zeros(len(v), dtype=bool)
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    w = max(q3 - q1, FENCE_FLOOR_REL * abs(med), FENCE_FLOOR_ABS)
    return (v < q1 - FENCE_K * w) | (v > q3 + FENCE_K * w)


def describe(values, median_interval: bool = True, mask=None) -> dict:
    """Statistics of one group's raw samples, after the outlier policy (or, given
    `mask`, without the samples it marks: a model run's events all drop the samples its
    value marks, metrics.py). Without `median_interval` the bootstrap is skipped (its
    columns are NaN): for callers that show only the median or the mean."""
    raw = np.asarray(values, dtype=float)
    mask = outlier_mask(raw) if mask is None else np.asarray(mask, dtype=bool)
    v = raw[~mask]
    n = len(v)
    out = {"count": n, "outliers": int(mask.sum()),
           "raw_min": float(raw.min()) if len(raw) else math.nan,
           "raw_max": float(raw.max()) if len(raw) else math.nan}
    if n == 0:
        out.update(min=math.nan, median=math.nan, mean=math.nan, stddev=math.nan,
                   ci95=math.nan, ci95_lo=math.nan, ci95_hi=math.nan,
                   median_ci95_lo=math.nan, median_ci95_hi=math.nan)
        return out
    mean = float(v.mean())
    sd = float(v.std(ddof=1)) if n > 1 else math.nan
    half = (t_ppf(0.5 + CONFIDENCE / 2, n - 1) * sd / math.sqrt(n)) if n > 1 else math.nan
    mlo, mhi = median_ci(v) if median_interval else (math.nan, math.nan)
    out.update(min=float(v.min()), median=float(np.median(v)), mean=mean, stddev=sd,
               ci95=half, ci95_lo=mean - half, ci95_hi=mean + half,
               median_ci95_lo=mlo, median_ci95_hi=mhi)
    return out


def _group_rows(samples: pd.DataFrame, by: list) -> dict:
    """group key (a tuple) -> row positions, groups in order of first appearance."""
    idx = samples.groupby(by, sort=False).indices
    items = sorted(idx.items(), key=lambda kv: kv[1][0])
    return {(k if isinstance(k, tuple) else (k,)): v for k, v in items}


def mark_outliers(samples: pd.DataFrame, by=None) -> pd.DataFrame:
    """Add/refresh the 0/1 `outlier` column of a tidy samples frame."""
    by = [c for c in (by or GROUP_COLS) if c in samples.columns]
    df = samples.copy()
    if not len(df):
        df["outlier"] = 0
        return df
    values = df["value"].to_numpy()
    out = np.zeros(len(df), dtype=np.int64)
    for rows in _group_rows(df, by).values():
        out[rows] = outlier_mask(values[rows])
    df["outlier"] = out
    return df


STAT_COLS = ["count", "outliers", "min", "median", "mean", "stddev", "ci95", "ci95_lo",
             "ci95_hi", "raw_min", "raw_max", "median_ci95_lo", "median_ci95_hi"]


def summarize(samples: pd.DataFrame, by=None, keep=None, events=None) -> pd.DataFrame:
    """One row per group with the statistics above. `keep` lists extra columns that are
    constant within a group (axis values, unit, clock) to carry along. `events`, a list
    of (event, column, unit), gives one row per group and event (column `event`, the
    unit in `unit`), every event's statistics over the samples the value's outlier
    policy keeps (a group without numbers for an event, a workload's case the model
    could not attribute, has no row for it); without it, one row per group for
    `value`."""
    by = [c for c in (by or GROUP_COLS) if c in samples.columns]
    keep = [c for c in (keep or []) if c in samples.columns and c not in by]
    kept = {c: samples[c].to_numpy() for c in keep}
    value = samples["value"].to_numpy()
    cols = {col: samples[col].to_numpy(dtype=float, na_value=np.nan)
            for _, col, _ in (events or [])}
    rows = []
    for key, pos in _group_rows(samples, by).items():
        row = dict(zip(by, key))
        for c in keep:
            row[c] = kept[c][pos[0]]
        if events is None:
            row.update(describe(value[pos]))
            rows.append(row)
            continue
        mask = outlier_mask(value[pos])
        for event, col, unit in events:
            x = cols[col][pos]
            if np.isnan(x).any():
                continue
            r = dict(row, event=event)
            if "unit" in keep:
                r["unit"] = unit
            r.update(describe(x, mask=mask))
            rows.append(r)
    cols_out = by + (["event"] if events is not None else []) + keep + STAT_COLS
    return pd.DataFrame(rows, columns=cols_out)


def welch(a, b, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Difference of means mean(b) - mean(a) and the half width of its confidence
    interval (Welch's t, Welch-Satterthwaite degrees of freedom). The half width is NaN
    with fewer than two values on a side, and 0 when both sides are constant."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) == 0 or len(b) == 0:
        return math.nan, math.nan
    delta = float(b.mean() - a.mean())
    if len(a) < 2 or len(b) < 2:
        return delta, math.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se2 = va + vb
    if se2 == 0:
        return delta, 0.0
    df = se2 ** 2 / ((va ** 2 / (len(a) - 1) if va else 0.0) +
                     (vb ** 2 / (len(b) - 1) if vb else 0.0))
    return delta, t_ppf(0.5 + confidence / 2, df) * math.sqrt(se2)
