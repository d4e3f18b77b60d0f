"""Statistics and the outlier policy on known inputs."""
import math

import numpy as np
import pandas as pd
import pytest

from ipclab import stats


def test_t_quantiles_match_tables():
    # Student's t, two-sided 95%: df=1 12.706, df=4 2.776, df=9 2.262, df=29 2.045
    for df, want in ((1, 12.7062), (4, 2.7764), (9, 2.2622), (29, 2.0452), (1000, 1.9623)):
        assert stats.t_ppf(0.975, df) == pytest.approx(want, abs=1e-3)


def test_describe_known_values():
    d = stats.describe([2, 4, 4, 4, 5, 5, 7, 9])
    assert d["count"] == 8 and d["outliers"] == 0
    assert d["min"] == 2 and d["median"] == 4.5 and d["mean"] == 5.0
    assert d["stddev"] == pytest.approx(2.13809, abs=1e-4)          # sample sd (n-1)
    half = 2.36462 * 2.13809 / math.sqrt(8)                          # t(0.975, 7)
    assert d["ci95"] == pytest.approx(half, rel=1e-4)
    assert d["ci95_lo"] == pytest.approx(5 - half, rel=1e-4)


def test_outlier_policy_tukey_far_out():
    vals = [100, 101, 102, 103, 104, 105, 106, 107, 1000]
    m = stats.outlier_mask(vals)
    assert m.tolist() == [False] * 8 + [True]
    d = stats.describe(vals)
    assert d["outliers"] == 1 and d["count"] == 8 and d["raw_max"] == 1000
    assert d["mean"] == pytest.approx(103.5)


def test_outlier_floor_for_identical_samples():
    # icount-like: all identical but one that is 2% off -> kept (floor 1% * 3 = 3%)
    vals = [1000] * 20 + [1020]
    assert not stats.outlier_mask(vals).any()
    # ... but a timer-interrupt-sized excursion is dropped
    vals = [1000] * 20 + [5000]
    assert stats.outlier_mask(vals).tolist()[-1]


def test_small_groups_have_no_outliers_and_nan_ci():
    assert not stats.outlier_mask([1, 1000, 3]).any()
    d = stats.describe([7])
    assert d["count"] == 1 and d["mean"] == 7 and math.isnan(d["ci95"])


def test_summarize_groups():
    df = pd.DataFrame({"variant": ["a"] * 4 + ["b"] * 4, "bench": "ipc", "space": "same",
                       "metric": "call", "len": 0, "unit": "u",
                       "value": [1, 2, 3, 4, 10, 10, 10, 10]})
    s = stats.summarize(df, keep=["unit"])
    assert list(s.variant) == ["a", "b"]
    assert s.loc[0, "median"] == 2.5 and s.loc[1, "stddev"] == 0
    assert s.loc[1, "ci95"] == 0 and s.loc[0, "unit"] == "u"


def test_mann_whitney():
    u, p = stats.mann_whitney(range(0, 30), range(100, 130))
    assert u == 0 and p < 1e-6
    _, p = stats.mann_whitney([5] * 10, [5] * 10)
    assert p == 1.0
    rng = np.random.default_rng(1)
    _, p = stats.mann_whitney(rng.normal(0, 1, 200), rng.normal(0, 1, 200))
    assert p > 0.01
