"""Faults of the host and of the harness's own processes: signals, a second run,
read-only and full disks, a missing QEMU, broken variant files, closed pipes. Each
ends in one message naming the problem and the fix, and the documented exit status."""
import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import HARNESS, harness_env
from ipclab import bench, cli, clock, config, errors, proc, runner, store
from ipclab import reanalyse as reanalyse_mod

ICOUNT = clock.CLOCKS["icount"]
ARGS = ["--samples", "4", "--warmup", "1", "--no-build", "--no-figures"]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_for(path: Path, timeout=30.0):
    t0 = time.monotonic()
    while not (path.exists() and path.read_text().strip()):
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"{path} never appeared")
        time.sleep(0.05)
    return int(path.read_text())


def run_bench(repo, names, **kw):
    lines = []
    kw.setdefault("figures", False)
    path, meta, ok = bench.run_bench(config.resolve_variants(names, repo), ICOUNT, samples=4,
                                     warmup=1, build=False, repo=repo,
                                     results_dir=repo / "results", progress=lines.append,
                                     **kw)
    return path, meta, ok, "\n".join(lines)


# ------------------------------------------------------------------ processes

@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129),
                                      (signal.SIGINT, 130)])
def test_signal_kills_hung_qemu_and_publishes_nothing(fake_repo, sig, code):
    pidfile = fake_repo / "qemu.pid"
    fake_repo.make_image("sel4-like", "good-sel4-like.log", sleep=120, pidfile=pidfile)
    env = harness_env(fake_repo)
    p = subprocess.Popen(HARNESS + ["bench", "--variants", "sel4-like", *ARGS], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        qemu = wait_for(pidfile)
        assert alive(qemu)
        if sig == signal.SIGTERM:
            # a second run at the same time is refused, naming the first
            q = subprocess.run(HARNESS + ["bench", "--variants", "sel4-like", *ARGS],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, timeout=60)
            assert q.returncode == 3, q.stderr
            assert "in use by another harness run" in q.stderr
            assert f"pid {p.pid}" in q.stderr and "--wait" in q.stderr
        p.send_signal(sig)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == code, err
    assert f"interrupted by {sig.name}" in err and "Traceback" not in err
    assert not alive(qemu)                                  # QEMU died with the harness
    assert store.complete_runs(fake_repo / "results") == []
    partial = list((fake_repo / "results").glob(".partial-*"))
    assert len(partial) == 1 and "partial run stays in" in out
    rc = subprocess.run(HARNESS + ["clean"], env=env, stdout=subprocess.PIPE, text=True)
    assert rc.returncode == 0 and f"removed {partial[0]}" in rc.stdout
    assert not partial[0].exists()


def test_sigterm_during_the_build_kills_make_and_its_children(fake_repo):
    make = fake_repo / "fake-make"
    make.write_text(f"#!/bin/sh\necho $$ > {fake_repo}/make.pid\nsleep 120 &\n"
                    f"echo $! > {fake_repo}/child.pid\nwait\n")
    make.chmod(0o755)
    env = dict(harness_env(fake_repo), IPCLAB_MAKE=str(make))
    p = subprocess.Popen(HARNESS + ["bench", "--variants", "sel4-like", "--samples", "4",
                                    "--warmup", "1", "--no-figures"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        pids = [wait_for(fake_repo / "make.pid"), wait_for(fake_repo / "child.pid")]
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 143
    assert not any(alive(x) for x in pids)


def test_lock_refuses_or_waits(fake_repo):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    held = proc.Lock(fake_repo / "build" / ".harness.lock", "build/").acquire()
    try:
        with pytest.raises(errors.InfraError, match=f"pid {os.getpid()}"):
            run_bench(fake_repo, ["sel4-like"])
        lines = []
        import threading
        threading.Timer(1.0, held.release).start()
        path, meta, ok = bench.run_bench(
            config.resolve_variants(["sel4-like"], fake_repo), ICOUNT, samples=4, warmup=1,
            build=False, repo=fake_repo, results_dir=fake_repo / "results", figures=False,
            progress=lines.append, wait=True)
        assert ok and any(l.startswith("waiting for") and "build/" in l for l in lines)
    finally:
        held.release()


def _fake_host_binaries(tmp, hang=False, fail=False):
    sys.path.insert(0, str(Path(__file__).parent))
    from test_hostbench import JSONS
    bins = tmp / "hostbin"
    bins.mkdir()
    for src in JSONS:
        exe = bins / src.stem
        body = (f"for a in \"$@\"; do case $a in --benchmark_out=*) /bin/cp {src} "
                f"\"${{a#--benchmark_out=}}\";; esac; done\necho console line of {src.stem}\n")
        if hang and src.stem == "sched_bench_lazy":
            body = "sleep 120\n"
        if fail and src.stem == "sched_bench_benno":
            body = "echo crashed >&2\nexit 4\n"
        exe.write_text("#!/bin/sh\n" + body)
        exe.chmod(0o755)
    return bins


def test_host_benchmarks_are_part_of_the_run(fake_repo, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    host = bench.HostStep(_fake_host_binaries(fake_repo), [], build=False)
    path, meta, ok, out = run_bench(fake_repo, ["sel4-like"], host=host)
    assert ok and meta["host_bench"]["status"] == "ok" and meta["exit_status"] == 0
    man = meta["manifest"]
    assert "host.csv" in man and "host-raw/ipc_bench.json" in man
    # the binaries' console output went to their log, not to the terminal
    assert "console line of ipc_bench" in (path / "host-raw" / "ipc_bench.log").read_text()
    assert "console line" not in out
    store.load_run(path)


def test_interrupted_host_step_publishes_nothing(fake_repo, monkeypatch):
    # before: Ctrl-C in the host step left half-written JSON in a run already latest
    fake_repo.make_image("sel4-like", "good-sel4-like.log")

    def interrupted(*a, **k):
        (a[1] / "host-raw").mkdir(exist_ok=True)
        (a[1] / "host-raw" / "ipc_bench.json").write_text('{"context": {')
        raise KeyboardInterrupt
    from ipclab import hostbench
    monkeypatch.setattr(hostbench, "run", interrupted)
    host = bench.HostStep(fake_repo, [], build=False)
    with pytest.raises(KeyboardInterrupt):
        run_bench(fake_repo, ["sel4-like"], host=host)
    assert store.complete_runs(fake_repo / "results") == []
    assert len(list((fake_repo / "results").glob(".partial-*"))) == 1


def test_failing_host_step_keeps_the_kernel_results_and_exits_3(fake_repo, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    host = bench.HostStep(_fake_host_binaries(fake_repo, fail=True), [], build=False)
    path, meta, ok, out = run_bench(fake_repo, ["sel4-like"], host=host)
    assert meta["published"] and meta["exit_status"] == 3
    assert meta["host_bench"]["status"] == "failed"
    assert "sched_bench_benno exited with status 4" in meta["host_bench"]["problems"][0]
    assert not (path / "host.csv").exists() and (path / "host-failed" / "host-raw").is_dir()
    assert "host benchmarks FAILED" in out
    store.load_run(path)


# ------------------------------------------------------------------ file system

def test_read_only_results_is_an_infrastructure_fault(fake_repo, monkeypatch, capsys):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    results = fake_repo / "ro-results"
    real_mkdir = Path.mkdir

    def ro_mkdir(self, *a, **k):
        if str(self).startswith(str(results)):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_mkdir(self, *a, **k)
    monkeypatch.setattr(Path, "mkdir", ro_mkdir)
    rc = cli.main(["bench", "--variants", "sel4-like", *ARGS, "--results", str(results)])
    err = capsys.readouterr().err
    assert rc == 3 and "Traceback" not in err
    assert "Read-only file system (EROFS)" in err and "pass --results DIR" in err
    assert "nothing was built or booted" in err


@pytest.mark.skipif(os.access("/sys", os.W_OK) and os.geteuid() != 0 or
                    not os.path.isdir("/sys"), reason="needs an unwritable /sys")
def test_unwritable_results_for_real(fake_repo, capsys):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    rc = cli.main(["bench", "--variants", "sel4-like", *ARGS, "--results",
                   "/sys/ipclab-results"])
    err = capsys.readouterr().err
    assert rc == 3 and "host-side I/O error preparing /sys/ipclab-results" in err, err


def test_full_disk_is_not_blamed_on_the_guest(fake_repo, monkeypatch):
    # a log that hits ENOSPC (/dev/full) is a host fault; the other variant is kept
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    fake_repo.make_image("l4-classic", "good-l4-classic.log")
    real = store.RunWriter.log_path

    def log_path(self, variant):
        p = real(self, variant)
        if variant == "l4-classic":
            p.symlink_to("/dev/full")
        return p
    monkeypatch.setattr(store.RunWriter, "log_path", log_path)
    path, meta, ok, out = run_bench(fake_repo, ["sel4-like", "l4-classic"])
    info = meta["variants"]["l4-classic"]
    assert info["status"] == "host-io", info
    assert "No space left on device" in info["problems"][0]
    assert "not a fault of the guest" in info["problems"][0]
    assert "truncated" not in " ".join(info["problems"])
    assert meta["published"] and meta["exit_status"] == 3
    assert set(store.load_run(path).samples.variant) == {"sel4-like"}
    assert "infrastructure fault(s), not the kernel: l4-classic" in out


def test_full_disk_during_analysis_keeps_the_logs_and_reanalyse_finishes(fake_repo,
                                                                        monkeypatch, capsys):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    fake_repo.make_image("l4-classic", "good-l4-classic.log")

    def full(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "samples.csv.gz.tmp")
    real_write_tables = store.write_tables
    monkeypatch.setattr(store, "write_tables", full)
    with pytest.raises(errors.InfraError) as e:
        run_bench(fake_repo, ["sel4-like", "l4-classic"])
    msg = str(e.value)
    partial = next((fake_repo / "results").glob(".partial-*"))
    assert "No space left on device (ENOSPC)" in msg and "free disk space" in msg
    assert f"harness reanalyse {partial}" in msg
    assert store.complete_runs(fake_repo / "results") == []
    (partial / "OWNER").write_text('{"pid": 999999999}')        # the writer is gone
    monkeypatch.setattr(store, "write_tables", real_write_tables)   # space again
    monkeypatch.setattr(cli, "RESULTS", fake_repo / "results")
    rc = cli.main(["reanalyse", str(partial), "--no-figures"])
    assert rc == 0, capsys.readouterr()
    (run,) = store.complete_runs(fake_repo / "results")
    assert run.name == partial.name[len(".partial-"):]
    assert set(store.load_run(run).samples.variant) == {"sel4-like", "l4-classic"}


def test_reanalyse_finishes_a_run_cut_short(fake_repo, monkeypatch):
    # the process died after one of two variants: the finished one is recovered
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    fake_repo.make_image("l4-classic", "good-l4-classic.log")
    calls = []
    real = bench._progress_line

    def die_after_first(*a, **k):
        real(*a, **k)
        calls.append(1)
        raise KeyboardInterrupt
    monkeypatch.setattr(bench, "_progress_line", die_after_first)
    with pytest.raises(KeyboardInterrupt):
        run_bench(fake_repo, ["sel4-like", "l4-classic"], jobs=1)
    monkeypatch.setattr(bench, "_progress_line", real)
    partial = next((fake_repo / "results").glob(".partial-*"))
    with pytest.raises(errors.UsageError, match="still being written by pid"):
        reanalyse_mod.reanalyse(partial)                 # our own pid: a live writer
    (partial / "OWNER").unlink()
    lines = []
    final, meta, ok = reanalyse_mod.reanalyse(partial, figures=False, progress=lines.append)
    assert not ok and meta["published"] and meta["exit_status"] == 1
    done = [v for v in ("sel4-like", "l4-classic") if meta["variants"][v]["status"] == "ok"]
    assert len(done) == 1
    other = ({"sel4-like", "l4-classic"} - set(done)).pop()
    assert meta["variants"][other]["status"] == "not-run"
    assert set(store.load_run(final).samples.variant) == set(done)


# ------------------------------------------------------------------ missing tools

def test_missing_qemu_is_refused_before_anything_runs(fake_repo, monkeypatch, capsys):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    monkeypatch.setenv("IPCLAB_QEMU", "qemu-system-x86_64-not-installed")
    rc = cli.main(["bench", "--variants", "sel4-like", *ARGS, "--results",
                   str(fake_repo / "results")])
    err = capsys.readouterr().err
    assert rc == 3 and "QEMU not found" in err and "make deps" in err
    assert not (fake_repo / "results").exists() or not any((fake_repo / "results").iterdir())


def test_qemu_that_cannot_start_is_not_published(fake_repo, monkeypatch):
    # before: every variant failed, yet the run was published COMPLETE and became latest
    broken = fake_repo / "qemu-broken"
    broken.write_text("#!/nonexistent/interpreter\n")
    broken.chmod(0o755)
    monkeypatch.setenv("IPCLAB_QEMU", str(broken))
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    fake_repo.make_image("l4-classic", "good-l4-classic.log")
    path, meta, ok, out = run_bench(fake_repo, ["sel4-like", "l4-classic"])
    assert not ok and not meta["published"] and meta["exit_status"] == 3
    assert {i["status"] for i in meta["variants"].values()} == {"host-qemu"}
    assert store.complete_runs(fake_repo / "results") == []
    assert "NOT PUBLISHED" in out and "cannot start" in out


def test_verify_tells_a_host_fault_from_a_kernel_fault(cli_repo, monkeypatch, capsys):
    broken = cli_repo / "qemu-broken"
    broken.write_text("#!/nonexistent/interpreter\n")
    broken.chmod(0o755)
    cli_repo.make_image("sel4-like", "good-sel4-like.log")
    monkeypatch.setenv("IPCLAB_QEMU", str(broken))
    rc = cli.main(["verify", "sel4-like", "--no-build", "--samples", "4", "--warmup", "1"])
    out = capsys.readouterr().out
    assert rc == 3 and "host-qemu" in out and "failed because of the host" in out
    monkeypatch.setenv("IPCLAB_QEMU", str(Path(__file__).parent / "fake_qemu.py"))
    cli_repo.make_image("sel4-like", "panic.log", exit=5)
    rc = cli.main(["verify", "sel4-like", "--no-build", "--samples", "4", "--warmup", "1"])
    out = capsys.readouterr().out
    assert rc == 1 and "boot 1: panic: kernel panic" in out
    assert str(cli_repo / "results" / "verify") in out


def test_all_variants_failing_is_not_published(fake_repo):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    first, *_ = run_bench(fake_repo, ["sel4-like"])
    fake_repo.make_image("sel4-like", "panic.log", exit=5)
    path, meta, ok, out = run_bench(fake_repo, ["sel4-like"])
    assert not meta["published"] and meta["exit_status"] == 1
    assert store.complete_runs(fake_repo / "results") == [first]     # latest unchanged


# ------------------------------------------------------------------ variant files

def test_list_survives_a_broken_variant_file(fake_repo, monkeypatch, capsys):
    (fake_repo / "variants" / "broken.conf").write_text("this line has no equals sign\n")
    (fake_repo / "variants" / "typo.conf").write_text("BASE = sel4-like\nTRANSFR = mem\n")
    monkeypatch.setattr(config, "REPO", fake_repo)
    rc = cli.main(["list"])
    o = capsys.readouterr()
    assert rc == 2
    assert "sel4-like" in o.out and "l4-classic" in o.out           # the good ones
    assert "broken.conf:1: not 'KEY = value'" in o.err
    assert "typo.conf:2: unknown key 'TRANSFR'" in o.err and "TRANSFER" in o.err
    rc = cli.main(["bench", "--variants", "typo", *ARGS])
    assert rc == 2 and "unknown key 'TRANSFR'" in capsys.readouterr().err
    rc = cli.main(["bench", "--variants", "sel4-like", *ARGS, "--results",
                   str(fake_repo / "results")])
    assert rc != 2                        # a broken file stops only what uses it


def test_bad_axis_value_is_refused_with_the_valid_values(fake_repo, monkeypatch, capsys):
    (fake_repo / "variants" / "bogus.conf").write_text("BASE = sel4-like\nTRANSFER = fast\n")
    monkeypatch.setattr(config, "REPO", fake_repo)
    rc = cli.main(["bench", "--variants", "bogus", *ARGS])
    err = capsys.readouterr().err
    assert rc == 2 and "option TRANSFER=fast is invalid; valid values: regs vregs mem" in err


def test_broken_experiment_file_is_reported(fake_repo, monkeypatch, capsys):
    (fake_repo / "variants" / "experiments" / "oops.conf").write_text(
        "TITEL = x\nVARIANTS = sel4-like\n")
    monkeypatch.setattr(config, "REPO", fake_repo)
    rc = cli.main(["list"])
    err = capsys.readouterr().err
    assert rc == 2 and "oops.conf: unknown key 'TITEL'" in err
    rc = cli.main(["bench", "-e", "oops", *ARGS])
    assert rc == 2 and "unknown key 'TITEL'" in capsys.readouterr().err


def test_build_failure_shows_makes_reason(fake_repo, monkeypatch):
    make = fake_repo / "fake-make"
    make.write_text("#!/bin/sh\necho 'CC kernel/core/ipc.c'\n"
                    "echo \"kernel/core/ipc.c:12:5: error: 'msg' undeclared\"\n"
                    "echo 'make[1]: *** [kernel/kernel.mk:40: ipc.o] Error 1'\nexit 2\n")
    make.chmod(0o755)
    monkeypatch.setenv("IPCLAB_MAKE", str(make))
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    lines = []
    path, meta, ok = bench.run_bench(config.resolve_variants(["sel4-like"], fake_repo),
                                     ICOUNT, samples=4, warmup=1, build=True, repo=fake_repo,
                                     results_dir=fake_repo / "results", figures=False,
                                     progress=lines.append)
    out = "\n".join(lines)
    assert "build failed: kernel/core/ipc.c:12:5: error: 'msg' undeclared" in out
    assert meta["variants"]["sel4-like"]["status"] == "build-failed"


def test_build_reason_of_a_real_configuration_refusal():
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL")}
    p = subprocess.run(["make", "-s", "--no-print-directory", "VARIANT=sel4-like",
                        "TRANSFER=bogus", "config"], cwd=config.REPO, text=True, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    assert p.returncode != 0
    reason = runner.build_reason(p.stdout)
    assert "option TRANSFER=bogus is invalid; valid values: regs vregs mem" in reason


# ------------------------------------------------------------------ exit status, pipes

def test_closed_pipe_is_not_an_error(fake_repo):
    r, w = os.pipe()
    os.close(r)                         # the reader is gone before the first line
    p = subprocess.run(HARNESS + ["list"], env=harness_env(fake_repo), stdout=w,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    os.close(w)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr and "BrokenPipe" not in p.stderr


def test_exit_codes_are_documented(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    for line in ("0  success", "1  a regression was found", "2  usage or input error",
                 "3  infrastructure fault", "128+N"):
        assert line in text
    assert errors.EXIT_INFRA == 3 and errors.InfraError("x").exit_code == 3
