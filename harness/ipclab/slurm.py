"""The Slurm executor of a sweep: an sbatch job array, one shard per array task.

`write_script` writes <sweep>/slurm/sweep.sbatch: each array task runs the very command
the local executor runs (sweep.shard_command: the snapshot's own harness, `sweep-shard
SWEEP $SLURM_ARRAY_TASK_ID`), with as many boot jobs as Slurm gave it CPUs. `submit`
hands it to `sbatch --array=<shards>` (all of them, or the failed ones on a resubmit)
and records the job id in sweep.json; `wait` polls until every submitted shard has a
final status or its job left the queue. The sweep directory must be on a file system
the compute nodes share (results/ of a checkout on a shared home or scratch does).

Slurm's own commands are found on PATH and read $SLURM_CONF like any Slurm client; the
options that differ between clusters (partition, account, time limit, anything else)
are passed through to sbatch.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from . import proc, store, sweep
from .errors import InfraError, UsageError

SCRIPT = "sweep.sbatch"


def check_tools(*names: str) -> None:
    missing = [n for n in names if not shutil.which(n)]
    if missing:
        raise InfraError(f"Slurm client command(s) not found: {', '.join(missing)}; on a "
                         f"Slurm login node they are on PATH (Debian: apt-get install "
                         f"slurm-client), or use --executor local")


def write_script(sweep_dir: Path, sw: dict, *, cpus_per_task: int = 1,
                 partition: str | None = None, time_limit: str | None = None,
                 extra: list[str] | None = None) -> Path:
    """The sbatch script (the array range is given at submission)."""
    sweep_dir = Path(sweep_dir).resolve()
    d = sweep_dir / "slurm"
    d.mkdir(exist_ok=True)
    lines = ["#!/bin/sh",
             f"# ipclab sweep {sw['sweep_id']}: one shard per array task "
             f"(harness/ipclab/slurm.py)",
             f"#SBATCH --job-name=ipclab-{sw['sweep_id']}",
             f"#SBATCH --cpus-per-task={cpus_per_task}",
             "#SBATCH --ntasks=1",
             f"#SBATCH --output={d}/shard-%a.job-%A.out"]
    if partition:
        lines.append(f"#SBATCH --partition={partition}")
    if time_limit:
        lines.append(f"#SBATCH --time={time_limit}")
    for x in extra or []:
        lines.append(f"#SBATCH {x}")
    cmd = sweep.shard_command(sweep_dir, "$SLURM_ARRAY_TASK_ID",
                              "${SLURM_CPUS_PER_TASK:-1}")
    quoted = " ".join(c if c.startswith("$") else shlex.quote(c) for c in cmd)
    lines += ["set -e", f'cd {shlex.quote(str(sweep_dir))}',
              'echo "ipclab shard $SLURM_ARRAY_TASK_ID on $(hostname) '
              '(job $SLURM_ARRAY_JOB_ID, $SLURM_CPUS_PER_TASK cpu)"',
              f"exec {quoted}", ""]
    p = d / SCRIPT
    p.write_text("\n".join(lines))
    p.chmod(0o755)
    return p


def array_spec(indices: list[int]) -> str:
    """[0,1,2,5] -> '0-2,5'."""
    out, run = [], []
    for k in sorted(set(indices)):
        if run and k == run[-1] + 1:
            run.append(k)
            continue
        if run:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [k]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(out)


def submit(sweep_dir: Path, indices: list[int], progress=print) -> str:
    """sbatch the script for these shards; returns the job id (recorded in sweep.json)."""
    check_tools("sbatch")
    sweep_dir = Path(sweep_dir).resolve()
    script = sweep_dir / "slurm" / SCRIPT
    cmd = ["sbatch", "--parsable", f"--array={array_spec(indices)}", str(script)]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       cwd=sweep_dir)
    if r.returncode != 0:
        raise InfraError(f"sbatch refused the sweep ({shlex.join(cmd)}): "
                         f"{r.stderr.strip() or r.stdout.strip()}")
    job = r.stdout.strip().split(";")[0]
    if not re.match(r"^\d+$", job):
        raise InfraError(f"sbatch printed {r.stdout.strip()!r}, not a job id")
    with proc.locked(sweep.sweep_lock(sweep_dir)):
        sw = sweep.load(sweep_dir)
        sw.setdefault("submissions", []).append(
            {"executor": "slurm", "job_id": job, "shards": sorted(indices),
             "at_utc": store.utc_stamp(), "command": shlex.join(cmd)})
        sweep.save(sweep_dir, sw)
    progress(f"sweep: submitted job array {job} ({len(indices)} shard(s): "
             f"--array={array_spec(indices)}); `squeue -j {job}` follows it, "
             f"`harness sweep-status {sweep_dir}` shows each shard")
    return job


def queued(job: str) -> set[str]:
    """Array task ids of `job` Slurm still lists (pending or running)."""
    r = subprocess.run(["squeue", "-h", "-r", "-j", job, "-o", "%K %T"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        # a job Slurm forgot (MinJobAge passed) is reported as invalid: nothing queued
        if "Invalid job id" in r.stderr:
            return set()
        raise InfraError(f"squeue -j {job} failed: {r.stderr.strip()}")
    return {line.split()[0] for line in r.stdout.splitlines() if line.strip()}


def wait(sweep_dir: Path, job: str, indices: list[int], poll: float = 2.0,
         timeout: float | None = None, progress=print) -> dict:
    """Until every shard in `indices` has a final status, or Slurm no longer lists its
    task (then it is marked failed: the task died without writing one, e.g. its node
    failed or the time limit killed it hard). Returns {k: status}."""
    check_tools("squeue")
    t0 = time.monotonic()
    reported: set = set()
    while True:
        left = set()
        try:
            listed = queued(job)
        except InfraError:
            listed = None
        for k in indices:
            st = sweep.read_status(sweep_dir, k)
            fresh = st and st.get("slurm_job") == job
            if fresh and st.get("state") in sweep.FINAL_STATES:
                if k not in reported:
                    reported.add(k)
                    progress(f"sweep: shard {k}: {st['state']} on {st.get('host')} "
                             f"({st.get('wall_s', 0):.1f} s)" +
                             (f": {st['problem']}" if st.get("problem") else ""))
                continue
            if listed is not None and str(k) not in listed and \
                    time.monotonic() - t0 > 3 * poll:
                st = dict(st or {}, state="failed", slurm_job=job,
                          problem=f"Slurm job {job} task {k} ended without a final status "
                          f"(see {Path(sweep_dir) / 'slurm'}/shard-{k}.job-{job}.out)")
                sweep.write_status(sweep_dir, k, st)
                reported.add(k)
                progress(f"sweep: shard {k}: failed: {st['problem']}")
                continue
            left.add(k)
        if not left:
            break
        if timeout is not None and time.monotonic() - t0 > timeout:
            raise InfraError(f"gave up waiting for shard(s) {sorted(left)} of job {job} "
                             f"after {timeout:.0f} s; they may still run: "
                             f"`harness sweep-status {sweep_dir}`")
        time.sleep(poll)
    return {k: sweep.read_status(sweep_dir, k) for k in indices}


def cpus_per_task_default() -> int:
    return int(os.environ.get("IPCLAB_SLURM_CPUS", "1"))
