"""clock=model: the cache/TLB model as a metric, end to end against the fake QEMU, which
plays the model plugin (fake_qemu.py: a record at both ends of every window the log
names, with make_fixtures.model_counts in it). What is checked: each sample's events
are the records' differences less the overhead window's, exactly; a sample the records
cannot account for, or a plugin that refuses, fails the variant by name; the stored
run (layout 4: cache column, event columns, stats per event, packed records) loads,
reanalyses to the same tables and compares exactly per event; older layouts load as
hot instructions; the arches the plugin cannot decode are refused by name."""
import gzip
import json
import shutil
import struct

import numpy as np
import pandas as pd
import pytest

from conftest import FIX as FIXTURES, REPO, fixture_text
from fake_qemu import write_records
from make_fixtures import LATENCY, model_counts, model_penalty
from ipclab import (bench, cli, clock, compare, config, integrity, logparse, metrics,
                    model, reanalyse, store, verdict)
from ipclab.config import UsageError

MODEL = clock.CLOCKS["model"]
needs_gnuplot = pytest.mark.skipif(shutil.which("gnuplot") is None, reason="no gnuplot")


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """One model run of both anchors (figures drawn), shared by the tests that only
    read it; a test that changes a run makes its own."""
    from conftest import FakeRepo, HERE
    repo = FakeRepo(tmp_path_factory.mktemp("model-run"))
    shutil.copytree(REPO / "variants", repo / "variants")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IPCLAB_QEMU", str(HERE / "fake_qemu.py"))
        for v in ("sel4-like", "l4-classic"):
            d = repo / "build" / "x86_64" / v
            d.mkdir(parents=True)
            (d / "ipclab.elf").write_text(json.dumps(
                {"fixture": str(FIXTURES / f"model-{v}.log"), "exit": 1}))
        (repo / model.PLUGIN).parent.mkdir(parents=True, exist_ok=True)
        (repo / model.PLUGIN).write_text("fake plugin: fake_qemu.py plays it")
        path, meta = run(repo, figures=shutil.which("gnuplot") is not None)
    return path, meta


def model_repo(repo, **spec):
    repo.make_image("sel4-like", "model-sel4-like.log", model=spec.get("sel4-like"))
    repo.make_image("l4-classic", "model-l4-classic.log", model=spec.get("l4-classic"))
    # the harness builds the plugin unless --no-build; it must exist to be loaded
    (repo / model.PLUGIN).parent.mkdir(parents=True, exist_ok=True)
    (repo / model.PLUGIN).write_text("fake plugin: fake_qemu.py plays it")
    return repo


def run(repo, names=("sel4-like", "l4-classic"), ok=True, **kw):
    kw.setdefault("figures", False)
    path, meta, all_ok = bench.run_bench(config.resolve_variants(list(names), repo), MODEL,
                                         samples=4, warmup=1, build=False, repo=repo,
                                         results_dir=repo / "results",
                                         progress=lambda *_: None, **kw)
    assert all_ok == ok, meta.get("variants")
    return path, meta


def expected(row) -> dict:
    """What the fake plugin's records make of one sample (make_fixtures.model_counts):
    the window's counts less the overhead window's."""
    case = model_counts(row.bench, row.space, int(row.len), row.cache)
    stub = model_counts("stub", "self", 0, row.cache) if row.overhead else \
        {k: 0 for k in case}
    out = {k: case[k] - stub[k] for k in case}
    out["cycles"] = row.value + model_penalty(case) - model_penalty(stub)
    return out


# ------------------------------------------------------------------ a run, end to end

