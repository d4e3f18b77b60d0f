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
(n - 1), and the 95% confidence interval of the mean, mean +- t(0.975, n-1) * sd/sqrt(n)
(Student's t; `ci95_lo`, `ci95_hi`, half width `ci95`). Raw min/max over all samples
are kept as `raw_min`, `raw_max`.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd

FENCE_K = 3.0
FENCE_FLOOR_REL = 0.01
FENCE_FLOOR_ABS = 1.0
CONFIDENCE = 0.95

GROUP_COLS = ["variant", "bench", "space", "metric", "len", "cache"]


# ----------------------------------------------------------------- distributions

def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz)."""
    tiny, eps = 1e-300, 3e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(lbeta + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """CDF of Student's t distribution."""
    x = df / (df + t * t)
    tail = 0.5 * betainc(df / 2.0, 0.5, x)
    return 1.0 - tail if t > 0 else tail


@lru_cache(maxsize=4096)
def t_ppf(p: float, df: float) -> float:
    """Quantile of Student's t (bisection on t_cdf; accurate to ~1e-10). Cached: every
    group of a run has the same sample count, so the same quantile."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be in (0, 1)")
    if p < 0.5:
        return -t_ppf(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2.0


def normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def mann_whitney(a, b) -> tuple[float, float]:
    """Two-sided Mann-Whitney U test, normal approximation with tie correction.
    Returns (U of sample a, p-value). Used for kvm/tcg comparisons."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    n1, n2 = len(a), len(b)
    if n1 == 0 or n2 == 0:
        return float("nan"), float("nan")
    ranks = pd.Series(np.concatenate([a, b])).rank(method="average").to_numpy()
    u1 = ranks[:n1].sum() - n1 * (n1 + 1) / 2.0
    n = n1 + n2
    _, counts = np.unique(np.concatenate([a, b]), return_counts=True)
    tie = float(((counts ** 3) - counts).sum())
    var = n1 * n2 / 12.0 * ((n + 1) - tie / (n * (n - 1))) if n > 1 else 0.0
    if var <= 0:
        return u1, 1.0          # every value tied: no evidence of a difference
    mu = n1 * n2 / 2.0
    z = (abs(u1 - mu) - 0.5) / math.sqrt(var)   # continuity correction
    return u1, min(1.0, 2.0 * normal_sf(max(z, 0.0)))


# ----------------------------------------------------------------- outliers, stats

def outlier_mask(values) -> np.ndarray:
    """Boolean array: True where a value is an outlier under the policy above."""
    v = np.asarray(values, dtype=float)
    if len(v) < 4:
        return np.zeros(len(v), dtype=bool)
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    w = max(q3 - q1, FENCE_FLOOR_REL * abs(med), FENCE_FLOOR_ABS)
    return (v < q1 - FENCE_K * w) | (v > q3 + FENCE_K * w)


def describe(values, mask=None) -> dict:
    """Statistics of one group's raw samples, after the outlier policy (or, given
    `mask`, without the samples it marks: a model run's events all drop the samples
    its value marks, metrics.py)."""
    raw = np.asarray(values, dtype=float)
    mask = outlier_mask(raw) if mask is None else np.asarray(mask, dtype=bool)
    v = raw[~mask]
    n = len(v)
    out = {"count": n, "outliers": int(mask.sum()),
           "raw_min": float(raw.min()) if len(raw) else math.nan,
           "raw_max": float(raw.max()) if len(raw) else math.nan}
    if n == 0:
        out.update(min=math.nan, median=math.nan, mean=math.nan, stddev=math.nan,
                   ci95=math.nan, ci95_lo=math.nan, ci95_hi=math.nan)
        return out
    mean = float(v.mean())
    sd = float(v.std(ddof=1)) if n > 1 else math.nan
    half = (t_ppf(0.5 + CONFIDENCE / 2, n - 1) * sd / math.sqrt(n)) if n > 1 else math.nan
    out.update(min=float(v.min()), median=float(np.median(v)), mean=mean, stddev=sd,
               ci95=half, ci95_lo=mean - half, ci95_hi=mean + half)
    return out


def _group_rows(samples: pd.DataFrame, by: list) -> dict:
    """group key (a tuple) -> row positions, in order of first appearance."""
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
             "ci95_hi", "raw_min", "raw_max"]


def summarize(samples: pd.DataFrame, by=None, keep=None, events=None) -> pd.DataFrame:
    """One row per group with the statistics above. `keep` lists extra columns that are
    constant within a group (axis values, unit, clock) to carry along. `events`, a list
    of (event, column, unit), gives one row per group and event (column `event`, the
    unit in `unit`), every event's statistics over the samples the value's outlier
    policy keeps; without it, one row per group for `value`."""
    by = [c for c in (by or GROUP_COLS) if c in samples.columns]
    keep = [c for c in (keep or []) if c in samples.columns and c not in by]
    kept = {c: samples[c].to_numpy() for c in keep}
    value = samples["value"].to_numpy()
    cols = {col: samples[col].to_numpy() for _, col, _ in (events or [])}
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
            r = dict(row, event=event)
            if "unit" in keep:
                r["unit"] = unit
            r.update(describe(cols[col][pos], mask))
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
