"""Sweeps without Slurm and without boots: enumeration from a declaration (the kernel's
own rules), sharding, generated variant files, and merging fake shards (runs made by
the real matrix driver from fixture logs and the fake QEMU): a merge equals one run of
the same variants, a missing, running or failed shard is refused and named (with
--partial recorded as not run), merging twice is refused, a failed shard can run again
without losing its first attempt; the Slurm script, array ranges and the submission
and waiting logic against stand-in sbatch and squeue commands."""
from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from make_fixtures import log_text
from ipclab import bench, config, slurm, store, sweep
from ipclab.clock import CLOCKS
from ipclab.errors import UsageError

NAMES = ["l4-classic", "sel4-like", "classic-mem", "sel4-mem"]


# ------------------------------------------------------------------ enumeration

AXES_CONF = """
[A]
lesson = l
doc = d
default = x
values =
    x: one
    y: two
    z: three
[B]
lesson = l
doc = d
default = p
values =
    p: one
    q: two
requires =
    q: A=x|y
[C]
lesson = l
doc = d
default = off
values =
    off: one
    on: two
requires =
    on: ARCH=x86_64
excludes =
    on: A=z
"""


@pytest.fixture
def toy_axes(tmp_path, monkeypatch):
    """A declaration with requires, excludes and an ARCH constraint, and no variants."""
    f = tmp_path / "axes.conf"
    f.write_text(AXES_CONF)
    declared = config.configure.load_axes(f)
    monkeypatch.setattr(config, "axes", lambda: list(declared))
    (tmp_path / "variants").mkdir()
    return tmp_path


def test_enumeration_follows_the_declaration(toy_axes):
    # 3 x 2 x 2 = 12 in the product; B=q needs A in {x,y} (drops z,q,*: 2), C=on needs
    # x86_64 and excludes A=z (drops z,p,on: 1 more): 9 on x86_64; on riscv64 every C=on
    # goes too (x,p,on x,q,on y,p,on y,q,on: 4 more): 5
    cfgs, refused = sweep.enumerate_configs(["A", "B", "C"], "x86_64", repo=toy_axes)
    assert len(cfgs) == 9 and len(refused) == 3
    assert {(c.values["A"], c.values["B"], c.values["C"]) for c in cfgs} == {
        (a, b, c) for a in "xyz" for b in "pq" for c in ("off", "on")
        if not (b == "q" and a == "z") and not (c == "on" and a == "z")}
    assert any("requires A=x|y" in r for r in refused)
    assert any("cannot go with A=z" in r for r in refused)
    rv, refused_rv = sweep.enumerate_configs(["A", "B", "C"], "riscv64", repo=toy_axes)
    assert len(rv) == 5 and all(c.values["C"] == "off" for c in rv)
    assert any("ARCH=riscv64" in r for r in refused_rv)
    # one axis swept: the others at their defaults
    only_a, _ = sweep.enumerate_configs(["A"], "x86_64", repo=toy_axes)
    assert [c.values for c in only_a] == [{"A": v, "B": "p", "C": "off"} for v in "xyz"]


def test_generated_names_are_short_stable_and_distinct(toy_axes):
    cfgs, _ = sweep.enumerate_configs(["A", "B", "C"], "x86_64", repo=toy_axes)
    names = [c.name for c in cfgs]
    assert len(set(names)) == len(names)
    assert all(n.startswith("sw-") and len(n) <= 31 and not c.named
               for n, c in zip(names, cfgs))
    again, _ = sweep.enumerate_configs(["A", "B", "C"], "x86_64", repo=toy_axes)
    assert [c.name for c in again] == names


def test_real_axes_name_configurations_after_named_variants():
    cfgs, refused = sweep.enumerate_configs(["TRANSFER"], "x86_64")
    axes = config.axes()
    assert len(cfgs) == len({a.name: a for a in axes}["TRANSFER"].values)
    by_values = {c.values["TRANSFER"]: c for c in cfgs}
    assert by_values["regs"].name == "l4-classic" and by_values["regs"].named
    assert by_values["mem"].name == "classic-mem"
    for c in cfgs:
        assert config.configure.problems(
            config.configure.Resolved(c.name, c.values, {a.name: "" for a in axes}),
            axes, "x86_64") == []