def test_every_sample_gets_the_models_counts(stored):
    path, meta = stored
    r = store.load_run(path)
    assert meta["layout_version"] == 4 and meta["clock"] == "model"
    assert meta["model"]["params"]["l3_miss_latency"] == "196"
    s = r.samples
    for e in model.EXTRA_EVENTS:
        assert str(s[e].dtype) == "int64"
    # instructions: the guest's own value; every other event: the window's records
    for row in s.itertuples():
        want = expected(row)
        got = {k: getattr(row, k) for k in want}
        assert got == want, (row.case, got, want)
    cold = s[s["cache"] == "cold"]
    assert set(cold["case"]) >= {"ipc/cross/call/len0/cold", "null_syscall/self/round/len0/cold"}
    # no cold IPC round (FORMAT.md: its window would hold the server's flush)
    assert not ((cold["bench"] == "ipc") & (cold["metric"] == "round")).any()
    # cold misses are not zero, so the subtraction of the overhead window is exercised
    c0 = cold[cold["case"] == "ipc/cross/call/len0/cold"]
    assert set(c0["l1d_misses"]) == {10 - 1}             # window 10, overhead window 1
    # the records are kept packed (logs/<v>.model.gz), the raw file gone
    for v in ("sel4-like", "l4-classic"):
        assert (path / "logs" / f"{v}.model.gz").is_file()
        assert not (path / "logs" / f"{v}.model").exists()
        assert meta["variants"][v]["model"]["records"] == f"logs/{v}.model.gz"
        assert f"logs/{v}.model.gz" in meta["manifest"]


def test_stats_per_event_drop_the_values_outliers(stored):
    path, _ = stored
    r = store.load_run(path)
    st = r.stats
    assert set(st["event"]) == {e for e, _ in model.EVENTS}
    assert set(st[st.event == "l3_misses"]["unit"]) == {"L3 (last-level cache) misses"}
    # one row per case and event, each with the sample count of its case
    n = r.samples.groupby(["variant", "bench", "space", "metric", "len", "cache"]).size()
    per = st.groupby(["variant", "bench", "space", "metric", "len", "cache"]).size()
    assert (per == len(model.EVENTS)).all() and len(per) == len(n)
    row = st[(st.variant == "l4-classic") & (st.bench == "ipc") & (st.space == "cross") &
             (st.metric == "call") & (st["len"] == 0)]
    hot = row[row.cache == "hot"].set_index("event")
    cold = row[row.cache == "cold"].set_index("event")
    # the means keep cycles = instructions + misses x latency
    for side in (hot, cold):
        pen = sum(side.loc[f"{lv}_misses", "mean"] * lat for lv, lat in LATENCY.items())
        assert side.loc["cycles", "mean"] == pytest.approx(side.loc["instructions", "mean"] +
                                                           pen)
        assert (side["count"] + side["outliers"]).nunique() == 1
    assert cold.loc["cycles", "median"] > hot.loc["cycles", "median"]


@needs_gnuplot
def test_summary_and_figures_hot_and_cold(stored):
    path, meta = stored
    text = (path / "summary.md").read_text()
    assert "modelled cycles, hot" in text and "modelled cycles, cold" in text
    assert "| variant | cache | instr | cycles | L1I | L1D | L2 | L3 (LLC) | ITLB | DTLB |" \
        in text
    # the constants, from the record file's header
    assert "L3 8 MiB 16-way" in text and \
        "cycles = instructions + L1 misses x 8 + L2 misses x 32 + L3 misses x 196" in text
    figs = set(meta["figures"])
    for f in ("oneway-len0.png", "cold-oneway-len0.pdf", "length-cross.svg",
              "cold-length-same.png", "misses-cross-call-len0.png"):
        assert f"figures/{f}" in figs, f
    dat = (path / "figures" / "misses-cross-call-len0.dat").read_text()
    assert "L1D/cold" in dat and "L3/hot" in dat


def test_reanalyse_gives_the_same_tables(stored, tmp_path):
    path = tmp_path / stored[0].name
    shutil.copytree(stored[0], path)
    before = store.load_run(path)
    reanalyse.reanalyse(path, figures=False, progress=lambda *_: None)
    after = store.load_run(path)
    pd.testing.assert_frame_equal(before.samples, after.samples)
    pd.testing.assert_frame_equal(before.stats, after.stats)


