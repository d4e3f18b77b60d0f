"""Impossible values are faults, not data; a sample count the guest would clamp is
refused before anything boots."""
import pytest

from conftest import fixture_text, set_value
from ipclab import bench, cli, clock, config, limits, logparse, store

ICOUNT = clock.CLOCKS["icount"]


def bench_one(repo, text, **kw):
    repo.make_image("sel4-like", text=text)
    lines = []
    path, meta, ok = bench.run_bench(config.resolve_variants(["sel4-like"], repo), ICOUNT,
                                     samples=4, warmup=1, build=False, repo=repo,
                                     results_dir=repo / "results", figures=False,
                                     progress=lines.append, **kw)
    return path, meta, ok, "\n".join(lines)


@pytest.mark.parametrize("value,kind,words", [
    (10 ** 9, "implausible", "cannot have counted more than"),
    (2 ** 63 - 1, "implausible", "cannot have counted more than"),
    (2 ** 64, "malformed", "outside the signed 64-bit range"),
    (10 ** 30, "malformed", "outside the signed 64-bit range"),
])
def test_impossible_sample_is_a_fault(fake_repo, value, kind, words):
    text = set_value(fixture_text("good-sel4-like.log"), 9, 2, value)
    path, meta, ok, out = bench_one(fake_repo, text)
    assert not ok
    info = meta["variants"]["sel4-like"]
    assert info["status"] == kind, info
    assert any(words in p for p in info["problems"]), info["problems"]
    assert not meta["published"] and meta["exit_status"] == 1     # nothing stored


def test_a_whole_case_at_1e20_is_a_fault(fake_repo):
    text = fixture_text("good-sel4-like.log")
    for i in range(4):
        text = set_value(text, 12, i, 10 ** 20)
    path, meta, ok, out = bench_one(fake_repo, text)
    assert not ok and meta["variants"]["sel4-like"]["status"] == "malformed"
    assert "64-bit" in out


def test_implausible_sample_message_names_the_bound():
    log = logparse.parse(set_value(fixture_text("good-sel4-like.log"), 9, 0, 10 ** 9))
    (msg,) = limits.implausible(log, "icount", 0.5, "guest instructions")
    assert "sample 0 = 1000000000 guest instructions" in msg
    assert "lasted 0.50 s" in msg and "2.5e+08" in msg
    # a real 1.1 s boot adds up to ~4e6 instructions: far inside the bound
    good = logparse.parse(fixture_text("good-sel4-like.log"))
    assert limits.implausible(good, "icount", 1.1, "guest instructions") == []
    # the sum of many plausible samples is bounded too
    assert limits.implausible(good, "icount", 1e-6, "guest instructions")


def test_bench_cli_exits_1_with_the_reason(fake_repo, monkeypatch, capsys):
    fake_repo.make_image("sel4-like", text=set_value(fixture_text("good-sel4-like.log"), 9,
                                                     1, 2 ** 63 - 1))
    fake_repo.make_image("l4-classic", "good-l4-classic.log")
    monkeypatch.setattr(config, "REPO", fake_repo)
    monkeypatch.setattr(bench, "REPO", fake_repo)
    rc = cli.main(["bench", "--variants", "sel4-like,l4-classic", "--samples", "4",
                   "--warmup", "1", "--no-build", "--no-figures",
                   "--results", str(fake_repo / "results")])
    out = capsys.readouterr().out
    assert rc == 1
    assert "sel4-like" in out and "implausible" in out and "9223372036854775807" in out
    r = store.load_run(store.complete_runs(fake_repo / "results")[-1])
    assert set(r.samples.variant) == {"l4-classic"}         # the value was not stored


@pytest.mark.parametrize("samples,warmup,words", [
    (16385, 100, "above the guest's limit of 16384 (MAX_SAMPLES in bench/guest/runtime.h)"),
    (100, 16385, "--warmup 16385 is above the guest's limit of 16384"),
    (16384, 16384, "warmup + samples + 1 = 32769 exceeds the guest's 32768 IPC iterations "
                   "per case (MAX_ITERATIONS in bench/guest/ipc_bench.c"),
    (0, 10, "at least 1 sample"),
])
def test_guest_limits_refused_before_booting(fake_repo, capsys, samples, warmup, words):
    pid = fake_repo / "qemu.pid"
    fake_repo.make_image("sel4-like", "good-sel4-like.log", pidfile=pid)
    rc = cli.main(["bench", "--variants", "sel4-like", "--samples", str(samples),
                   "--warmup", str(warmup), "--no-build", "--results",
                   str(fake_repo / "results")])
    err = capsys.readouterr().err
    assert rc == 2 and words in err, err
    assert not pid.exists()                                   # nothing was booted
    with pytest.raises(config.UsageError, match="exceeds"):   # the library refuses too
        bench.run_bench(config.resolve_variants(["sel4-like"], fake_repo), ICOUNT,
                        samples=16384, warmup=16384, build=False, repo=fake_repo,
                        results_dir=fake_repo / "results")


def test_guest_limits_follow_the_guest_sources():
    lim = limits.guest_limits()
    assert lim["max_samples"] == 16384 and lim["max_iterations"] == 0x8000
    assert "runtime.h" in lim["max_samples_source"]
    limits.check_request(16384, 16383)     # warmup + samples + 1 = 32768: the largest
