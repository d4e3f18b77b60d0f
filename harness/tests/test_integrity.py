"""Damaged stored runs: each problem names the file and the way back (reanalyse), with
exit status 2, never a traceback or a silently different result."""
import json
import shutil

import pandas as pd
import pytest

from ipclab import bench, cli, clock, config, integrity, store

ICOUNT = clock.CLOCKS["icount"]


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    """Two identical complete runs of two variants, made once per module."""
    root = tmp_path_factory.mktemp("template")
    shutil.copytree(config.REPO / "variants", root / "variants")
    shutil.copytree(config.REPO / "bench" / "guest" / "workloads",
                    root / "bench" / "guest" / "workloads")
    from conftest import FIX, HERE
    mp = pytest.MonkeyPatch()
    mp.setenv("IPCLAB_QEMU", str(HERE / "fake_qemu.py"))
    for v, fx in (("sel4-like", "good-sel4-like.log"), ("l4-classic", "good-l4-classic.log")):
        d = root / "build" / "x86_64" / v
        d.mkdir(parents=True)
        (d / "ipclab.elf").write_text(json.dumps({"fixture": str(FIX / fx), "exit": 1}))
    for _ in range(2):
        p, meta, ok = bench.run_bench(
            config.resolve_variants(["sel4-like", "l4-classic"], root), ICOUNT,
            samples=4, warmup=1, build=False, repo=root, results_dir=root / "results",
            figures=False, progress=lambda *_: None)
        assert ok
    mp.undo()
    return root / "results"


@pytest.fixture
def two_runs(_template, fake_repo, monkeypatch):
    """A fresh copy of the two runs in this test's results/; cli resolves names there."""
    shutil.copytree(_template, fake_repo / "results")
    monkeypatch.setattr(cli, "RESULTS", fake_repo / "results")
    monkeypatch.setattr(cli, "BASELINE", fake_repo / "results" / "baseline")
    return store.complete_runs(fake_repo / "results")


def compare_cli(a, b, capsys, *extra):
    rc = cli.main(["compare", str(a), str(b), "--no-figures", "--report",
                   str(a.parent / "cmp.md"), *extra])
    o = capsys.readouterr()
    return rc, o.out, o.err


def _truncate(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])


def test_manifest_and_meta_checksum_are_stored(two_runs):
    a = two_runs[0]
    meta = json.loads((a / "meta.json").read_text())
    man = meta["manifest"]
    assert man["samples.csv.gz"]["rows"] == len(store.load_run(a).samples)
    assert man["stats.csv"]["rows"] == 2 + 12 * 3 + 2 + 10 * 3
    assert "logs/sel4-like.log" in man and "summary.md" in man
    assert integrity.recorded_meta_sha(a / "COMPLETE") == integrity.sha256_file(a / "meta.json")
    assert meta["layout_version"] == 4


@pytest.mark.parametrize("damage,file,words", [
    (lambda p: _truncate(p / "samples.csv.gz"), "samples.csv.gz", "truncated or overwritten"),
    (lambda p: (p / "stats.csv").write_bytes(b"\x00\xff\xfe" * 300), "stats.csv",
     "damaged"),
    (lambda p: _truncate(p / "stats.csv", 0.6), "stats.csv", "truncated"),
    (lambda p: (p / "meta.json").write_text("{}"), "meta.json", "differs"),
])
def test_damaged_file_is_named_with_the_recovery(two_runs, capsys, damage, file, words):
    a, b = two_runs
    damage(b)
    rc, out, err = compare_cli(a, b, capsys)
    assert rc == 2, (out, err)
    assert "Traceback" not in err and file in err and words in err, err
    assert "recover:" in err
    if file != "meta.json":
        assert f"harness reanalyse {b}" in err
    else:
        assert "cannot be rebuilt" in err


def _strip_manifest(run):
    """Make a run look like layout 2 (no checksums): only the shape checks remain."""
    meta = json.loads((run / "meta.json").read_text())
    meta.pop("manifest")
    (run / "meta.json").write_text(json.dumps(meta))
    (run / "COMPLETE").write_text("run complete (layout v2)\n")