# ------------------------------------------------------------------ what fails

def test_a_sample_without_a_record_fails_its_variant(fake_repo):
    # drop the record at the end of sample 2 of case 3 (ipc/same/reply/len0)
    text = fixture_text("model-l4-classic.log")
    log = logparse.parse(text)
    c = log.cases[3]
    end = c.stamps[2] + c.values[2] + c.overhead
    path, meta = run(model_repo(fake_repo, **{"l4-classic": {"drop": end}}), ok=False)
    info = meta["variants"]["l4-classic"]
    assert info["status"] == "model"
    assert "case ipc/same/reply/len0: 1 of 4 samples have no model record" in \
        info["problems"][0]
    assert meta["variants"]["sel4-like"]["status"] == "ok"
    assert set(store.load_run(path).samples.variant) == {"sel4-like"}


def test_a_refused_plugin_is_named(fake_repo):
    why = ("bad argument 'l1d_wayz=8': no such parameter; valid arguments: "
           "l1i_size=<bytes, K/M/G suffix allowed>")
    path, meta = run(model_repo(fake_repo, **{"sel4-like": {"refuse": why}}), ok=False)
    p = meta["variants"]["sel4-like"]["problems"][0]
    assert p.startswith("model-plugin: the model plugin refused to run: bad argument "
                        "'l1d_wayz=8'")


def test_stamps_and_cold_cases_are_part_of_the_contract():
    text = fixture_text("model-l4-classic.log")
    v = config.load_variant("l4-classic")
    # a STAMP line short of a value
    lines = text.splitlines()
    k = next(i for i, l in enumerate(lines) if l.startswith("IPCLAB 2 STAMP id=3 "))
    lines[k] = lines[k].rsplit(" ", 1)[0]
    log = logparse.parse("\n".join(lines) + "\n")
    assert any("3 STAMP values for 4 samples" in e for e in log.errors)
    # a cold case missing under the model
    cut = "\n".join(l for l in text.splitlines() if " id=52 " not in l) + "\n"
    cut = cut.replace("cases=53", "cases=52")
    p = logparse.validate(logparse.parse(cut), exit_code=1, clock="model", samples=4,
                          warmup=1, variant=v, arch="x86_64")
    assert [x.kind for x in p] == ["missing-case"] and "ipc/cross/reply/len8/cold" in str(p[0])
    # cold cases where no model ran
    p = logparse.validate(logparse.parse(text.replace("clock=model", "clock=icount")),
                          exit_code=1, clock="icount", samples=4, warmup=1, variant=v,
                          arch="x86_64")
    assert any(x.kind == "malformed" and "cold case(s)" in x.message for x in p)


def test_other_arches_and_stray_model_args_are_refused(cli_repo, capsys):
    for arch in ("aarch64", "riscv64"):
        with pytest.raises(UsageError, match=f"clock=model cannot run arch {arch}: the "
                           f"cache/TLB model plugin .* decodes x86-64"):
            bench.check_arch(arch, MODEL)
    rc = cli.main(["bench", "--clock", "model", "--arch", "riscv64", "--no-build"])
    assert rc == 2 and "clock=model cannot run arch riscv64" in capsys.readouterr().err
    rc = cli.main(["bench", "--model-args", "l2_size=1M", "--no-build"])
    assert rc == 2 and "--model-args needs --clock model" in capsys.readouterr().err
    assert model.check_args("l2_size=512K, l3_miss_latency=250") == [
        "l2_size=512K", "l3_miss_latency=250"]
    for bad in ("records=/tmp/x", "l2_size", "=3"):
        with pytest.raises(UsageError):
            model.check_args(bad)


def test_model_args_reach_the_plugin(fake_repo, tmp_path):
    cmd = model.qemu_args(tmp_path / "a,b.model", ["l3_miss_latency=250"], fake_repo)
    assert cmd[0] == "-plugin"
    assert cmd[1].endswith(",records=" + str(tmp_path) + "/a,,b.model,l3_miss_latency=250")


