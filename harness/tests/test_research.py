"""A researcher's daily questions: compare with guards, filters and exports; diff two
variants; list and clean runs; figures for papers; terse boot and regress output."""
import json
import shutil

import pandas as pd
import pytest

from conftest import fixture_text, set_value
from make_fixtures import log_text
from ipclab import bench, cli, clock, compare, config, plots, store

ICOUNT = clock.CLOCKS["icount"]
needs_gnuplot = pytest.mark.skipif(shutil.which("gnuplot") is None, reason="no gnuplot")


def run(repo, names, **kw):
    kw.setdefault("figures", False)
    path, meta, ok = bench.run_bench(config.resolve_variants(names, repo), ICOUNT,
                                     samples=4, warmup=1, build=False, repo=repo,
                                     results_dir=repo / "results",
                                     progress=lambda *_: None, **kw)
    assert ok
    return path


def cli_run(argv, capsys):
    rc = cli.main(argv)
    o = capsys.readouterr()
    return rc, o.out, o.err


def edit_meta(path, fn):
    """Change a stored run's metadata the way a different run would have it (resealed,
    so the checksums stay valid)."""
    meta = store.load_meta(path)
    meta.pop("manifest", None)
    fn(meta)
    store.seal(path, meta, "run edited by a test")


@pytest.fixture
def anchors(cli_repo):
    cli_repo.make_image("sel4-like", "good-sel4-like.log")
    cli_repo.make_image("l4-classic", "good-l4-classic.log")
    return cli_repo


# ------------------------------------------------------------------ compare guards

def test_compare_refuses_or_warns_by_name(anchors):
    a = store.load_run(run(anchors, ["sel4-like", "l4-classic"]))
    b = store.load_run(run(anchors, ["sel4-like", "l4-classic"]))
    with pytest.raises(compare.CompareError, match="same run"):
        compare.compare_runs(a, a)
    for key, value, words in (("arch", "riscv64", "different architecture: A"),
                              ("clock", "tcg", "different clock mode"),
                              ("samples", 1000, "different samples: A 4, B 1000"),
                              ("warmup", 100, "different warmup")):
        b2 = store.Run(b.path, dict(b.meta, **{key: value}), b.samples, b.stats)
        with pytest.raises(compare.CompareError, match=words) as e:
            compare.compare_runs(a, b2)
        assert "--force" in str(e.value)
        c = compare.compare_runs(a, b2, force=True)
        assert any(w.startswith("FORCED: ") and words.split(":")[0] in w for w in c.warnings)
        assert "WARNING: FORCED" in compare.markdown(c)
    dirty = dict(b.meta, git=dict(b.meta["git"], dirty=True, dirty_files=["kernel/x.c"]))
    c = compare.compare_runs(a, store.Run(b.path, dirty, b.samples, b.stats))
    assert not c.regressed and "DIRTY working tree (uncommitted: kernel/x.c)" in \
        compare.markdown(c)


def test_baseline_promotion_guards(anchors, capsys):
    good = run(anchors, ["sel4-like", "l4-classic"])
    dirty = run(anchors, ["sel4-like", "l4-classic"])
    edit_meta(dirty, lambda m: m["git"].update(dirty=True, dirty_files=["kernel/core/ipc.c"]))
    rc, out, err = cli_run(["baseline", "--from", str(dirty)], capsys)
    assert rc == 2 and "DIRTY tree (uncommitted: kernel/core/ipc.c)" in err
    assert "--force" in err and not (anchors / "results" / "baseline").exists()
    rc, out, err = cli_run(["baseline", "--from", str(good)], capsys)
    assert rc == 0, err
    tcg = run(anchors, ["sel4-like", "l4-classic"])
    edit_meta(tcg, lambda m: m.update(clock="tcg", samples=8))
    rc, out, err = cli_run(["baseline", "--from", str(tcg)], capsys)
    assert rc == 2 and "clock=tcg" in err
    rc, out, err = cli_run(["baseline", "--from", str(tcg), "--force"], capsys)
    assert rc == 0 and "WARNING: FORCED" in out
    assert "the current baseline has samples=4, the new one samples=8" in out
    assert store.load_meta(anchors / "results" / "baseline")["copied_from"]["forced"]


