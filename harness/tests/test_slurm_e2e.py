"""End to end against a real Slurm: a one-node cluster (slurm_cluster.py) started for
this test and torn down after it; a two-shard sweep of two variants submitted as a job
array, merged, and checked to equal, sample for sample, the same sweep run by the
local executor (icount is exact, so any difference is a bug, not noise).

Runs under `make test-slurm` (IPCLAB_SLURM_E2E=1), which `make test` calls when the
Slurm and munge packages are installed; skipped otherwise (it needs root and boots
real QEMU guests)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.skipif(os.environ.get("IPCLAB_SLURM_E2E") != "1",
                                reason="real-Slurm end-to-end test: run by make test-slurm")

HARNESS = [sys.executable, str(REPO / "harness" / "harness")]
VARIANTS = "l4-classic,sel4-like"


def _harness(args, env, timeout=900):
    t0 = time.monotonic()
    r = subprocess.run(HARNESS + args, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=timeout, cwd=REPO)
    return r.returncode, r.stdout, time.monotonic() - t0


def _merged(out: str) -> Path:
    lines = [l for l in out.splitlines() if l.startswith("merged run: ")]
    assert len(lines) == 1, out
    return Path(lines[0].split(": ", 1)[1])


def test_slurm_sweep_equals_local(tmp_path):
    import slurm_cluster
    from ipclab import compare, store
    missing = slurm_cluster.missing_tools()
    assert not missing, f"make test-slurm needs {slurm_cluster.PACKAGES} (missing {missing})"
    assert os.geteuid() == 0, "the one-node cluster runs its jobs as root"
    results = tmp_path / "results"
    with slurm_cluster.Cluster(tmp_path / "slurm") as cluster:
        rc, out, slurm_wall = _harness(
            ["sweep", "--variants", VARIANTS, "--shards", "2", "--executor", "slurm",
             "--cpus-per-task", "1", "--wait", "--merge", "--allow-dirty",
             "--results", str(results)], cluster.env)
        assert rc == 0, out + "\n" + cluster.logs()
        slurm_run = _merged(out)
        sweep_dir = sorted((results / "sweeps").iterdir())[-1]
        sw = json.loads((sweep_dir / "sweep.json").read_text())
        job = sw["submissions"][0]["job_id"]
        assert sw["submissions"][0]["shards"] == [0, 1]
        for k in (0, 1):
            st = json.loads((sweep_dir / "shards" / str(k) / "status.json").read_text())
            assert st["state"] == "ok" and st["slurm_job"] == job and \
                st["slurm_task"] == str(k), st
            assert (sweep_dir / "slurm" / f"shard-{k}.job-{job}.out").is_file()
        # merging twice is refused and names the first merge; nothing changes
        rc2, out2, _ = _harness(["merge", str(sweep_dir), "--results", str(results)],
                                cluster.env)
        assert rc2 == 2 and "merged already" in out2 and str(slurm_run) in out2, out2
    rc, out, local_wall = _harness(
        ["sweep", "--variants", VARIANTS, "--shards", "2", "--executor", "local",
         "--allow-dirty", "--results", str(results)], dict(os.environ))
    assert rc == 0, out
    local_run = _merged(out)

    a, b = store.load_run(local_run), store.load_run(slurm_run)
    assert a.meta["variant_order"] == b.meta["variant_order"] == VARIANTS.split(",")
    key = ["variant", "bench", "space", "metric", "len", "sample"]
    sa = a.samples.sort_values(key).reset_index(drop=True)
    sb = b.samples.sort_values(key).reset_index(drop=True)
    assert len(sa) == len(sb) > 0
    for col in key + ["value", "overhead", "outlier", "case"]:
        assert sa[col].tolist() == sb[col].tolist(), col
    stat_cols = ["variant", "case", "count", "outliers", "min", "median", "mean", "stddev",
                 "ci95"]
    assert a.stats[stat_cols].equals(b.stats[stat_cols])
    c = compare.compare_runs(a, b)
    assert set(c.rows.verdict) == {"same"} and not c.regressed
    assert b.meta["verdicts"] == a.meta["verdicts"]
    shards = b.meta["sweep"]["shards"]
    assert {s["slurm_job"] for s in shards.values()} == {job}
    # the anchors of the project, as every run of them shows
    med = b.stats.set_index(["variant", "case"])["median"]
    assert (med["l4-classic", "ipc/cross/call/len0"], med["l4-classic", "ipc/cross/reply/len0"]) \
        == (73, 76)
    print(f"\nslurm sweep (submit, 2 array tasks, wait, merge): {slurm_wall:.1f} s; "
          f"local sweep (2 shards, merge): {local_wall:.1f} s; "
          f"{len(sa)} samples identical")