def test_without_checksums_a_truncated_stats_csv_is_still_caught(two_runs, capsys):
    # before: measured cases silently turned into "skip" in every table
    a, b = two_runs
    _strip_manifest(b)
    lines = (b / "stats.csv").read_text().splitlines()
    (b / "stats.csv").write_text("\n".join(lines[:20]) + "\n")
    rc, out, err = compare_cli(a, b, capsys)
    assert rc == 2 and "stats.csv lacks 51 of the 70 cases" in err, err
    rc = cli.main(["report", str(b), "--format", "png"])
    assert rc == 2 and "stats.csv" in capsys.readouterr().err


def test_without_checksums_binary_and_gzip_damage_are_caught(two_runs, capsys):
    a, b = two_runs
    _strip_manifest(b)
    (b / "stats.csv").write_bytes(b"variant,bench\n\xff\xfe\x00garbage\x81\n")
    rc, out, err = compare_cli(a, b, capsys)
    assert rc == 2 and "stats.csv" in err and "Traceback" not in err
    _strip_manifest(a)
    _truncate(a / "samples.csv.gz")
    rc, out, err = compare_cli(a, b, capsys)
    assert rc == 2 and "samples.csv.gz cannot be read" in err, err


def test_missing_column_is_named(two_runs, capsys):
    a, b = two_runs
    _strip_manifest(b)
    st = pd.read_csv(b / "stats.csv").drop(columns=["median"])
    st.to_csv(b / "stats.csv", index=False)
    rc, out, err = compare_cli(a, b, capsys)
    assert rc == 2 and "stats.csv lacks column(s) median" in err, err


def test_empty_meta_is_not_a_run(two_runs, capsys):
    # before: "run None" and exit 0
    a, b = two_runs
    _strip_manifest(b)
    (b / "meta.json").write_text("{}")
    rc, out, err = compare_cli(a, b, capsys)
    assert rc == 2 and "meta.json lacks or has an invalid run_id" in err, err
    assert "run None" not in out


def test_stored_value_above_2_63_is_refused_not_a_traceback(two_runs, capsys):
    a, b = two_runs
    _strip_manifest(b)
    df = pd.read_csv(b / "samples.csv.gz")
    df["value"] = df["value"].astype(object)
    df.loc[5, "value"] = 2 ** 63 + 5
    df.to_csv(b / "samples.csv.gz", index=False, compression="gzip")
    rc, out, err = compare_cli(a, b, capsys)
    assert rc == 2 and "column value holds values that are not 64-bit integers" in err, err
    assert "row 7: 9223372036854775813" in err or "9223372036854775813" in err


def test_reanalyse_rebuilds_a_damaged_run(two_runs, capsys):
    a, b = two_runs
    before = store.load_run(b)
    _truncate(b / "samples.csv.gz")
    (b / "stats.csv").write_text("garbage\n")
    (b / "summary.md").unlink()
    rc = cli.main(["reanalyse", str(b), "--no-figures"])
    out = capsys.readouterr().out
    assert rc == 0, out
    after = store.load_run(b)
    pd.testing.assert_frame_equal(before.samples, after.samples)
    pd.testing.assert_frame_equal(before.stats, after.stats)
    assert after.meta["reanalysed"]["from"] == str(b)
    assert (b / "summary.md").is_file()
    assert not list(b.parent.glob(".partial-*"))
    rc, out, err = compare_cli(a, b, capsys)
    assert rc == 0 and "Every case is identical" in out


def test_reanalyse_refuses_a_damaged_log(two_runs, capsys):
    a, b = two_runs
    log = b / "logs" / "sel4-like.log"
    log.write_text(log.read_text().replace("DATA id=3 ", "DATA id=3 9", 1))
    rc = cli.main(["reanalyse", str(b), "--no-figures"])
    out = capsys.readouterr().out
    assert rc == 3
    assert "logs/sel4-like.log is damaged" in out and "measure the variant again" in out
    r = store.load_run(b)                                # still a valid (smaller) run
    assert set(r.samples.variant) == {"l4-classic"}
    assert r.meta["variants"]["sel4-like"]["status"] == "host-io"


def test_runs_check_flags_damage(two_runs, capsys):
    a, b = two_runs
    _truncate(b / "samples.csv.gz")
    rc = cli.main(["runs", "--results", str(b.parent), "--check"])
    out = capsys.readouterr().out
    assert rc == 2 and "DAMAGED" in out and "samples.csv.gz" in out
    assert a.name in out and "complete" in out