def test_parse_axes_refuses_an_unknown_axis_by_name():
    with pytest.raises(UsageError, match="no axis FOO.*TRANSFER"):
        sweep.parse_axes("TRANSFER,FOO", config.axes())
    assert sweep.parse_axes("all", config.axes()) == [a.name for a in config.axes()]


@pytest.mark.parametrize("n,k", [(10, 3), (4, 4), (3, 7), (1, 1), (16, 2)])
def test_shards_keep_order_lose_nothing_and_balance(n, k):
    parts = sweep.shard(list(range(n)), k)
    assert [x for p in parts for x in p] == list(range(n))
    assert len(parts) == min(n, k) and all(parts)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_generated_variant_file_builds_that_configuration(tmp_path):
    """A sweep's variant file resolves (configure.py --variant-file) to exactly its
    values, and make refuses one named like a named variant."""
    cfgs, _ = sweep.enumerate_configs(["TRANSFER", "SCHED"], "x86_64")
    gen = [c for c in cfgs if not c.named]
    assert gen, "TRANSFER x SCHED has configurations that are not named variants"
    c = gen[0]
    f = tmp_path / f"{c.name}.conf"
    f.write_text(sweep.variant_file_text(c))
    v = config.load_variant_file(f)
    assert v.name == c.name and v.config == c.values and v.file == f
    out = tmp_path / "out"
    r = subprocess.run(["/usr/bin/python3", str(REPO / "kernel" / "configure.py"),
                        "--variant-file", str(f), "--arch", "x86_64", "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    h = (out / "config.h").read_text()
    assert f'#define CONFIG_VARIANT "{c.name}"' in h
    assert config.configure.config_string(c.values, config.axes()) in h
    clash = tmp_path / "sel4-like.conf"
    clash.write_text("TRANSFER = mem\n")
    r = subprocess.run(["make", "-s", "-C", str(REPO), f"VARIANT_FILE={clash}", "config"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "is a named variant" in r.stderr


# ------------------------------------------------------------------ fake shards

def _sweep_dir(tmp_path, names, n_shards) -> tuple[Path, dict]:
    _, sw = sweep.create(axes_text=None, variants=names, base=None, arches=["x86_64"],
                         clocks=["icount"], samples=4, warmup=1, timeout=30.0,
                         per_shard=None, shards=n_shards, executor="local",
                         results=tmp_path, dry_run=True, progress=lambda *a: None)
    d = tmp_path / "sweeps" / "S1"
    (d / "shards").mkdir(parents=True)
    sw.update(sweep_id="S1", git={"commit": "unknown", "short": "nogit"})
    sweep.save(d, sw)
    return d, sw


def _fake_shard(repo, d, sw, k, state="ok"):
    """What `harness sweep-shard` leaves: a stored run by the matrix driver, status."""
    s = sw["shards"][k]
    work = d / "shards" / str(k) / "a1"
    path, meta, ok = bench.run_bench(config.resolve_variants(s["configs"], repo),
                                     CLOCKS["icount"], samples=4, warmup=1, build=False,
                                     repo=repo, results_dir=work / "results", figures=False,
                                     progress=lambda *a: None)
    st = {"state": state, "attempt": 1, "dir": str(work.relative_to(d)), "host": "fake",
          "run": str(path.relative_to(d)), "wall_s": 1.0, "slurm_job": None}
    if state != "ok":
        st["problem"] = "fake failure"
    sweep.write_status(d, k, st)
    return path


@pytest.fixture
def four(fake_repo, monkeypatch):
    for n in NAMES:
        fake_repo.make_image(n, text=log_text(n, bump=NAMES.index(n)))
    monkeypatch.setattr(config, "REPO", Path(fake_repo))
    return fake_repo


def test_merge_of_shards_equals_one_run_of_the_same_variants(four, tmp_path):
    d, sw = _sweep_dir(tmp_path, NAMES, 2)
    assert [len(s["configs"]) for s in sw["shards"]] == [2, 2]
    for k in (0, 1):
        _fake_shard(four, d, sw, k)
    [(merged, meta)] = sweep.merge(d, results=tmp_path / "results", figures=False,
                                   progress=lambda *a: None)
    one, _, _ = bench.run_bench(config.resolve_variants(NAMES, four), CLOCKS["icount"],
                                samples=4, warmup=1, build=False, repo=four,
                                results_dir=tmp_path / "one", figures=False,
                                progress=lambda *a: None)
    a, b = store.load_run(merged), store.load_run(one)
    assert a.meta["variant_order"] == NAMES and a.meta["failed_variants"] == []
    cols = ["variant", "case", "sample", "value", "outlier"]
    assert a.samples[cols].equals(b.samples[cols])
    stat_cols = ["variant", "case", "count", "outliers", "min", "median", "mean", "ci95"]
    assert a.stats[stat_cols].equals(b.stats[stat_cols])
    assert a.meta["verdicts"] == b.meta["verdicts"]
    assert set(a.meta["sweep"]["shards"]) == {"0", "1"}
    assert sorted(p.name for p in (merged / "logs").glob("*.log")) == \
        sorted(f"{n}.log" for n in NAMES)
    # the shards' own runs are untouched
    for k in (0, 1):
        assert store.load_run(d / sweep.read_status(d, k)["run"])


def test_merging_twice_is_refused_and_again_makes_a_second_run(four, tmp_path):
    d, sw = _sweep_dir(tmp_path, NAMES[:2], 2)
    for k in (0, 1):
        _fake_shard(four, d, sw, k)
    [(first, _)] = sweep.merge(d, results=tmp_path / "r", figures=False,
                               progress=lambda *a: None)
    with pytest.raises(UsageError, match=f"merged already, into {first}.*nothing changed"):
        sweep.merge(d, results=tmp_path / "r", figures=False, progress=lambda *a: None)
    [(second, _)] = sweep.merge(d, results=tmp_path / "r", again=True, figures=False,
                                progress=lambda *a: None)
    assert second != first and store.load_run(first) and store.load_run(second)
    assert len(sweep.load(d)["merge_history"]) == 2


def test_missing_and_failed_shards_are_named_and_partial_records_them(four, tmp_path):
    d, sw = _sweep_dir(tmp_path, NAMES, 4)
    _fake_shard(four, d, sw, 0)
    _fake_shard(four, d, sw, 1, state="failed")
    sweep.write_status(d, 2, {"state": "running", "attempt": 1, "host": "n7"})
    # shard 3: never started (no status)
    with pytest.raises(UsageError) as e:
        sweep.merge(d, results=tmp_path / "r", progress=lambda *a: None)
    msg = str(e.value)
    assert "3 of 4 shard(s) not done" in msg
    assert "shard 1 (1 configuration(s), x86_64): failed: fake failure" in msg
    assert "shard 2" in msg and "running" in msg and "shard 3" in msg and "pending" in msg
    assert f"harness sweep-resubmit {d.resolve()} --shard 1" in msg
    assert not (tmp_path / "r").exists() or not store.complete_runs(tmp_path / "r")
    [(merged, meta)] = sweep.merge(d, results=tmp_path / "r", partial=True, figures=False,
                                   progress=lambda *a: None)
    run = store.load_run(merged)
    assert list(run.stats.variant.unique()) == [NAMES[0]]
    assert meta["failed_variants"] == NAMES[1:]
    assert run.meta["variants"][NAMES[3]]["status"] == "not-run"
    assert "shard 3 is pending" in run.meta["variants"][NAMES[3]]["problems"][0]
    assert sweep.load(d)["merges"][0]["partial"] is True


def test_a_failed_shard_runs_again_in_a_new_attempt_and_keeps_the_old(tmp_path):
    d, sw = _sweep_dir(tmp_path, NAMES[:2], 2)
    # no src/ snapshot: the shard fails while preparing its tree
    assert sweep.run_shard(d, 1, progress=lambda *a: None) != 0
    st = sweep.read_status(d, 1)
    assert st["state"] == "failed" and st["attempt"] == 1 and "src" in st["problem"]
    (d / "shards" / "1" / "a1" / "keep-me").write_text("first attempt")
    sweep.run_shard(d, 1, progress=lambda *a: None)
    st = sweep.read_status(d, 1)
    assert st["attempt"] == 2 and (d / "shards" / "1" / "a1" / "keep-me").is_file()
    rows = sweep.status_rows(d, sw)
    assert [r["state"] for r in rows] == ["pending", "failed"]
    with pytest.raises(UsageError, match="out of|has shards 0..1, not 5"):
        sweep.run_shard(d, 5)


# ------------------------------------------------------------------ slurm (stand-ins)

def test_array_spec():
    assert slurm.array_spec([0, 1, 2, 5, 7, 8]) == "0-2,5,7-8"
    assert slurm.array_spec([3]) == "3"


def _stub(bindir: Path, name: str, body: str) -> None:
    p = bindir / name
    p.write_text("#!/bin/sh\n" + body)
    p.chmod(p.stat().st_mode | stat.S_IEXEC)


def test_slurm_script_submission_and_wait(tmp_path, monkeypatch):
    d, sw = _sweep_dir(tmp_path, NAMES[:2], 2)
    script = slurm.write_script(d, sw, cpus_per_task=3, partition="short",
                                time_limit="0:30:00", extra=["--account=lab"])
    text = script.read_text()
    for line in ("#SBATCH --cpus-per-task=3", "#SBATCH --partition=short",
                 "#SBATCH --time=0:30:00", "#SBATCH --account=lab",
                 "sweep-shard", "$SLURM_ARRAY_TASK_ID",
                 "${SLURM_CPUS_PER_TASK:-1}", str(d.resolve() / "src" / "harness" / "harness")):
        assert line in text, line
    bindir = tmp_path / "bin"
    bindir.mkdir()
    _stub(bindir, "sbatch", f'echo "$@" > {tmp_path}/sbatch.args\necho "4242;cluster"\n')
    # squeue lists task 1 only: task 0 finished (it writes a status below)
    _stub(bindir, "squeue", 'echo "1 RUNNING"\n')
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    job = slurm.submit(d, [0, 1], progress=lambda *a: None)
    assert job == "4242"
    assert "--array=0-1" in (tmp_path / "sbatch.args").read_text()
    assert sweep.load(d)["submissions"][-1]["job_id"] == "4242"
    sweep.write_status(d, 0, {"state": "ok", "slurm_job": "4242", "attempt": 1,
                              "wall_s": 2.0, "host": "n1"})
    # task 1 is listed by squeue, then vanishes without writing a status
    _stub(bindir, "squeue", f'if [ -f {tmp_path}/gone ]; then exit 0; fi\n'
                            f'touch {tmp_path}/gone; echo "1 RUNNING"\n')
    out = slurm.wait(d, "4242", [0, 1], poll=0.05, progress=lambda *a: None)
    assert out[0]["state"] == "ok"
    assert out[1]["state"] == "failed" and "ended without a final status" in out[1]["problem"]
    job2 = slurm.submit(d, [1], progress=lambda *a: None)
    assert (tmp_path / "sbatch.args").read_text().split()[1] == "--array=1" and job2 == "4242"


def test_sbatch_refusal_is_an_infrastructure_error(tmp_path, monkeypatch):
    d, sw = _sweep_dir(tmp_path, NAMES[:1], 1)
    slurm.write_script(d, sw)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    _stub(bindir, "sbatch", 'echo "sbatch: error: invalid partition specified" >&2; exit 1\n')
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    from ipclab.errors import InfraError
    with pytest.raises(InfraError, match="invalid partition"):
        slurm.submit(d, [0])
