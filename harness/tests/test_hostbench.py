"""harness/ipclab/hostbench.py on fixture JSON from a real smoke run of the host
benchmarks (fixtures/host/*.json, made by `make host-bench-smoke` and copied) and a
kernel stats.csv in the harness's layout (fixtures/host/stats.csv)."""
import json
import math
import os
import shutil
import stat
import sys
from pathlib import Path

import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ipclab import cli  # noqa: E402
from ipclab import hostbench as hb  # noqa: E402

FIX = HERE / "fixtures" / "host"
JSONS = [FIX / f"{b}.json" for b in ("ipc_bench", "sched_bench_lazy", "sched_bench_benno")]


def _copy_jsons(tmp_path):
    out = []
    for p in JSONS:
        q = tmp_path / p.name
        shutil.copy(p, q)
        out.append(q)
    return out


def _rewrite(path, fn):
    doc = json.loads(Path(path).read_text())
    fn(doc)
    Path(path).write_text(json.dumps(doc))


# ---------------------------------------------------------------- names and grid

def test_base_name_strips_google_benchmark_suffixes():
    assert hb.base_name("sched_pick/policy:lazy/nthreads:16/blocked:90/iterations:5/"
                        "manual_time") == "sched_pick/policy:lazy/nthreads:16/blocked:90"
    assert hb.base_name("linux_ipc_rt/case:pipe/pin:same/real_time") == \
        "linux_ipc_rt/case:pipe/pin:same"


def test_parse_name_columns():
    k = hb.parse_name("sched_pick/policy:benno/nthreads:4096/blocked:90/iterations:5/manual_time")
    assert k == {"benchmark": "sched_pick", "case": "", "pinning": "self", "policy": "benno",
                 "threads": 4096, "blocked_pct": 90, "blocked_threads": 3686}
    k = hb.parse_name("linux_ipc_rt/case:futex/pin:cross/real_time")
    assert (k["benchmark"], k["case"], k["pinning"], k["threads"]) == \
        ("linux_ipc_rt", "futex", "cross", None)


def test_blocked_threads_leaves_one_runnable():
    assert hb.blocked_threads(1, 90) == 0
    assert hb.blocked_threads(16, 50) == 8
    assert hb.blocked_threads(16, 90) == 14
    assert hb.blocked_threads(2, 100) == 1


def test_expected_grid_size():
    e = hb.expected()
    assert len(e["ipc_bench"]) == 4 * 2 + 1
    assert len(e["sched_bench_lazy"]) == 6 * 3 + 3 * 2
    assert e["sched_bench_benno"] == {n.replace("lazy", "benno") for n in e["sched_bench_lazy"]}


# ---------------------------------------------------------------- completeness

def test_fixture_is_complete():
    assert hb.check(JSONS) == []


def test_check_reports_missing_benchmark(tmp_path):
    paths = _copy_jsons(tmp_path)
    gone = "linux_ipc_rt/case:futex/pin:cross"
    _rewrite(paths[0], lambda d: d.__setitem__("benchmarks", [
        b for b in d["benchmarks"] if not b["run_name"].startswith(gone)]))
    problems = hb.check(paths)
    assert problems == [f"ipc_bench: {gone}: missing"]


def test_check_reports_missing_aggregates(tmp_path):
    paths = _copy_jsons(tmp_path)
    _rewrite(paths[1], lambda d: d.__setitem__("benchmarks", [
        b for b in d["benchmarks"] if b.get("run_type") != "aggregate"]))
    problems = hb.check(paths)
    assert len(problems) == len(hb.expected()["sched_bench_lazy"])
    assert all("missing aggregates" in p for p in problems)


