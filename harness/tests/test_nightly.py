"""make nightly without boots: the fake QEMU prints fixture logs, so a night can be made
slower on purpose. The history is append-only and compact; night against night and
night against the baseline catch a seeded +7 instruction change and name the
variant, case, old and new values and the commit range in Markdown and JUnit XML; the
trend figure labels the night where a number changed with its commit's subject."""
from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from make_fixtures import log_text
from ipclab import bench, config, history, nightly, store
from ipclab.clock import CLOCKS

NAMES = ["l4-classic", "sel4-like"]


@pytest.fixture
def repo(fake_repo, monkeypatch):
    for n in NAMES:
        fake_repo.make_image(n, text=log_text(n))
    monkeypatch.setattr(config, "REPO", Path(fake_repo))
    path, _, ok = bench.run_bench(config.resolve_variants(NAMES, fake_repo), CLOCKS["icount"],
                                  samples=4, warmup=1, build=False, repo=fake_repo,
                                  results_dir=fake_repo / "results", figures=False,
                                  progress=lambda *a: None)
    assert ok
    store.copy_run(path, fake_repo / "results" / "baseline", with_figures=False,
                   compress_logs=True)
    return fake_repo


def _night(repo, night, **kw):
    return nightly.run_nightly(config.resolve_variants(NAMES, repo), arch="x86_64",
                               baseline=repo / "results" / "baseline",
                               results=repo / "results", history_dir=repo / "history",
                               build=False, repo=repo, progress=lambda *a: None,
                               night=night, **kw)


def test_nights_against_baseline_and_previous(repo):
    first = _night(repo, "20261201T020000Z", figures=False)
    assert not first.regressed and nightly.exit_status(first) == 0
    assert first.prev_cmp is None and first.base_cmp is not None
    assert set(first.base_cmp.rows.verdict) == {"same"}
    f1 = first.history_file
    assert f1.name.endswith(".csv.gz") and f1.parent.name == "x86_64-icount"
    rows = pd.read_csv(f1)
    assert list(rows.columns) == history.HISTORY_COLS
    assert len(rows) == len(first.base_cmp.rows)            # one row per variant and case
    bytes1 = f1.read_bytes()

    second = _night(repo, "20261202T020000Z", figures=False)
    assert not second.regressed and set(second.prev_cmp.verdict) == {"same"}
    assert f1.read_bytes() == bytes1                         # append-only: never rewritten

    repo.make_image("sel4-like", text=log_text("sel4-like", bump=7))
    third = _night(repo, "20261203T020000Z")
    assert third.regressed and nightly.exit_status(third) == 1
    bad = [f for f in third.findings if f.verdict == "REGRESSION"]
    assert {f.against for f in bad} == {"baseline", "previous"}
    assert {f.variant for f in bad} == {"sel4-like"}
    one = next(f for f in bad if f.against == "previous" and f.case == "ipc/cross/call/len0")
    assert one.new - one.old == 7 and ".." in one.range
    md = (repo / "results" / "nightly" / "latest" / "report.md").read_text()
    assert "verdict: **REGRESSION**" in md and "| previous | sel4-like | ipc/cross/call/len0 |" in md
    tree = ET.parse(repo / "results" / "nightly" / "latest" / "junit.xml")
    fails = tree.getroot().findall(".//failure")
    assert fails and int(tree.getroot().get("failures")) == len(fails)
    msgs = [f.get("message") for f in fails]
    assert any(m.startswith("REGRESSION: sel4-like ipc/cross/call/len0: ") and "+" not in m
               and "guest instructions" in m and "commits " in m for m in msgs)
    assert not any("l4-classic" in m for m in msgs)
    # the history has three nights; the figure labels the changed night
    h = history.load(repo / "history", "x86_64", "icount")
    assert history.nights(h) == ["20261201T020000Z", "20261202T020000Z", "20261203T020000Z"]
    labels = (repo / "results" / "nightly" / "latest" / "trend-sel4-like.labels").read_text()
    assert labels.count("\n") == 1 and labels.startswith("2 ")
    assert (repo / "results" / "nightly" / "latest" / "trend-l4-classic.labels").read_text() == ""
    assert (repo / "results" / "nightly" / "latest" / "trend-sel4-like.png").stat().st_size > 0
    with pytest.raises(history.HistoryError, match="append-only"):
        history.append(repo / "history", pd.read_csv(third.history_file))


def test_history_rules_on_compact_rows():
    base = dict(night="n1", commit="c1", short="c1", dirty=0, subject="s", run_id="r",
                arch="x86_64", clock="icount", unit="u", samples=4, warmup=1,
                config="transfer=regs", count=4, outliers=0, min=70, max=80)
    old = pd.DataFrame([dict(base, variant="v", case=c, median=73, mean=73.0, digest=d)
                        for c, d in (("a", "d1"), ("b", "d2"), ("c", "d3"), ("gone", "d4"))])
    new = pd.DataFrame([dict(base, variant="v", case="a", median=73, mean=73.0, digest="d1"),
                        dict(base, variant="v", case="b", median=74, mean=73.0, digest="x"),
                        dict(base, variant="v", case="c", median=73, mean=73.0, digest="y"),
                        dict(base, variant="v", case="fresh", median=1, mean=1.0, digest="z")])
    v = history.compare_nights(old, new).set_index("case").verdict.to_dict()
    assert v == {"a": "same", "b": "REGRESSION", "c": "changed", "gone": "MISSING",
                 "fresh": "new"}
    assert history.digest([3, 1, 2]) == history.digest([1, 2, 3]) != history.digest([1, 2, 4])


def test_a_damaged_night_is_named(tmp_path):
    d = tmp_path / "x86_64-icount"
    d.mkdir()
    (d / "20261201T020000Z-abc.csv.gz").write_bytes(gzip.compress(b"not,a\nhistory,1\n"))
    with pytest.raises(history.HistoryError, match="lacks column"):
        history.load(tmp_path, "x86_64", "icount")
