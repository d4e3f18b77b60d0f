"""The on-disk layout of a run, written so that an unfinished run never looks finished.

    results/<UTC timestamp>-<short commit>/
        COMPLETE          written last; a directory without it is not a run
        meta.json         commit, dirty flag, tool versions, host, clock, command lines,
                          per-variant status and timings
        samples.csv.gz    tidy CSV, gzip-compressed: one row per sample (sample_cols())
        stats.csv         one row per (variant, bench, space, metric, len) (stats.py)
        summary.md        the Markdown tables printed at the end of the run
        logs/<variant>.log     raw serial console, byte for byte
        logs/<variant>.stderr  QEMU's own stderr
        logs/<variant>.build   build output (only when the build failed)
        figures/*.png *.svg    made from stats.csv by plots.py

A run is assembled in results/.partial-<id>/ and renamed to results/<id>/ only after
COMPLETE is written; a killed run leaves a .partial-* directory that nothing loads.
"""
from __future__ import annotations

import gzip
import json
import os
import platform
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import RUN_LAYOUT_VERSION, stats
from .config import REPO, axis_keys

COMPLETE = "COMPLETE"
SAMPLES_FILE = "samples.csv.gz"     # tidy CSV, gzip (about 60x smaller; pandas reads it)
MEASURE_COLS = ["arch", "clock", "unit", "bench", "space", "metric", "len", "case",
                "case_id", "sample", "value", "overhead", "outlier"]


def axis_cols() -> list[str]:
    """One column per declared axis (kernel/axes.conf), lower case, in declaration order."""
    return axis_keys()


def sample_cols() -> list[str]:
    return ["run_id", "commit", "variant"] + axis_cols() + MEASURE_COLS


class RunError(Exception):
    pass


def utc_stamp(t: float | None = None) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


def _git(args, repo, strip: bool = True) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=repo, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, timeout=30).stdout
        return out.strip() if strip else out
    except (OSError, subprocess.SubprocessError):
        return ""


def git_info(repo: Path = None, sources: list[str] | None = None) -> dict:
    """Commit, branch and dirty flag. Modified or untracked source makes the tree dirty
    (what was measured may be built from files the commit does not have); `sources`
    narrows that to the paths a result was built from (default: all but results/ and
    build/, which are outputs)."""
    repo = Path(repo or REPO)
    commit = _git(["rev-parse", "HEAD"], repo)
    spec = list(sources) if sources else [".", ":(exclude)results", ":(exclude)build"]
    status = _git(["status", "--porcelain", "--untracked-files=all", "-z", "--", *spec],
                  repo, strip=False)
    dirty = [e[3:] for e in status.split("\0") if len(e) > 3 and e[2] == " "]
    return {"commit": commit or "unknown", "short": commit[:8] if commit else "nogit",
            "branch": _git(["rev-parse", "--abbrev-ref", "HEAD"], repo),
            "dirty": bool(dirty), "dirty_files": dirty[:50],
            "kernel_tree": _git(["rev-parse", "HEAD:kernel"], repo),
            "bench_tree": _git(["rev-parse", "HEAD:bench"], repo),
            **({"sources": list(sources)} if sources else {})}