def test_regress_refuses_a_baseline_of_another_arch(anchors, capsys):
    base = run(anchors, ["sel4-like"])
    rc, out, err = cli_run(["baseline", "--from", str(base)], capsys)
    assert rc == 0
    edit_meta(anchors / "results" / "baseline", lambda m: m.update(arch="aarch64"))
    rc, out, err = cli_run(["regress", "--variants", "sel4-like", "--no-build"], capsys)
    assert rc == 2 and "the baseline" in err and "arch=aarch64" in err


# ------------------------------------------------------------------ compare features

def test_compare_selection_and_exports(anchors, capsys):
    a = run(anchors, ["sel4-like", "l4-classic"])
    anchors.make_image("sel4-like", text=set_value(fixture_text("good-sel4-like.log"), 9, 0,
                                                   400))
    b = run(anchors, ["sel4-like"])          # l4-classic not run this time
    rc, out, err = cli_run(["compare", str(a), str(b), "--no-figures"], capsys)
    assert rc == 1 and "MISSING" in out                    # l4-classic's cases are missing
    rc, out, err = cli_run(["compare", str(a), str(b), "--no-figures", "--common"], capsys)
    assert rc == 1 and "MISSING" not in out and "only the cases both runs have" in out
    rc, out, err = cli_run(["compare", str(a), str(b), "--no-figures", "--common",
                            "--cases", "ipc/cross/*,*/len16"], capsys)
    assert rc == 0, out                                   # the bumped case is ipc/same/...
    rc, out, err = cli_run(["compare", str(a), str(b), "--no-figures", "--variants",
                            "sel4-like", "--format", "csv"], capsys)
    df = pd.read_csv(__import__("io").StringIO(out))
    assert rc == 1 and set(df.variant) == {"sel4-like"}
    assert {"verdict", "delta", "unit", "run_a", "run_b"} <= set(df.columns)
    assert (df.verdict == "REGRESSION").sum() == 1
    rc, out, err = cli_run(["compare", str(a), str(b), "--no-figures", "--variants",
                            "sel4-like", "--format", "json"], capsys)
    doc = json.loads(out)
    assert doc["regressed"] and doc["a"]["run_id"] == a.name and doc["unit"] == \
        "guest instructions"
    assert sum(r["verdict"] == "REGRESSION" for r in doc["rows"]) == 1
    md = anchors / "results" / "compare" / f"{a.name}--{b.name}.md"
    assert md.is_file() and md.with_suffix(".csv").is_file() and md.with_suffix(".json").is_file()
    rc, out, err = cli_run(["compare", str(a), str(b), "--variants", "nope"], capsys)
    assert rc == 2 and "unknown variant(s) for these runs: nope" in err


@needs_gnuplot
def test_compare_draws_before_after_figures(anchors, capsys):
    a = run(anchors, ["sel4-like", "l4-classic"])
    anchors.make_image("sel4-like", "good-sel4-like-slower.log")
    b = run(anchors, ["sel4-like", "l4-classic"])
    rc, out, err = cli_run(["compare", str(a), str(b)], capsys)
    assert rc == 1
    figdir = anchors / "results" / "compare" / f"{a.name}--{b.name}"
    for ext in ("png", "svg", "pdf"):
        assert (figdir / f"compare-cross.{ext}").stat().st_size > 1000
    svg = (figdir / "compare-same.svg").read_text()
    assert f"A (old) {a.name}" in svg and f"B (new) {b.name}" in svg
    assert "sel4-like" in svg and "l4-classic" in svg          # a panel per variant


# ------------------------------------------------------------------ diff