# ------------------------------------------------------------------ comparisons

def test_compare_is_exact_per_event(fake_repo, stored):
    repo = model_repo(fake_repo)
    a = store.load_run(stored[0])
    b = store.load_run(run(repo)[0])
    c = compare.compare_runs(a, b)
    assert c.mode == "exact" and set(c.rows.verdict) == {"same"}
    assert set(c.rows.event) == {e for e, _ in model.EVENTS}
    # one more L1D miss in every window: cycles and misses regress, instructions do not
    repo.make_image("l4-classic", "model-l4-classic.log", model={"l1d_bump": 1})
    d = store.load_run(run(repo)[0])
    c = compare.compare_runs(b, d)
    l4 = c.rows[c.rows.variant == "l4-classic"]
    by = l4.groupby("event").verdict.agg(set).to_dict()
    assert by["instructions"] == {"same"} and by["itlb_misses"] == {"same"}
    for e in ("l1d_misses", "l2_misses", "l3_misses", "cycles"):
        assert by[e] == {"REGRESSION"}, e
    assert set(c.rows[c.rows.variant == "sel4-like"].verdict) == {"same"}
    md = compare.markdown(c)
    assert "| l4-classic | ipc/cross/call/len0/cold | l1d_misses |" in md
    # --events and --cases narrow it; /cold selects the cold cases
    c = compare.compare_runs(a, d, events=["cycles"], cases=["*/cold"])
    assert set(c.rows.event) == {"cycles"} and set(c.rows.cache) == {"cold"}
    with pytest.raises(compare.CompareError, match="event.*nope"):
        compare.compare_runs(a, d, events=["nope"])


def test_diff_per_event(stored):
    from ipclab import vdiff
    r = store.load_run(stored[0])
    df = vdiff.diff_table(r, "l4-classic", "sel4-like", ["ipc/cross/call/len0*"])
    assert set(df.event) == {e for e, _ in model.EVENTS}
    assert set(df.case) == {"ipc/cross/call/len0", "ipc/cross/call/len0/cold"}
    cyc = df[(df.event == "cycles") & (df.cache == "cold")].iloc[0]
    assert cyc.unit == "modelled cycles" and cyc.a_n == 4


def test_verdicts_by_cycles_then_instructions(stored):
    from ipclab import analysis
    path, _ = stored
    r = store.load_run(path)
    st = r.stats
    # an experiment's rule is read on modelled cycles, then again on instructions
    rule = ('median("sel4-like", "ipc/cross/call/len0") > '
            'median("l4-classic", "ipc/cross/call/len0") + 5')
    meta = {"clock": "model", "experiment": {"name": "x", "verdict": rule}}
    out = analysis.verdicts(st, r.samples, meta)["x"]
    assert out["event"] == "cycles" and set(out["other_events"]) == {"instructions"}
    cyc = metrics.stats_view(st, "cycles", "hot")
    ins = metrics.stats_view(st, "instructions", "hot")
    for got, view in ((out, cyc), (out["other_events"]["instructions"], ins)):
        a = view[(view.variant == "sel4-like") & (view.space == "cross") &
                 (view.metric == "call") & (view["len"] == 0)]["median"].iloc[0]
        b = view[(view.variant == "l4-classic") & (view.space == "cross") &
                 (view.metric == "call") & (view["len"] == 0)]["median"].iloc[0]
        assert got["state"] == ("agrees" if a > b + 5 else "disagrees")
    cyc = metrics.stats_view(st, "cycles")
    v = verdict.evaluate('median("l4-classic", "ipc/cross/call/len0/cold") > '
                         'median("l4-classic", "ipc/cross/call/len0")', cyc)
    assert v.state == "agrees" and len(v.values) == 2
    v = verdict.evaluate('median("l4-classic", "ipc/cross/round/len0/cold") > 0', cyc)
    assert v.state == "not measured"
    v = verdict.evaluate('slope("l4-classic", "ipc/cross/call/cold") >= 0', cyc)
    assert v.state == "agrees"