def cpu_model() -> str:
    """The host CPU's model name from /proc/cpuinfo ('' where there is none)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def host_info() -> dict:
    try:
        allowed = len(os.sched_getaffinity(0))
    except OSError:
        allowed = None
    return {"cpu_model": cpu_model(), "cpus": os.cpu_count(), "cpus_allowed": allowed,
            "uname": " ".join(platform.uname()), "python": platform.python_version(),
            "pandas": pd.__version__}


def samples_frame(log, variant, run_id: str, commit: str, arch: str, clock) -> pd.DataFrame:
    """Tidy rows for one parsed, validated log."""
    rows = []
    axis_values = [variant.axes.get(c, "") for c in axis_cols()]
    for c in log.cases:
        for i, v in enumerate(c.values):
            rows.append([run_id, commit, variant.name, *axis_values, arch, clock.name,
                         clock.unit, c.bench, c.space, c.metric, c.len, c.name, c.id, i, v,
                         c.overhead, 0])
    df = pd.DataFrame(rows, columns=sample_cols())
    return stats.mark_outliers(df) if len(df) else df


def stats_frame(samples: pd.DataFrame) -> pd.DataFrame:
    keep = ["arch", "clock", "unit"] + [c for c in axis_cols() if c in samples.columns] + \
        ["case"]
    return stats.summarize(samples, keep=keep)


def write_json(path: Path, obj) -> None:
    tmp = Path(str(path) + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n")
    os.replace(tmp, path)


class RunWriter:
    """Collects a run in results/.partial-<id>/ and publishes it with finish()."""

    def __init__(self, results_dir: Path, run_id: str):
        self.results_dir = Path(results_dir)
        self.results_dir.mkdir(parents=True, exist_ok=True)
        base, n = run_id, 1
        while (self.results_dir / run_id).exists() or \
                (self.results_dir / f".partial-{run_id}").exists():
            n += 1
            run_id = f"{base}.{n}"
        self.run_id = run_id
        self.tmp = self.results_dir / f".partial-{run_id}"
        self.final = self.results_dir / run_id
        (self.tmp / "logs").mkdir(parents=True)

    @property
    def path(self) -> Path:
        return self.tmp

    def log_path(self, variant: str) -> Path:
        return self.tmp / "logs" / f"{variant}.log"

    def finish(self) -> Path:
        (self.tmp / COMPLETE).write_text(
            f"run {self.run_id} complete at {utc_stamp()} (layout v{RUN_LAYOUT_VERSION})\n")
        os.rename(self.tmp, self.final)
        return self.final


def write_tables(path: Path, samples: pd.DataFrame, stats_df: pd.DataFrame) -> None:
    tmp = path / (SAMPLES_FILE + ".tmp")
    samples.to_csv(tmp, index=False, float_format="%.6g",
                   compression={"method": "gzip", "compresslevel": 6, "mtime": 0})
    os.replace(tmp, path / SAMPLES_FILE)
    tmp = path / "stats.csv.tmp"
    stats_df.to_csv(tmp, index=False, float_format="%.6g")
    os.replace(tmp, path / "stats.csv")


@dataclass
class Run:
    path: Path
    meta: dict
    samples: pd.DataFrame
    stats: pd.DataFrame

    @property
    def clock(self) -> str:
        return self.meta.get("clock", "")

    @property
    def run_id(self) -> str:
        return self.meta.get("run_id", self.path.name)


def is_complete(path: Path) -> bool:
    return (Path(path) / COMPLETE).is_file()


def load_run(path) -> Run:
    path = Path(path)
    if not path.is_dir():
        raise RunError(f"{path}: no such run directory")
    if not is_complete(path):
        raise RunError(f"{path}: incomplete run (no {COMPLETE} marker): it was interrupted "
                       f"or is still being written; refusing to use it")
    try:
        meta = json.loads((path / "meta.json").read_text())
        f = path / SAMPLES_FILE
        samples = pd.read_csv(f if f.is_file() else path / "samples.csv")
    except (OSError, ValueError) as e:
        raise RunError(f"{path}: cannot read run: {e}")
    st = pd.read_csv(path / "stats.csv") if (path / "stats.csv").is_file() \
        else stats_frame(samples)
    return Run(path, meta, samples, st)


def complete_runs(results_dir: Path) -> list[Path]:
    """Complete runs under results_dir, oldest first (baseline excluded)."""
    d = Path(results_dir)
    if not d.is_dir():
        return []
    # Other tools (host-bench) store their own directories here too: a kernel run has
    # COMPLETE and a meta.json.
    return sorted(p for p in d.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and p.name != "baseline"
                  and is_complete(p) and (p / "meta.json").is_file())


def copy_run(src: Path, dst: Path, with_figures: bool = True,
             compress_logs: bool = False) -> None:
    """Copy a complete run to dst atomically (used for the baseline, which keeps no
    figures and gzips its logs: logs/<v>.log.gz)."""
    src, dst = Path(src), Path(dst)
    load_run(src)                                  # refuse incomplete runs
    tmp = dst.parent / f".partial-{dst.name}"
    if tmp.exists():
        shutil.rmtree(tmp)
    ignore = None if with_figures else shutil.ignore_patterns("figures")
    shutil.copytree(src, tmp, ignore=ignore)
    if compress_logs:
        for log in (tmp / "logs").glob("*.log"):
            with open(log, "rb") as fi, open(str(log) + ".gz", "wb") as raw, \
                    gzip.GzipFile(filename=log.name, mode="wb", fileobj=raw, mtime=0) as fo:
                shutil.copyfileobj(fi, fo)
            log.unlink()
        for err in (tmp / "logs").glob("*.stderr"):
            if err.stat().st_size == 0:
                err.unlink()
    (tmp / COMPLETE).unlink()
    (tmp / COMPLETE).write_text(f"copy of run {src.name} made at {utc_stamp()}\n")
    old = dst.parent / f".old-{dst.name}"
    if dst.exists():
        if old.exists():
            shutil.rmtree(old)
        os.rename(dst, old)
    os.rename(tmp, dst)
    if old.exists():
        shutil.rmtree(old)