def test_check_reports_truncated_json_and_missing_binary(tmp_path):
    paths = _copy_jsons(tmp_path)
    text = paths[2].read_text()
    paths[2].write_text(text[: len(text) // 2])
    problems = hb.check(paths)
    assert any("not a complete Google Benchmark JSON" in p for p in problems)
    assert "sched_bench_benno: no JSON output" in problems


def test_check_reports_unexpected_benchmark(tmp_path):
    paths = _copy_jsons(tmp_path)

    def add(d):
        extra = dict(d["benchmarks"][-1])
        extra["run_name"] = extra["name"] = "linux_ipc_rt/case:mqueue/pin:same/real_time"
        d["benchmarks"].append(extra)
    _rewrite(paths[0], add)
    problems = hb.check(paths)
    assert len(problems) == 1 and "mqueue" in problems[0] and "not in" in problems[0]


def test_check_cross_core_skip_only_on_one_cpu(tmp_path):
    paths = _copy_jsons(tmp_path)
    msg = "skipped: cross-core needs 2 CPUs, this process may use only 1"

    def skip(d):
        keep = []
        for b in d["benchmarks"]:
            if "/pin:cross" in b["run_name"]:
                if b.get("run_type") == "iteration" and b.get("repetition_index", 0) == 0:
                    keep.append(dict(b, error_occurred=True, error_message=msg))
                continue
            keep.append(b)
        d["benchmarks"] = keep
    _rewrite(paths[0], skip)
    assert hb.check(paths, cpus=1) == []
    assert len(hb.check(paths, cpus=2)) == 4
    df = hb.ingest(paths)
    sk = df[df["statistic"] == "skipped"]
    assert len(sk) == 4 and (sk["note"] == msg).all() and (sk["pinning"] == "cross").all()


# ---------------------------------------------------------------- ingest

def test_ingest_rows_and_units():
    df = hb.ingest(JSONS)
    assert list(df.columns) == hb.HOST_COLS
    names = set(df["name"])
    assert names == set().union(*hb.expected().values())
    for name, g in df.groupby("name"):
        assert set(g["statistic"]) == {"mean", "median", "stddev", "cv", "min", "max"}, name
        assert len(g) == 6, name
    assert (df.loc[df["statistic"] == "cv", "unit"] == "ratio").all()
    assert (df.loc[df["statistic"] != "cv", "unit"] == "host ns").all()
    assert (df["repetitions"] == 2).all()
    pick = df[(df["benchmark"] == "sched_pick") & (df["policy"] == "lazy") &
              (df["threads"] == 4096) & (df["blocked_pct"] == 90)]
    assert (pick["blocked_threads"] == 3686).all()
    assert (pick["iterations"] == 5).all()


def test_ingest_values_match_json():
    doc = json.loads(JSONS[0].read_text())
    e = next(b for b in doc["benchmarks"] if b.get("aggregate_name") == "median"
             and b["run_name"].startswith("linux_ipc_rt/case:pipe/pin:same"))
    reps = [b["real_time"] for b in doc["benchmarks"] if b.get("run_type") == "iteration"
            and b["run_name"].startswith("linux_ipc_rt/case:pipe/pin:same")]
    df = hb.ingest([JSONS[0]])
    g = df[(df["case"] == "pipe") & (df["pinning"] == "same")].set_index("statistic")["value"]
    assert g["median"] == pytest.approx(e["real_time"])
    assert g["min"] == pytest.approx(min(reps)) and g["max"] == pytest.approx(max(reps))
    cv = next(b for b in doc["benchmarks"] if b.get("aggregate_name") == "cv"
              and b["run_name"].startswith("linux_ipc_rt/case:pipe/pin:same"))
    assert g["cv"] == pytest.approx(cv["real_time"]) and g["cv"] < 1


def test_ingest_converts_time_units(tmp_path):
    paths = _copy_jsons(tmp_path)

    def to_us(d):
        for b in d["benchmarks"]:
            if b.get("aggregate_unit") != "percentage":
                b["real_time"] /= 1000.0
                b["cpu_time"] /= 1000.0
            b["time_unit"] = "us"
    _rewrite(paths[0], to_us)
    a = hb.ingest([JSONS[0]]).set_index(["name", "statistic"])["value"]
    b = hb.ingest([paths[0]]).set_index(["name", "statistic"])["value"]
    pd.testing.assert_series_equal(a, b, rtol=1e-9)


def test_cli_ingest_writes_csv_and_meta(tmp_path, capsys):
    run = tmp_path / "run"
    assert cli.main(["host", "ingest", "--run-dir", str(run), *map(str, JSONS)]) == 0
    df = pd.read_csv(run / "host.csv")
    assert len(df) == len(hb.ingest(JSONS))
    meta = json.loads((run / "host-meta.json").read_text())
    assert meta["unit"] == "host ns"
    assert meta["check"] == "complete"
    assert {"available", "hardware_counters", "detail"} <= set(meta["perf"])
    assert "cpu_model" in meta["host"]
    assert set(meta["benchmark_context"]) == {"ipc_bench", "sched_bench_lazy",
                                              "sched_bench_benno"}


def test_cli_check_fails_when_incomplete(tmp_path, capsys):
    assert cli.main(["host", "check", *map(str, JSONS)]) == 0
    assert cli.main(["host", "check", str(JSONS[0])]) == 1
    assert "sched_bench_lazy: no JSON output" in capsys.readouterr().err


# ---------------------------------------------------------------- perf

def _fake_perf(tmp_path, text, status=0):
    p = tmp_path / "perf"
    p.write_text(f"#!/bin/sh\ncat >&2 <<'EOF'\n{text}\nEOF\nexit {status}\n")
    p.chmod(p.stat().st_mode | stat.S_IEXEC)
    return str(p)


def test_perf_status_not_supported(tmp_path):
    s = hb.perf_status(_fake_perf(tmp_path, "<not supported>,,cycles,0,100.00,,\n"
                                            "<not supported>,,instructions,0,100.00,,"))
    assert s["available"] and not s["hardware_counters"]
    assert "no hardware counters" in s["detail"]


def test_perf_status_counters(tmp_path):
    s = hb.perf_status(_fake_perf(tmp_path, "123456,,cycles:u,100,100.00,,\n"
                                            "98765,,instructions:u,100,100.00,0.80,insn per cycle"))
    assert s["hardware_counters"]


def test_perf_status_failing_and_missing(tmp_path):
    s = hb.perf_status(_fake_perf(tmp_path, "perf_event_open: Permission denied", 1))
    assert s["available"] and not s["hardware_counters"] and "failed" in s["detail"]
    s = hb.perf_status(str(tmp_path / "no-such-perf"))
    assert not s["available"] and not s["hardware_counters"]


def test_parse_perf_csv():
    assert hb.parse_perf_csv("# started on x\n\n10,,cycles,5,100.00,,\n"
                             "7,,instructions:u,5,100.00,0.7,insn per cycle\n") == \
        {"cycles": 10, "instructions": 7}


# ---------------------------------------------------------------- kernel numbers

def test_kernel_medians_from_stats_csv(tmp_path):
    shutil.copy(FIX / "stats.csv", tmp_path / "stats.csv")
    k = hb.kernel_medians(tmp_path)
    assert set(k["unit"]) == {"guest instructions"} and set(k["clock"]) == {"icount"}
    r = k.set_index(["variant", "what"])["value"]
    assert r[("l4-classic", "one-way")] == 210          # cross space, len 0
    assert r[("l4-classic", "round trip")] == 430
    assert r[("sel4-like", "null syscall")] == 64


def test_kernel_medians_from_samples_csv_drops_outliers(tmp_path):
    rows = [("v", "ipc", "cross", "round", 0, "icount", "guest instructions", x, o)
            for x, o in ((100, 0), (102, 0), (101, 0), (9999, 1))]
    pd.DataFrame(rows, columns=["variant", "bench", "space", "metric", "len", "clock",
                                "unit", "value", "outlier"]).to_csv(tmp_path / "samples.csv",
                                                                    index=False)
    k = hb.kernel_medians(tmp_path)
    assert list(k["value"]) == [101]


def test_kernel_medians_none_without_kernel_run(tmp_path):
    assert hb.kernel_medians(tmp_path) is None


# ---------------------------------------------------------------- plots and table

needs_gnuplot = pytest.mark.skipif(shutil.which("gnuplot") is None, reason="no gnuplot")


@needs_gnuplot
@pytest.mark.parametrize("with_kernel", [False, True])
def test_plot_makes_nonempty_files(tmp_path, with_kernel):
    hb.write_csv(tmp_path, hb.ingest(JSONS))
    if with_kernel:
        shutil.copy(FIX / "stats.csv", tmp_path / "stats.csv")
    made = hb.plot(tmp_path)
    assert {p.name for p in made} == {"host-ipc.png", "host-ipc.svg",
                                      "host-sched.png", "host-sched.svg"}
    for p in made:
        assert p.stat().st_size > 1000, p
    assert (tmp_path / "figures" / "host-ipc.png").read_bytes()[:4] == b"\x89PNG"
    svg = (tmp_path / "figures" / "host-ipc.svg").read_text()
    assert "host ns" in svg
    # Guest instructions appear only with a kernel run, on their own labelled panel.
    assert ("guest instructions" in svg) == with_kernel
    assert "host ns" in (tmp_path / "figures" / "host-sched.svg").read_text()


def test_table_mentions_every_case(tmp_path):
    hb.write_csv(tmp_path, hb.ingest(JSONS))
    t = hb.table(tmp_path)
    for word in hb.IPC_CASES + ["getppid", "same core", "cross core", "lazy 90%",
                                "benno 90%", "4096"]:
        assert word in t


# ---------------------------------------------------------------- run, end to end

def _fake_binaries(tmp_path, drop=None):
    """Scripts named like the real binaries that write the fixture JSON to
    --benchmark_out (optionally without one benchmark)."""
    bins = tmp_path / "bin"
    bins.mkdir()
    for src in JSONS:
        doc = json.loads(src.read_text())
        if drop:
            doc["benchmarks"] = [b for b in doc["benchmarks"]
                                 if not b["run_name"].startswith(drop)]
        data = tmp_path / f"{src.stem}.data.json"
        data.write_text(json.dumps(doc))
        exe = bins / src.stem
        exe.write_text("#!/bin/sh\nfor a in \"$@\"; do case $a in --benchmark_out=*) "
                       f"/bin/cp {data} \"${{a#--benchmark_out=}}\";; esac; done\n"
                       "echo \"$@\" > \"$0.args\"\n")
        exe.chmod(0o755)
    return bins


def test_run_end_to_end_with_fake_binaries(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")      # no perf: recorded, not fatal
    bins = _fake_binaries(tmp_path)
    run_dir = tmp_path / "results" / "r1-host"
    out, problems = hb.run(bins, run_dir, ["--benchmark_repetitions=2",
                                           "--ipclab_pick_iterations=5"],
                           smoke=True, log=lambda *_: None)
    assert problems == [] and out == run_dir
    assert not (tmp_path / "results" / ".partial-r1-host").exists()
    assert (run_dir / "host.csv").is_file()
    meta = json.loads((run_dir / "host-meta.json").read_text())
    assert meta["perf"]["available"] is False and meta["check"] == "complete"
    # --ipclab_* flags go to the scheduler binaries only.
    assert "--ipclab_pick_iterations=5" not in (bins / "ipc_bench.args").read_text()
    assert "--ipclab_pick_iterations=5" in (bins / "sched_bench_lazy.args").read_text()


def test_run_reports_incomplete_output(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    bins = _fake_binaries(tmp_path, drop="sched_pick/policy:lazy/nthreads:4096/blocked:90")
    _, problems = hb.run(bins, tmp_path / "r2", [], smoke=True, log=lambda *_: None)
    assert problems == ["sched_bench_lazy: sched_pick/policy:lazy/nthreads:4096/blocked:90: "
                        "missing"]
    assert not (tmp_path / "r2" / "host.csv").exists()