# ------------------------------------------------------------------ layouts and records

def test_older_layouts_load_as_hot_instructions():
    # A real layout-3 run (before clock=model): the paper tests' committed fixture.
    r = store.load_run(REPO / "papers" / "tests" / "fixture" / "results" /
                       "20261129T181044Z-4377c246")
    assert r.meta["layout_version"] < 4
    assert set(r.samples["cache"]) == {"hot"}
    assert set(r.stats["event"]) == {"instructions"} and set(r.stats["cache"]) == {"hot"}
    view = metrics.stats_view(r.stats, metrics.headline_event(r.clock), "hot")
    assert len(view) == len(r.stats)


def test_record_files_raw_and_packed(tmp_path):
    raw = tmp_path / "v.model"
    n = write_records(fixture_text("model-sel4-like.log"), str(raw))
    a = model.read(raw)
    assert a.table.shape == (n, len(model.FIELDS))
    packed = model.pack(raw)
    assert not raw.exists() and packed.name == "v.model.gz"
    b = model.read(packed)
    assert np.array_equal(a.table, b.table) and a.params == b.params
    assert len(packed.read_bytes()) < n * 96
    # a truncated file, another format version
    data = gzip.decompress(packed.read_bytes())
    bad = tmp_path / "t.model"
    bad.write_bytes(b"IPCLMDL1" + data[8:-5])
    with pytest.raises(model.ModelError, match="truncated"):
        model.read(bad)
    bad.write_bytes(b"IPCLMDL1" + struct.pack("<IIII", 1, 88, 11, 0))
    with pytest.raises(model.ModelError, match="version 1 .* reads version 2"):
        model.read(bad)


def test_a_workloads_count_without_stamps_keeps_its_value_only(tmp_path):
    """A workload may print a count or an average over many windows (threads, bytes,
    cost per event of a burst) without STAMP lines: under the IPC benchmark that is a
    fault; under a workload the case keeps its value and gets no model events."""
    text = fixture_text("model-l4-classic.log")
    text = "\n".join(l for l in text.splitlines()
                     if not l.startswith("IPCLAB 2 STAMP id=5 ")) + "\n"
    raw = tmp_path / "v.model"
    write_records(text, str(raw))
    rec = model.read(raw)
    log = logparse.parse(text)
    problems, loose = model.attribute(log, rec, require_all=True)
    assert len(problems) == 1 and "ipc/same/call/len1 printed no STAMP values" in problems[0]
    log = logparse.parse(text)
    problems, loose = model.attribute(log, rec, require_all=False)
    assert problems == [] and loose == ["ipc/same/call/len1"]
    v = config.load_variant("l4-classic")
    s = store.samples_frame(log, v, "r", "c", "x86_64", MODEL)
    st = store.stats_frame(s)
    case = s[s.case == "ipc/same/call/len1"]
    assert case["cycles"].isna().all() and (case["value"] > 0).all()
    assert set(st[st.case == "ipc/same/call/len1"].event) == {"instructions"}
    assert integrity.check_consistency(s, st, metrics.events("model")) == []
    assert "ipc/same/call/len1" not in set(metrics.sample_view(s, "model", "cycles").case)
    # stored and read back: the empty cells stay empty, the other counts exact
    d = tmp_path / "run"
    d.mkdir()
    store.write_tables(d, s, st)
    back = pd.read_csv(d / "samples.csv.gz")
    assert integrity.check_values(back, extra=model.EXTRA_EVENTS) == []
    assert back[back.case == "ipc/same/call/len1"]["cycles"].isna().all()
    other = back[back.case != "ipc/same/call/len1"]
    assert (other["cycles"] == s[s.case != "ipc/same/call/len1"]["cycles"].to_numpy()).all()