@needs_gnuplot
def test_diff_measures_both_in_one_run_then_reuses_it(cli_repo, capsys):
    cli_repo.make_image("l4-classic", "good-l4-classic.log")
    cli_repo.make_image("sel4-mem", text=log_text("sel4-mem"))
    args = ["diff", "l4-classic", "sel4-mem", "--samples", "4", "--warmup", "1",
            "--no-build", "--format", "png,svg"]
    rc, out, err = cli_run(args, capsys)
    assert rc == 0, err
    assert "measuring l4-classic and sel4-mem in one run" in out
    (path,) = store.complete_runs(cli_repo / "results")
    assert "# ipclab diff: sel4-mem against l4-classic" in out
    assert "differ in transfer (regs -> mem), sched (lazy -> benno), dest (tid -> endpoint)" \
        in out
    outdir = cli_repo / "results" / "diff" / f"l4-classic--sel4-mem--{path.name}"
    df = pd.read_csv(outdir / "diff.csv")
    r = df[df.case == "ipc/same/call/len4"].iloc[0]
    # l4-classic 304/305, sel4-mem 312/313 (invented fixture numbers, 4 samples each)
    assert r.a_mean == 304.5 and r.b_mean == 312.5 and r.delta == 8
    assert r.ratio == pytest.approx(312.5 / 304.5, rel=1e-5)     # 6 digits in the CSV
    assert r.delta_ci95 == pytest.approx(2.4469 * (2 * (1 / 3) / 4) ** 0.5, rel=1e-3)
    only = df[df.case == "ipc/same/call/len16"].iloc[0]
    assert pd.isna(only.delta) and "only sel4-mem measures it" in only.note
    assert json.loads((outdir / "diff.json").read_text())[0]["case"]
    assert (outdir / "diff-l4-classic-vs-sel4-mem.png").stat().st_size > 1000
    assert "x on the axis: length skipped" in \
        (outdir / "diff-l4-classic-vs-sel4-mem.svg").read_text()
    rc, out, err = cli_run(args + ["--print", "csv"], capsys)
    assert rc == 0 and "both variants are in the stored run" in out
    assert len(store.complete_runs(cli_repo / "results")) == 1        # nothing re-measured
    rc, out, err = cli_run(args + ["--fresh", "--no-figures"], capsys)
    assert rc == 0 and len(store.complete_runs(cli_repo / "results")) == 2
    rc, out, err = cli_run(["diff", "l4-classic", "l4-classic"], capsys)
    assert rc == 2 and "two different variants" in err


# ------------------------------------------------------------------ runs, clean

def test_runs_lists_metadata_and_clean_removes_only_stale(anchors, capsys):
    a = run(anchors, ["sel4-like", "l4-classic"])
    res = anchors / "results"
    stale = res / ".partial-20200101T000000Z-dead"
    stale.mkdir()
    (stale / "OWNER").write_text('{"pid": 999999999}')
    live = res / ".partial-20200101T000001Z-live"
    live.mkdir()
    (live / "OWNER").write_text(json.dumps({"pid": __import__("os").getpid()}))
    rc, out, err = cli_run(["runs"], capsys)
    assert rc == 0
    row = next(l for l in out.splitlines() if a.name in l)
    assert "complete" in row and "icount" in row and "| 4 |" in row and "2/2" in row
    assert "stale (harness clean removes it)" in out and "being written (pid" in out
    rc, out, err = cli_run(["clean", "--dry-run"], capsys)
    assert f"would remove {stale}" in out and stale.exists()
    rc, out, err = cli_run(["clean"], capsys)
    assert rc == 0 and not stale.exists() and live.exists() and a.exists()
    assert f"kept {live}" in out


# ------------------------------------------------------------------ figures for papers

