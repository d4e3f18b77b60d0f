"""The command line: usage errors list the valid names; verify, report and baseline."""
import importlib

import pytest

from ipclab import cli, config, store, verify


def run_cli(argv, capsys):
    rc = cli.main(argv)
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_help_explains(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["--help"])
    assert e.value.code == 0
    text = capsys.readouterr().out
    for word in ("bench", "verify", "compare", "regress", "icount", "guest instruction"):
        assert word in text


@pytest.mark.parametrize("argv,words", [
    (["bench", "--variants", "nope"], ["unknown variant: nope", "l4-classic", "sel4-like"]),
    (["bench", "-e", "nope"], ["unknown experiment: nope", "fastpath", "anchors"]),
    (["bench", "--clock", "wallclock"], ["unknown clock mode", "icount, kvm, tcg"]),
    (["boot", "--variant", "nope"], ["valid variants"]),
    (["verify", "nope"], ["valid variants"]),
    (["bench", "--arch", "m68k"], ["unsupported arch: m68k", "x86_64"]),
    (["compare", "no-such-run", "latest"], ["no such run"]),
])
def test_usage_errors_list_valid_names(argv, words, capsys):
    rc, out, err = run_cli(argv, capsys)
    assert rc == 2
    for w in words:
        assert w in err


def test_list(capsys):
    rc, out, _ = run_cli(["list"], capsys)
    assert rc == 0 and "sel4-like" in out and "message-structure" in out


def test_verify_with_fake_qemu(fake_repo):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    fake_repo.make_image("l4-classic", "good-l4-classic.log")
    fake_repo.make_image("sel4-tid", "good-sel4-like.log")        # prints the wrong BEGIN
    lines = []
    ok = verify.run_verify(config.resolve_variants(["sel4-like", "l4-classic"], fake_repo),
                           samples=4, warmup=1, build=False, repo=fake_repo,
                           progress=lines.append)
    assert ok, lines
    assert sum(l.startswith("PASS") for l in lines) == 2
    lines = []
    ok = verify.run_verify(config.resolve_variants(["sel4-tid"], fake_repo), samples=4,
                           warmup=1, build=False, repo=fake_repo, progress=lines.append)
    assert not ok
    fail = next(l for l in lines if l.startswith("FAIL"))
    assert "sel4-tid.boot1.log" in fail and "config" in fail


def test_verify_catches_nondeterminism(tmp_path):
    from conftest import fixture_text
    from ipclab import logparse
    a = logparse.parse(fixture_text("good-sel4-like.log"))
    b = logparse.parse(fixture_text("good-sel4-like-slower.log"))
    diffs = verify.compare_boots(a, b)
    assert diffs and "differs at sample 0" in diffs[0]
    assert verify.compare_boots(a, a) == []


def test_report_and_baseline_from_stored_run(fake_repo, monkeypatch, capsys):
    from ipclab import bench, clock
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    fake_repo.make_image("l4-classic", "good-l4-classic.log")
    path, meta, ok = bench.run_bench(
        config.resolve_variants(["sel4-like", "l4-classic"], fake_repo),
        clock.CLOCKS["icount"], samples=4, warmup=1, build=False, repo=fake_repo,
        results_dir=fake_repo / "results", figures=False, progress=lambda *_: None)
    monkeypatch.setattr(cli, "RESULTS", fake_repo / "results")
    monkeypatch.setattr(cli, "BASELINE", fake_repo / "results" / "baseline")
    before = sorted(p.name for p in path.rglob("*"))
    rc, out, err = run_cli(["report", "latest", "-e", "anchors", "--format", "png"], capsys)
    assert rc == 0, err
    rep = next((fake_repo / "results" / "reports").glob(f"{path.name}-anchors-*"))
    assert (rep / "oneway-len0.png").stat().st_size > 1000
    assert not list(rep.glob("*.svg")) and (rep / "summary.md").is_file()
    assert sorted(p.name for p in path.rglob("*")) == before   # the stored run unchanged
    rc, out, err = run_cli(["baseline", "--from", "latest"], capsys)
    assert rc == 0, err
    base = store.load_run(fake_repo / "results" / "baseline")
    assert (base.path / "logs" / "sel4-like.log.gz").is_file()
    assert not (base.path / "figures").exists() and len(base.samples) == len(
        store.load_run(path).samples)
    # the baseline is a copy of latest: comparing them says nothing, so it is refused
    rc, out, err = run_cli(["compare", "baseline", "latest", "--report",
                            str(fake_repo / "r.md")], capsys)
    assert rc == 2 and "same run" in err and "--force" in err
    rc, out, err = run_cli(["compare", "baseline", "latest", "--report",
                            str(fake_repo / "r.md"), "--force", "--no-figures"], capsys)
    assert rc == 0 and "Every case is identical" in out and "FORCED: A and B" in out


def test_default_matrix_leaves_out_variants_another_arch_alone_has(fake_repo):
    """A variant with an x86_64-only value (axes.conf: requires ARCH=...) is not in the
    default matrix of another architecture, but stays in x86_64's, and a list that names
    it keeps it (its build then refuses it by name)."""
    (fake_repo / "variants" / "only-x86.conf").write_text("BASE = sel4-like\nKPTI = on\n")
    def names(arch, wanted=()):
        return [v.name for v in config.resolve_variants(list(wanted), fake_repo, arch=arch)]
    assert "only-x86" in names("x86_64")
    assert "only-x86" not in names("aarch64") and "sel4-like" in names("aarch64")
    assert names("aarch64", ["only-x86"]) == ["only-x86"]
    assert "only-x86" in names(None)
