"""The on-disk layout of a run, written so that an unfinished run never looks finished.

    results/<UTC timestamp>-<short commit>/
        COMPLETE          written last; a directory without it is not a run
        meta.json         commit, dirty flag, tool versions, host, clock, command lines,
                          per-variant status and timings
        samples.csv.gz    tidy CSV, gzip-compressed: one row per sample (sample_cols()),
                          a column per event under the model (metrics.py)
        stats.csv         one row per (variant, bench, space, metric, len, cache, event)
                          (stats.py)
        summary.md        the Markdown tables printed at the end of the run
        logs/<variant>.log     raw serial console, byte for byte
        logs/<variant>.stderr  QEMU's own stderr
        logs/<variant>.build   build output (only when the build failed)
        logs/<variant>.model.gz  the model's records (clock=model, model.py)
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
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import RUN_LAYOUT_VERSION, integrity, metrics, proc, stats
from .config import REPO, axis_keys
from .errors import InputError

COMPLETE = "COMPLETE"
SAMPLES_FILE = "samples.csv.gz"     # tidy CSV, gzip (about 60x smaller; pandas reads it)
MEASURE_COLS = ["arch", "clock", "unit", "bench", "space", "metric", "len", "cache",
                "case", "case_id", "sample", "value", "overhead", "outlier"]


def axis_cols() -> list[str]:
    """One column per declared axis (kernel/axes.conf), lower case, in declaration order."""
    return axis_keys()


def sample_cols(clock: str = "") -> list[str]:
    """The columns of samples.csv.gz: those of every run, then under the model one per
    event beyond the value (metrics.py)."""
    return ["run_id", "commit", "variant"] + axis_cols() + MEASURE_COLS + \
        metrics.extra_events(clock)


class RunError(InputError):
    """A stored run that cannot be used: incomplete, damaged or inconsistent."""


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
    """Tidy rows for one parsed, validated log (under the model, with its cases'
    events: model.attribute must have run)."""
    cols = sample_cols(clock.name)
    extra = metrics.extra_events(clock.name)
    cases = [c for c in log.cases if len(c.values)]
    if not cases:
        return pd.DataFrame(columns=cols)
    sizes = [len(c.values) for c in cases]
    n = sum(sizes)

    def each(attr):                      # one value per case, repeated per sample
        return np.repeat(np.array([getattr(c, attr) for c in cases], dtype=object), sizes)
    data = {"run_id": run_id, "commit": commit, "variant": variant.name,
            **{c: variant.axes.get(c, "") for c in axis_cols()},
            "arch": arch, "clock": clock.name, "unit": clock.unit,
            "bench": each("bench"), "space": each("space"), "metric": each("metric"),
            "len": np.repeat(np.array([c.len for c in cases], dtype=np.int64), sizes),
            "cache": each("cache"), "case": each("name"),
            "case_id": np.repeat(np.array([c.id for c in cases], dtype=np.int64), sizes),
            "sample": np.concatenate([np.arange(k, dtype=np.int64) for k in sizes]),
            "value": np.concatenate([np.asarray(c.values, dtype=np.int64) for c in cases]),
            "overhead": np.repeat(np.array([c.overhead for c in cases], dtype=np.int64),
                                  sizes),
            "outlier": np.zeros(n, dtype=np.int64)}
    for e in extra:
        if all(c.events for c in cases):
            data[e] = np.concatenate([np.asarray(c.events[e], dtype=np.int64)
                                      for c in cases])
        else:   # a workload's case the model could not attribute: empty cells
            data[e] = pd.array([x for c in cases for x in (
                c.events[e].tolist() if c.events else [None] * len(c.values))],
                dtype="Int64")
    df = pd.DataFrame(data, columns=cols)
    return stats.mark_outliers(df)


def stats_frame(samples: pd.DataFrame) -> pd.DataFrame:
    """One row per case and event: under the model every event of metrics.py, else the
    value's."""
    keep = ["arch", "clock", "unit"] + [c for c in axis_cols() if c in samples.columns] + \
        ["case"]
    clock = str(samples["clock"].iloc[0]) if len(samples) and "clock" in samples.columns \
        else ""
    unit = str(samples["unit"].iloc[0]) if len(samples) and "unit" in samples.columns \
        else ""
    events = [(e, metrics.column(clock, e), metrics.unit(clock, e, unit))
              for e in metrics.events(clock)]
    return stats.summarize(samples, keep=keep, events=events)