@needs_gnuplot
def test_report_for_a_paper_goes_to_a_new_folder(anchors, capsys):
    a = run(anchors, ["sel4-like", "l4-classic"])
    edit_meta(a, lambda m: m["git"].update(dirty=True, short="abcd1234"))
    rc, out, err = cli_run(["report", a.name, "--variants", "l4-classic,sel4-like",
                            "--title", "Message registers matter", "--format", "svg,pdf"],
                           capsys)
    assert rc == 0, err
    rep = next((anchors / "results" / "reports").glob(f"{a.name}-*"))
    assert not list(rep.glob("*.png")) and (rep / "length-same.pdf").stat().st_size > 1000
    assert (rep / "length-same.pdf").read_bytes()[:4] == b"%PDF"
    svg = (rep / "length-same.svg").read_text()
    assert "Message registers matter, same address space" in svg
    assert f"run {a.name}, commit abcd1234 (DIRTY tree" in svg       # the caption line
    assert "x on the axis: length skipped" in svg                    # l4-classic len 16
    assert not (a / "figures").exists()                              # stored run untouched
    rc, out, err = cli_run(["report", a.name, "--out", str(a / "figures")], capsys)
    assert rc == 2 and "inside the stored run" in err
    rc, out, err = cli_run(["report", a.name, "--format", "gif"], capsys)
    assert rc == 2 and "valid formats: png, svg, pdf" in err
    rc, out, err = cli_run(["report", a.name, "--variants", "sel4-tid"], capsys)
    assert rc == 2 and "no results for sel4-tid" in err


@needs_gnuplot
def test_many_lines_are_split_into_panels(fake_repo, tmp_path):
    names = ["classic-benno", "classic-endpoint", "classic-mem", "classic-nofast",
             "classic-vregs", "l4-classic", "sel4-like"]
    for n in names:
        fake_repo.make_image(n, text=log_text(n))
    r = store.load_run(run(fake_repo, names))
    files = plots.make_figures(r.stats, r.meta, tmp_path, formats="svg")
    svg = (tmp_path / "length-same.svg").read_text()
    assert "same address space (1 of 2)" in svg and "same address space (2 of 2)" in svg
    few = plots.make_figures(r.stats, r.meta, tmp_path / "few", names[:3], formats="svg")
    assert "(1 of" not in (tmp_path / "few" / "length-same.svg").read_text()
    assert len(files) == 3 and len(few) == 3


# ------------------------------------------------------------------ terse output

def test_boot_prints_the_summary_not_the_raw_lines(anchors, capsys):
    args = ["boot", "--variant", "sel4-like", "--samples", "4", "--warmup", "1",
            "--no-build", "--log", str(anchors / "boot.log")]
    rc, out, err = cli_run(args, capsys)
    assert rc == 0, err
    assert "| sel4-like |" in out and "IPCLAB 2 DATA" not in out and "--- OK" in out
    rc, out, err = cli_run(args + ["--console"], capsys)
    assert rc == 0 and "IPCLAB 2 DATA" in out


def test_regress_prints_the_verdict_and_only_changed_rows(anchors, capsys):
    base = run(anchors, ["sel4-like", "l4-classic"])
    assert cli_run(["baseline", "--from", str(base)], capsys)[0] == 0
    anchors.make_image("sel4-like", text=set_value(fixture_text("good-sel4-like.log"), 9, 0,
                                                   400))
    rc, out, err = cli_run(["regress", "--no-build", "--variants", "sel4-like,l4-classic"],
                           capsys)
    assert rc == 1, err
    assert "regress: REGRESSION (70 cases: 1 REGRESSION, 69 same)" in out
    assert out.count("| sel4-like |") == 1 and "| l4-classic |" not in out
    assert "[1/2]" not in out and "[2/2]" not in out          # no per-variant ok lines
    assert "## Headline" not in out
    rc, out, err = cli_run(["regress", "--no-build", "--variants", "l4-classic"], capsys)
    assert rc == 1 and "MISSING" in out       # sel4-like in the baseline, not in the run
