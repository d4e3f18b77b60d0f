"""harness export: Google Benchmark JSON and CSV, sel4bench's JSON shape.

Google Benchmark's tools/compare.py is not shipped by Debian (libbenchmark-dev has only
its documentation), and its code is not copied here. What these tests check instead are
the expectations compare.py's documented behaviour places on its input files, written
out below from that documentation (Google Benchmark's docs/tools.md, "compare.py", and
its JSON reporter's schema):

1. the file is a JSON object with `context` and a list `benchmarks`;
2. a benchmark is comparable when it has `time_unit`, `real_time` and `cpu_time`;
   time_unit is one of ns, us, ms, s; `run_type` is "iteration" or "aggregate", and an
   aggregate names itself `<run_name>_<aggregate_name>`;
3. benchmarks of the two files are paired by exactly equal `name`; within a name,
   the i-th entry of one file is paired with the i-th of the other, and the change shown
   is (new - old) / |old| for real_time and for cpu_time;
4. the U test runs on all entries of a name and needs at least 2 repetitions a side
   (9 for a result compare.py calls reliable);
5. before comparing, entries are ordered by family_index, per_family_instance_index,
   iterations before aggregates, repetition_index: an exported file must already be in
   that order so that pairing by position pairs the same samples;
6. `--benchmark_filter` (and the `filters`/`benchmarksfiltered` modes) match a regular
   expression against `run_name`, else `name`, and the filtered modes rename what
   matched so that two differently named families pair up.
"""
import csv
import io
import json
import re

import numpy as np
import pytest

from conftest import HERE
from make_fixtures import log_text
from ipclab import bench, cli, clock, config, export, store

ICOUNT = clock.CLOCKS["icount"]
TIME_UNITS = {"ns", "us", "ms", "s"}


def run(repo, names):
    path, meta, ok = bench.run_bench(config.resolve_variants(names, repo), ICOUNT,
                                     samples=12, warmup=1, build=False, repo=repo,
                                     results_dir=repo / "results", figures=False,
                                     progress=lambda *_: None)
    assert ok
    return store.load_run(path)


@pytest.fixture
def stored(cli_repo):
    for v in ("sel4-like", "l4-classic"):
        cli_repo.make_image(v, text=log_text(v, samples=12))
    return run(cli_repo, ["l4-classic", "sel4-like"])


def shifted(r: store.Run, variant: str, case: str, delta: int) -> store.Run:
    """The run with every sample of one case `delta` higher (a changed kernel)."""
    s = r.samples.copy()
    hit = (s.variant == variant) & (s["case"] == case)
    assert hit.any()
    s.loc[hit, "value"] += delta
    return store.Run(r.path, r.meta, s, store.stats_frame(s))


# ------------------------------------------------- compare.py's expectations, restated

def check_schema(doc: dict) -> None:
    assert isinstance(doc, dict) and isinstance(doc["context"], dict)
    assert isinstance(doc["benchmarks"], list) and doc["benchmarks"]
    for key in ("date", "host_name", "executable", "num_cpus", "library_build_type"):
        assert key in doc["context"], key
    for b in doc["benchmarks"]:
        assert isinstance(b["name"], str) and b["name"]
        assert b["time_unit"] in TIME_UNITS
        assert isinstance(b["real_time"], float) and isinstance(b["cpu_time"], float)
        assert isinstance(b["iterations"], int) and b["iterations"] >= 1
        for k in ("family_index", "per_family_instance_index", "repetitions", "threads"):
            assert isinstance(b[k], int), k
        assert b["run_type"] in ("iteration", "aggregate")
        if b["run_type"] == "aggregate":
            assert b["name"] == f"{b['run_name']}_{b['aggregate_name']}"
            assert b["aggregate_name"] in ("mean", "median", "stddev", "cv")
        else:
            assert b["name"] == b["run_name"]
            assert 0 <= b["repetition_index"] < b["repetitions"]