def write_json(path: Path, obj) -> None:
    tmp = Path(str(path) + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n")
    os.replace(tmp, path)


def seal(path: Path, meta: dict, first_line: str) -> None:
    """Record every file's checksum in meta.json (manifest), then write COMPLETE with
    meta.json's own checksum: after this nothing in the directory may change."""
    rows = dict(meta.pop("_rows", {}) or {})
    meta["layout_version"] = RUN_LAYOUT_VERSION          # sealed: manifest and checksum
    meta[integrity.MANIFEST_KEY] = integrity.make_manifest(path, rows)
    write_json(path / "meta.json", meta)
    (path / COMPLETE).write_text(integrity.complete_text(first_line, path / "meta.json"))


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
        proc.write_owner(self.tmp)

    @property
    def path(self) -> Path:
        return self.tmp

    def log_path(self, variant: str) -> Path:
        return self.tmp / "logs" / f"{variant}.log"

    def finish(self, meta: dict) -> Path:
        return publish(self.tmp, self.final, meta)


def publish(work: Path, final: Path, meta: dict) -> Path:
    """Seal a run assembled in `work` and rename it to `final` (atomic on one file
    system); an existing `final` is replaced only after the new one is in place."""
    work, final = Path(work), Path(final)
    (work / proc.OWNER).unlink(missing_ok=True)
    seal(work, meta, f"run {meta.get('run_id', final.name)} complete at {utc_stamp()} "
         f"(layout v{RUN_LAYOUT_VERSION})")
    old = final.parent / f".old-{final.name}"
    if final.exists():
        if old.exists():
            shutil.rmtree(old)
        os.rename(final, old)
    os.rename(work, final)
    if old.exists():
        shutil.rmtree(old)
    return final


def write_tables(path: Path, samples: pd.DataFrame, stats_df: pd.DataFrame) -> dict:
    """samples.csv.gz and stats.csv; returns their row counts (for the manifest)."""
    tmp = path / (SAMPLES_FILE + ".tmp")
    # gzip level 1: a model run's 800k rows compress to 2.9 MB instead of 2.6 MB at
    # level 6, in a seventh of the time
    samples.to_csv(tmp, index=False, float_format="%.6g",
                   compression={"method": "gzip", "compresslevel": 1, "mtime": 0})
    os.replace(tmp, path / SAMPLES_FILE)
    tmp = path / "stats.csv.tmp"
    stats_df.to_csv(tmp, index=False, float_format="%.6g")
    os.replace(tmp, path / "stats.csv")
    return {SAMPLES_FILE: len(samples), "stats.csv": len(stats_df)}


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


# What reading a damaged table raises: gzip and zlib errors, bad bytes, bad CSV.
_READ_ERRORS = (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError,
                pd.errors.ParserError, pd.errors.EmptyDataError)


def _damaged(path: Path, name: str, why: str) -> RunError:
    return RunError(f"{path}: {why}\nrecover: {integrity.recovery(path, name)}")


def load_meta(path: Path) -> dict:
    """meta.json of a run, checked against COMPLETE's checksum and for its keys."""
    path = Path(path)
    f = path / "meta.json"
    want = integrity.recorded_meta_sha(path / COMPLETE)
    try:
        if want and integrity.sha256_file(f) != want:
            raise _damaged(path, "meta.json", "meta.json is damaged: its SHA-256 differs "
                           "from the one COMPLETE recorded when the run was stored")
        meta = json.loads(f.read_text())
    except RunError:
        raise
    except FileNotFoundError:
        raise _damaged(path, "meta.json", "meta.json is missing")
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise _damaged(path, "meta.json", f"meta.json cannot be read: {e}")
    problems = integrity.check_meta(meta)
    if problems:
        raise _damaged(path, "meta.json", problems[0])
    return meta


def _read_table(path: Path, name: str, manifest: dict, required: list) -> pd.DataFrame:
    problem = integrity.check_file(path, manifest, name)
    if problem:
        raise _damaged(path, name, problem)
    try:
        df = pd.read_csv(path / name)
    except _READ_ERRORS as e:
        raise _damaged(path, name, f"{name} cannot be read ({type(e).__name__}: "
                       f"{str(e)[:200]})")
    problems = integrity.check_columns(df, required, name)
    rows = (manifest or {}).get(name, {}).get("rows")
    if rows is not None and rows != len(df):
        problems.append(f"{name} has {len(df)} rows, {rows} when the run was stored")
    if problems:
        raise _damaged(path, name, problems[0])
    return df


def load_run(path) -> Run:
    """A complete run, checked: every problem names the damaged file and the fix."""
    path = Path(path)
    if not path.is_dir():
        raise RunError(f"{path}: no such run directory")
    if not is_complete(path):
        raise RunError(f"{path}: incomplete run (no {COMPLETE} marker): it was interrupted "
                       f"or is still being written; refusing to use it "
                       f"(`harness reanalyse {path}` finishes it from its logs)")
    meta = load_meta(path)
    manifest = meta.get(integrity.MANIFEST_KEY) or {}
    name = SAMPLES_FILE if (path / SAMPLES_FILE).is_file() or SAMPLES_FILE in manifest \
        else "samples.csv"
    samples = _read_table(path, name, manifest, integrity.SAMPLES_REQUIRED)
    clock = meta.get("clock", "")
    # Layout <= 3 (the committed baseline among them) measured hot only, one event.
    samples = metrics.normalize_samples(samples)
    extra = metrics.extra_events(clock)
    problems = integrity.check_columns(samples, extra, name) + \
        integrity.check_values(samples, name, extra)
    if problems:
        raise _damaged(path, name, problems[0])
    if (path / "stats.csv").is_file() or "stats.csv" in manifest:
        st = _read_table(path, "stats.csv", manifest, integrity.STATS_REQUIRED)
        st = metrics.normalize_stats(st, clock)
    else:
        st = stats_frame(samples)
    problems = integrity.check_consistency(samples, st, metrics.events(clock))
    if problems:
        raise _damaged(path, "stats.csv", problems[0])
    return Run(path, meta, samples, st)


def read_log(path: Path) -> str:
    """A raw console log, plain or gzipped (the baseline keeps logs/<v>.log.gz)."""
    path = Path(path)
    if not path.is_file() and Path(str(path) + ".gz").is_file():
        path = Path(str(path) + ".gz")
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as f:
            return f.read().decode(errors="replace")
    return path.read_text(errors="replace")


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
             compress_logs: bool = False, note: dict | None = None) -> None:
    """Copy a complete run to dst atomically (used for the baseline, which keeps no
    figures and gzips its logs: logs/<v>.log.gz), sealed afresh."""
    src, dst = Path(src), Path(dst)
    run = load_run(src)                            # refuse incomplete or damaged runs
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
    meta = dict(run.meta)
    if not with_figures:
        meta["figures"] = []
    manifest = meta.get(integrity.MANIFEST_KEY) or {}
    meta["_rows"] = {k: e["rows"] for k, e in manifest.items() if "rows" in e}
    meta["copied_from"] = dict({"run": str(src), "at_utc": utc_stamp()}, **(note or {}))
    for k, v in meta.get("variants", {}).items():
        if compress_logs and v.get("log", "").endswith(".log"):
            v["log"] = v["log"] + ".gz"
    (tmp / proc.OWNER).unlink(missing_ok=True)
    seal(tmp, meta, f"copy of run {src.name} made at {utc_stamp()}")
    old = dst.parent / f".old-{dst.name}"
    if dst.exists():
        if old.exists():
            shutil.rmtree(old)
        os.rename(dst, old)
    os.rename(tmp, dst)
    if old.exists():
        shutil.rmtree(old)