def gbench_order(benchmarks: list) -> list:
    """Expectation 5: the order compare.py puts entries in before pairing them."""
    return sorted(benchmarks, key=lambda b: (b.get("family_index", -1),
                                             b.get("per_family_instance_index", -1),
                                             1 if b.get("run_type") == "aggregate" else 0,
                                             b.get("repetition_index", -1)))


def pair(doc_a: dict, doc_b: dict) -> dict:
    """Expectations 2 and 3: {name: [(old, new, change), ...]} for real_time."""
    names_b = {b["name"] for b in doc_b["benchmarks"]}
    out = {}
    for name in dict.fromkeys(b["name"] for b in doc_a["benchmarks"]):
        if name not in names_b:
            continue
        lhs = [b for b in doc_a["benchmarks"] if b["name"] == name]
        unit = lhs[0]["time_unit"]
        rhs = [b for b in doc_b["benchmarks"] if b["name"] == name and
               b["time_unit"] == unit]
        out[name] = [(x["real_time"], y["real_time"],
                      (y["real_time"] - x["real_time"]) / abs(x["real_time"]))
                     for x, y in zip(lhs, rhs)]
    return out


def filtered(doc: dict, regex: str, replacement: str) -> dict:
    """Expectation 6: the benchmarksfiltered mode's renaming."""
    r = re.compile(regex)
    return {"benchmarks": [dict(b, name=r.sub(replacement, b["name"]))
                           for b in doc["benchmarks"] if r.search(b["name"])]}


# ------------------------------------------------------------------------- gbench

def test_gbench_schema_order_and_values(stored):
    doc = export.gbench(stored)
    check_schema(doc)
    assert doc["benchmarks"] == gbench_order(doc["benchmarks"])
    ctx = doc["context"]
    assert ctx["ipclab_run_id"] == stored.run_id and ctx["ipclab_clock"] == "icount"
    assert ctx["ipclab_unit"] == "guest instructions"
    # one family per (variant, case); every raw sample is one repetition
    cases = stored.samples.groupby(["variant", "case"], sort=False)
    assert len({b["family_index"] for b in doc["benchmarks"]}) == cases.ngroups
    for (variant, case), g in cases:
        name = f"{variant}/{case}"
        reps = [b for b in doc["benchmarks"] if b["name"] == name]
        assert [b["real_time"] for b in reps] == \
            [float(v) for v in g.sort_values("sample")["value"]]
        assert all(b["repetitions"] == len(g) for b in reps)
        st = stored.stats[(stored.stats.variant == variant) & (stored.stats["case"] == case)]
        agg = {b["aggregate_name"]: b["real_time"] for b in doc["benchmarks"]
               if b["run_name"] == name and b["run_type"] == "aggregate"}
        assert agg["mean"] == pytest.approx(float(st["mean"].iloc[0]))
        assert agg["median"] == float(st["median"].iloc[0])


def test_gbench_two_runs_pair_like_compare_py(stored):
    # both sides' statistics computed afresh (stats.csv stores 6 significant digits)
    a = export.gbench(shifted(stored, "sel4-like", "ipc/cross/call/len0", 0))
    b = export.gbench(shifted(stored, "sel4-like", "ipc/cross/call/len0", 7))
    paired = pair(a, b)
    # every benchmark of A has its partner in B, sample by sample
    assert set(paired) == {x["name"] for x in a["benchmarks"]}
    changed = {n for n, ms in paired.items() if any(c != 0 for _, _, c in ms)}
    assert changed == {"sel4-like/ipc/cross/call/len0",
                       "sel4-like/ipc/cross/call/len0_mean",
                       "sel4-like/ipc/cross/call/len0_median",
                       "sel4-like/ipc/cross/call/len0_cv"}      # sd / mean: the mean moved
    for old, new, change in paired["sel4-like/ipc/cross/call/len0"]:
        assert new == old + 7 and change == pytest.approx(7 / old)
    # the U test has its repetitions (>= 2 a side; 12 here, >= 9: "reliable")
    reps = [x for x in a["benchmarks"] if x["name"] == "sel4-like/ipc/cross/call/len0"]
    assert len(reps) == 12 >= 9


def test_gbench_against_a_google_benchmark_host_run(stored):
    """An ipclab case beside a host benchmark (a real Google Benchmark 1.7.1 file):
    both are comparable entries, their names never collide, and compare.py's
    benchmarksfiltered renaming pairs them."""
    host = json.loads((HERE / "fixtures" / "host" / "ipc_bench.json").read_text())
    ours = export.gbench(stored)
    check_schema(ours)
    assert not {b["name"] for b in ours["benchmarks"]} & \
        {b["name"] for b in host["benchmarks"]}
    fa = filtered(ours, r"^l4-classic/ipc/cross/round/len0$", "[rt]")
    fb = filtered(host, r"^linux_ipc_rt/case:pipe/pin:same/real_time$", "[rt]")
    paired = pair(fa, fb)
    assert list(paired) == ["[rt]"] and len(paired["[rt]"]) >= 2


def test_gbench_csv_has_the_reporter_columns(stored):
    text = export.gbench_csv(stored)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == export.GBENCH_CSV_COLUMNS
    assert len(rows) - 1 == len(export.gbench(stored)["benchmarks"])
    assert rows[1][4] == "ns" and float(rows[1][2]) == float(rows[1][3])


# ------------------------------------------------------------------------ sel4bench

def test_sel4bench_fields(stored):
    sets = export.sel4bench(stored)
    assert [s["Benchmark"] for s in sets] == ["ipclab l4-classic", "ipclab sel4-like"]
    fields = ["Min", "Max", "Mean", "Stddev", "Variance", "Mode", "Median",
              "1st quantile", "3rd quantile", "Samples", "Raw results"]
    for s in sets:
        assert s["Unit"] == "guest instructions"
        for row in s["Results"]:
            for f in fields + ["Function", "Direction", "Same vspace?", "IPC length"]:
                assert f in row, f
            raw = np.array(row["Raw results"])
            assert row["Samples"] == len(raw) == 12
            assert (row["Min"], row["Max"]) == (raw.min(), raw.max())
            assert row["Median"] == np.median(raw) and row["Mean"] == pytest.approx(raw.mean())
            assert row["Stddev"] == pytest.approx(raw.std(ddof=1))
            assert row["Variance"] == pytest.approx(raw.var(ddof=1))
            assert row["1st quantile"] <= row["Median"] <= row["3rd quantile"]
            vals, counts = np.unique(raw, return_counts=True)
            assert row["Mode"] == vals[np.argmax(counts)]
    call = next(r for r in sets[0]["Results"] if r["Case"] == "ipc/cross/call/len4")
    assert call["Direction"] == "client->server" and call["Same vspace?"] is False
    assert call["IPC length"] == 4


# ------------------------------------------------------------------------- command

def test_export_command(stored, cli_repo, capsys):
    for fmt in export.FORMATS:
        assert cli.main(["export", stored.run_id, "--format", fmt]) == 0
        path = export.default_path(cli_repo / "results", stored, fmt)
        assert path.is_file() and str(path) in capsys.readouterr().out
    doc = json.loads(export.default_path(cli_repo / "results", stored, "gbench").read_text())
    check_schema(doc)
    assert doc == json.loads(json.dumps(export.gbench(stored)))
    assert cli.main(["export", "latest", "--format", "sel4bench", "--variants",
                     "sel4-like", "--out", "-"]) == 0
    sets = json.loads(capsys.readouterr().out)
    assert [s["Benchmark"] for s in sets] == ["ipclab sel4-like"]
    assert cli.main(["export", "latest", "--format", "gbench", "--variants", "nosuch"]) == 2
    assert "has no results for nosuch" in capsys.readouterr().err
    assert cli.main(["export", "latest", "--format", "gbench", "--out",
                     str(stored.path / "x.json")]) == 2
    assert "inside the stored run" in capsys.readouterr().err
