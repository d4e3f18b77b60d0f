"""Design-space sweeps: enumerate configurations, shard them, run the shards (on this
machine or as a Slurm job array), merge the shards into one stored run.

    harness sweep --axes TRANSFER,SCHED [--base V] [--arch a,b] --executor local|slurm
    harness sweep --variants a,b ...            named variants instead of a product
    harness sweep-status SWEEP                  each shard's state
    harness sweep-resubmit SWEEP [--shard K]    run (or submit) failed shards again
    harness merge SWEEP [--partial] [--again]   the shards -> results/<id>/ per arch

Enumeration. The product of the chosen axes' values (every other axis at the base's
value: the declared defaults, or --base VARIANT), each configuration kept only if
kernel/configure.py's own `problems()` finds nothing wrong with it on that arch: the
rules (requires, excludes, ARCH) are the declaration's, read by the kernel's code, so
a new axis or constraint in kernel/axes.conf changes the sweep with no change here.
A configuration equal to a named variant takes that variant's name (so its numbers
line up with every other run of it, and lessons whose variants the sweep covers get
their verdicts); any other is named `sw-<10 hex>`, a digest of the axis values that
differ from the defaults, and built from a generated variant file
(`make VARIANT_FILE=...`).

The sweep directory, results/sweeps/<UTC>-<commit>/:

    sweep.json         what was asked, every configuration, the shards, submissions
                       and merges (written by the sweep, resubmit and merge commands)
    src/               the source snapshot every shard builds from: a shared git clone
                       of the sweep's commit (plus the working tree's changes with
                       --allow-dirty), so a shard queued for hours builds what was
                       asked even if the tree has moved on
    variants/<n>.conf  the generated variant files (every axis written out)
    shards/<k>/status.json   the shard's state: running, ok or failed (and why)
    shards/<k>/a<n>/   attempt n: tree/ (a copy of src/ with its own build/), results/
                       (the shard's stored run, made by bench.run_bench), shard.log
    slurm/             the sbatch script and Slurm's output files

A shard is one `harness sweep-shard SWEEP K` whichever the executor: the local one runs
them as child processes, a few at a time (each boots with the matrix driver of
`make bench`), Slurm runs one per array task. A shard whose run could not be made or
hit an infrastructure fault is `failed`; a resubmitted shard starts a new attempt and
the old one is kept. `harness merge` copies every shard's logs into one new run and
analyses it with the same code as `harness bench` and `reanalyse` (bench.judge,
analysis.write_derived: statistics, figures, verdicts, summary), sealed and published
as usual. It refuses while a shard is missing, running or failed (naming them and the
resubmit command) unless --partial, which records their configurations as not run; a
second merge is refused (naming the first) unless --again, which makes another run.
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from . import FORMAT_VERSION, RUN_LAYOUT_VERSION, analysis, bench, config, model, proc, store
from .clock import get_clock
from .config import REPO, UsageError, Variant
from .errors import EXIT_INFRA, EXIT_OK, EXIT_REGRESSION, InfraError, Interrupted

SWEEP_FILE = "sweep.json"
SWEEPS_DIR = "sweeps"
GENERATED_PREFIX = "sw-"
DEFAULT_PER_SHARD = 8
FINAL_STATES = ("ok", "failed")


# ------------------------------------------------------------------ enumeration

@dataclass
class Configuration:
    name: str
    arch: str
    values: dict            # AXIS -> value, every declared axis
    named: bool             # equal to a named variant (and named after it)

    def as_dict(self) -> dict:
        return {"name": self.name, "arch": self.arch, "values": dict(self.values),
                "named": self.named}


def generated_name(values: dict, axes: list) -> str:
    """`sw-` and 10 hex digits of the values that differ from the defaults: stable
    when an axis is added at its default, short enough for the kernel's info page."""
    diff = " ".join(f"{a.key}={values[a.name]}" for a in axes if values[a.name] != a.default)
    return GENERATED_PREFIX + hashlib.sha1(diff.encode()).hexdigest()[:10]


def parse_axes(text: str, axes: list) -> list[str]:
    names = config.split_names(text.upper() if text else "")
    declared = [a.name for a in axes]
    if names == ["ALL"]:
        return declared
    bad = [n for n in names if n not in declared]
    if bad:
        raise UsageError(f"--axes: no axis {', '.join(bad)}; declared axes (kernel/axes.conf): "
                         f"{', '.join(declared)}, or ALL")
    return names


def enumerate_configs(axis_names: list[str], arch: str, base: Variant | None = None,
                      repo: Path | None = None) -> tuple[list[Configuration], list[str]]:
    """Every valid configuration of the product of `axis_names` on `arch`, the other
    axes at the base's values (declared defaults without a base). Returns (valid,
    refusals): each refusal is configure.problems()'s sentence."""
    axes = config.axes()
    amap = {a.name: a for a in axes}
    fixed = dict(base.config) if base else {a.name: a.default for a in axes}
    named = named_index(repo)
    valid, refused = [], []
    for combo in itertools.product(*(list(amap[n].values) for n in axis_names)):
        values = dict(fixed)
        values.update(zip(axis_names, combo))
        origin = {a.name: ("sweep" if a.name in axis_names else "base") for a in axes}
        r = config.configure.Resolved("sweep", values, origin)
        errors = config.configure.problems(r, axes, arch)
        label = " ".join(f"{n}={v}" for n, v in zip(axis_names, combo))
        if errors:
            refused.append(f"{label}: " + "; ".join(e.split(": ", 1)[-1] for e in errors))
            continue
        key = tuple(values[a.name] for a in axes)
        name = named.get(key)
        valid.append(Configuration(name or generated_name(values, axes), arch, values,
                                   name is not None))
    return valid, refused


def named_index(repo: Path | None = None) -> dict:
    """Resolved configuration (a tuple in declaration order) -> named variant (the
    first name in sorted order where two variants resolve alike)."""
    axes = config.axes()
    good, _ = config.scan_variants(repo)
    out = {}
    for name in sorted(good):
        key = tuple(good[name].config[a.name] for a in axes)
        out.setdefault(key, name)
    return out


def named_configs(names: list[str], arch: str, repo: Path | None = None
                  ) -> tuple[list[Configuration], list[str]]:
    """Named variants as sweep configurations (those valid on `arch`)."""
    axes = config.axes()
    valid, refused = [], []
    for v in config.resolve_variants(names, repo):
        r = config.configure.Resolved(v.name, dict(v.config), {a.name: "variant" for a in axes})
        errors = config.configure.problems(r, axes, arch)
        if errors:
            refused.append("; ".join(errors))
        else:
            valid.append(Configuration(v.name, arch, dict(v.config), True))
    return valid, refused


def shard(items: list, n_shards: int) -> list[list]:
    """Split in order into n_shards nearly equal, contiguous, non-empty parts."""
    n_shards = max(1, min(n_shards, len(items)))
    size, extra = divmod(len(items), n_shards)
    out, i = [], 0
    for k in range(n_shards):
        j = i + size + (1 if k < extra else 0)
        out.append(items[i:j])
        i = j
    return [s for s in out if s]


def variant_file_text(c: Configuration) -> str:
    axes = config.axes()
    lines = [f"# generated by harness sweep: {c.name}, every axis written out"]
    lines += [f"{a.name} = {c.values[a.name]}" for a in axes]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ the sweep directory

def load(sweep_dir: Path) -> dict:
    p = Path(sweep_dir) / SWEEP_FILE
    try:
        return json.loads(p.read_text())
    except FileNotFoundError:
        raise UsageError(f"{sweep_dir} is not a sweep directory (no {SWEEP_FILE}); "
                         f"`harness sweep-status` lists none there")
    except (OSError, ValueError) as e:
        raise UsageError(f"{p} cannot be read: {e}")


def save(sweep_dir: Path, sw: dict) -> None:
    store.write_json(Path(sweep_dir) / SWEEP_FILE, sw)


def sweep_lock(sweep_dir: Path) -> proc.Lock:
    return proc.Lock(Path(sweep_dir) / ".sweep.lock", f"{sweep_dir}/")


def resolve_sweep(name: str, results: Path) -> Path:
    p = Path(name)
    if (p / SWEEP_FILE).is_file():
        return p
    d = Path(results) / SWEEPS_DIR
    if name == "latest":
        found = sorted(x for x in d.glob("*") if (x / SWEEP_FILE).is_file()) if d.is_dir() \
            else []
        if found:
            return found[-1]
    elif (d / name / SWEEP_FILE).is_file():
        return d / name
    known = sorted(x.name for x in d.glob("*") if (x / SWEEP_FILE).is_file()) \
        if d.is_dir() else []
    raise UsageError(f"no such sweep: {name}; sweeps under {d}: "
                     f"{', '.join(known[-10:]) or '(none)'} (or 'latest', or a directory)")


def _git(args: list, cwd: Path, check: bool = True) -> str:
    r = subprocess.run(["git", *args], cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        raise InfraError(f"git {' '.join(args)} failed in {cwd}: {r.stderr.strip()}")
    return r.stdout


def snapshot(repo: Path, dest: Path, allow_dirty: bool) -> dict:
    """A clone of the repository's HEAD in `dest` (objects shared with the repository),
    with the working tree's uncommitted changes copied over it when allow_dirty."""
    repo = Path(repo)
    git = store.git_info(repo)
    if git["commit"] == "unknown":
        raise UsageError(f"{repo} is not a git repository: a sweep builds a commit")
    if git["dirty"] and not allow_dirty:
        raise UsageError(
            "the working tree has uncommitted changes (" +
            ", ".join(git["dirty_files"][:5]) + "): a sweep's shards build a snapshot "
            "that its runs name by commit. Commit them, or pass --allow-dirty (the runs "
            "are then marked DIRTY)")
    top = Path(_git(["rev-parse", "--show-toplevel"], repo).strip())
    _git(["clone", "--quiet", "--shared", "--no-checkout", str(top), str(dest)], repo)
    _git(["checkout", "--quiet", "--detach", git["commit"]], dest)
    if git["dirty"]:
        status = _git(["status", "--porcelain", "--untracked-files=all", "-z", "--", ".",
                       ":(exclude)results", ":(exclude)build"], top)
        for e in status.split("\0"):
            if len(e) <= 3:
                continue
            rel = e[3:]
            src, dst = top / rel, Path(dest) / rel
            if src.is_file():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
            elif not src.exists() and dst.exists():
                dst.unlink()
    subject = _git(["log", "-1", "--format=%s", git["commit"]], repo, check=False).strip()
    return dict(git, subject=subject)


def create(*, axes_text: str | None, variants: list[str], base: str | None,
           arches: list[str], clocks: list[str], samples: int, warmup: int,
           timeout: float, per_shard: int | None, shards: int | None, executor: str,
           results: Path, repo: Path | None = None, allow_dirty: bool = False,
           dry_run: bool = False, progress=print) -> tuple[Path | None, dict]:
    """Enumerate, shard, and (unless dry_run) write the sweep directory."""
    repo = Path(repo or REPO)
    axes = config.axes()
    if bool(axes_text) == bool(variants):
        raise UsageError("give --axes AXIS,... (a product of their values) or --variants "
                         "a,b (named variants), one of them")
    for a in arches:
        bench.check_arch(a)
    for c in clocks:
        get_clock(c)
    base_v = config.resolve_variants([base], repo)[0] if base else None
    if base_v and variants:
        raise UsageError("--base goes with --axes (the value of every axis not swept)")
    axis_names = parse_axes(axes_text, axes) if axes_text else []
    groups, refused_all = [], {}
    for arch in arches:
        if axis_names:
            cfgs, refused = enumerate_configs(axis_names, arch, base_v, repo)
        else:
            cfgs, refused = named_configs(variants, arch, repo)
        refused_all[arch] = refused
        for clock in clocks:
            groups.append({"arch": arch, "clock": clock, "configs": [c.as_dict() for c in cfgs]})
    total = sum(len(g["configs"]) for g in groups)
    if total == 0:
        raise UsageError("no valid configuration to sweep: " +
                         "; ".join(r for rs in refused_all.values() for r in rs[:3]))
    shard_list = []
    for gi, g in enumerate(groups):
        n = len(g["configs"])
        k = shards if shards else -(-n // (per_shard or DEFAULT_PER_SHARD))
        for part in shard(list(range(n)), k):
            shard_list.append({"index": len(shard_list), "group": gi, "arch": g["arch"],
                               "clock": g["clock"],
                               "configs": [g["configs"][i]["name"] for i in part]})
    for arch in arches:
        n = len([g for g in groups if g["arch"] == arch][0]["configs"])
        progress(f"sweep: {arch}: {n} valid configuration(s)" +
                 (f" of the {n + len(refused_all[arch])} in the product of "
                  f"{', '.join(axis_names)}" if axis_names else "") +
                 (f"; {len(refused_all[arch])} refused by the declaration's constraints, "
                  f"e.g. {refused_all[arch][0]}" if refused_all[arch] else ""))
    progress(f"sweep: {total} configuration run(s) over {len(groups)} arch x clock "
             f"group(s) in {len(shard_list)} shard(s)")
    sw = {"version": 1, "created_utc": store.utc_stamp(), "repo": str(repo),
          "axes": axis_names, "base": base, "variants": variants, "arches": arches,
          "clocks": clocks, "samples": samples, "warmup": warmup, "timeout_s": timeout,
          "executor": executor, "groups": groups, "shards": shard_list,
          "refused": refused_all, "submissions": [], "merges": [],
          "command": " ".join(sys.argv)}
    if dry_run:
        return None, sw
    git = store.git_info(repo)
    results = Path(results)
    sweep_id = f"{store.utc_stamp()}-{git['short']}"
    d = results / SWEEPS_DIR / sweep_id
    n = 1
    while d.exists():
        n += 1
        d = results / SWEEPS_DIR / f"{sweep_id}.{n}"
    tmp = d.parent / f".partial-{d.name}"
    tmp.mkdir(parents=True)
    try:
        sw["git"] = snapshot(repo, tmp / "src", allow_dirty)
        (tmp / "variants").mkdir()
        for g in groups:
            for c in g["configs"]:
                if not c["named"]:
                    (tmp / "variants" / f"{c['name']}.conf").write_text(
                        variant_file_text(Configuration(**c)))
        (tmp / "shards").mkdir()
        sw["sweep_id"] = d.name
        save(tmp, sw)
        os.rename(tmp, d)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    progress(f"sweep {d.name}: {d}")
    return d, sw


# ------------------------------------------------------------------ shards

def shard_dir(sweep_dir: Path, k: int) -> Path:
    return Path(sweep_dir) / "shards" / str(k)


def read_status(sweep_dir: Path, k: int) -> dict | None:
    try:
        return json.loads((shard_dir(sweep_dir, k) / "status.json").read_text())
    except (OSError, ValueError):
        return None


def write_status(sweep_dir: Path, k: int, st: dict) -> None:
    d = shard_dir(sweep_dir, k)
    d.mkdir(parents=True, exist_ok=True)
    store.write_json(d / "status.json", st)


def _group_configs(sw: dict, s: dict) -> list[dict]:
    by_name = {c["name"]: c for c in sw["groups"][s["group"]]["configs"]}
    return [by_name[n] for n in s["configs"]]


def run_shard(sweep_dir: Path, k: int, jobs: int | None = None, progress=print) -> int:
    """One shard, in a fresh copy of the snapshot: build and boot its configurations
    with the matrix driver (bench.run_bench) into its own stored run. Writes
    status.json (running, then ok or failed); returns the exit status."""
    sweep_dir = Path(sweep_dir).resolve()
    sw = load(sweep_dir)
    if not 0 <= k < len(sw["shards"]):
        raise UsageError(f"sweep {sw.get('sweep_id')} has shards 0..{len(sw['shards']) - 1}, "
                         f"not {k}")
    s = sw["shards"][k]
    d = shard_dir(sweep_dir, k)
    d.mkdir(parents=True, exist_ok=True)
    prev = read_status(sweep_dir, k) or {}
    attempt = int(prev.get("attempt", 0)) + 1
    work = d / f"a{attempt}"
    while work.exists():            # never reuse (nor remove) an earlier attempt
        attempt += 1
        work = d / f"a{attempt}"
    work.mkdir()
    st = {"state": "running", "attempt": attempt, "dir": str(work.relative_to(sweep_dir)),
          "host": socket.gethostname(), "pid": os.getpid(),
          "slurm_job": os.environ.get("SLURM_ARRAY_JOB_ID") or os.environ.get("SLURM_JOB_ID"),
          "slurm_task": os.environ.get("SLURM_ARRAY_TASK_ID"),
          "started_utc": store.utc_stamp(), "configs": list(s["configs"])}
    write_status(sweep_dir, k, st)
    t0 = time.monotonic()
    logf = open(work / "shard.log", "a", buffering=1)

    def note(msg=""):
        logf.write(f"{msg}\n")
        progress(f"[shard {k}] {msg}" if msg else "")

    rc = EXIT_INFRA
    try:
        tree = work / "tree"
        shutil.copytree(sweep_dir / "src", tree, symlinks=True,
                        ignore=shutil.ignore_patterns("build", "results"))
        gen = tree / "build" / "sweep-variants"
        gen.mkdir(parents=True)
        variants = []
        for c in _group_configs(sw, s):
            if c["named"]:
                variants.append(config.load_variant(c["name"], tree))
            else:
                f = gen / f"{c['name']}.conf"
                shutil.copy2(sweep_dir / "variants" / f.name, f)
                variants.append(config.load_variant_file(f, tree))
            if variants[-1].config != c["values"]:
                raise UsageError(f"configuration {c['name']} resolves to "
                                 f"{variants[-1].config} in the snapshot, the sweep asked "
                                 f"for {c['values']}")
        note(f"{len(variants)} configuration(s) on {s['arch']}, clock {s['clock']}, in {tree}")
        path, meta, ok = bench.run_bench(
            variants, get_clock(s["clock"]), arch=s["arch"], samples=sw["samples"],
            warmup=sw["warmup"], jobs=jobs, timeout=sw["timeout_s"], build=True,
            results_dir=work / "results", figures=False, repo=tree, progress=note,
            summary=False)
        rc = meta.get("exit_status", EXIT_OK if ok else EXIT_REGRESSION)
        if meta.get("published"):
            st.update(run=str(Path(path).relative_to(sweep_dir)), exit_status=rc,
                      failed_variants=meta.get("failed_variants", []))
            if rc == EXIT_INFRA:
                st.update(state="failed", problem="infrastructure fault(s): " +
                          ", ".join(meta.get("infra_failures", [])))
            else:
                st["state"] = "ok"
        else:
            st.update(state="failed", exit_status=rc, problem="no configuration ran "
                      f"(every one failed: {', '.join(meta.get('failed_variants', []))}); "
                      f"logs in {Path(path).relative_to(sweep_dir)}")
    except Interrupted as e:
        st.update(state="failed", problem=f"interrupted by {e.name} (a Slurm time limit or "
                  f"cancel sends SIGTERM)")
        rc = e.exit_code
        raise
    except BaseException as e:
        st.update(state="failed", problem=f"{type(e).__name__}: {e}"[:500])
        note(traceback.format_exc())
        if isinstance(e, (config.UsageError,)):
            rc = 2
        if not isinstance(e, Exception):
            raise
    finally:
        st.update(finished_utc=store.utc_stamp(), wall_s=round(time.monotonic() - t0, 2))
        if st["state"] == "running":
            st["state"] = "failed"
        write_status(sweep_dir, k, st)
        note(f"shard {k}: {st['state']}" + (f": {st.get('problem')}" if st.get("problem")
                                              else "") + f" ({st['wall_s']:.1f} s)")
        logf.close()
    return rc


def shard_command(sweep_dir: Path, k: int | str, jobs: int | str | None) -> list[str]:
    """The command that runs shard k, for every executor: the snapshot's own harness."""
    cmd = ["/usr/bin/python3", str(Path(sweep_dir).resolve() / "src" / "harness" / "harness"),
           "sweep-shard", str(Path(sweep_dir).resolve()), str(k)]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    return cmd


def run_local(sweep_dir: Path, indices: list[int], parallel: int | None = None,
              progress=print) -> dict:
    """Run shards on this machine: `parallel` at a time (default: one per core, at
    most the shards), each booting with cores // parallel jobs. Returns {k: status}."""
    cpus = os.cpu_count() or 1
    parallel = max(1, min(parallel or cpus, len(indices) or 1))
    jobs = max(1, cpus // parallel)
    progress(f"sweep: running {len(indices)} shard(s) here, {parallel} at a time, "
             f"{jobs} boot job(s) each")

    def one(k):
        logp = shard_dir(sweep_dir, k) / "local.out"
        logp.parent.mkdir(parents=True, exist_ok=True)
        with open(logp, "ab") as f:
            p = proc.start(shard_command(sweep_dir, k, jobs), stdin=subprocess.DEVNULL,
                           stdout=f, stderr=subprocess.STDOUT)
            try:
                rc = p.wait()
            finally:
                proc.forget(p)
        st = read_status(sweep_dir, k)
        if st is None or st.get("state") not in FINAL_STATES:
            st = dict(st or {}, state="failed", problem=f"the shard process exited "
                      f"{rc} without a final status (see {logp})")
            write_status(sweep_dir, k, st)
        return k, st

    out = {}
    with cf.ThreadPoolExecutor(max_workers=parallel) as pool:
        try:
            for fut in cf.as_completed([pool.submit(one, k) for k in indices]):
                k, st = fut.result()
                out[k] = st
                progress(f"sweep: shard {k}: {st['state']}" +
                         (f" ({st.get('wall_s', 0):.1f} s)" if st.get("wall_s") else "") +
                         (f": {st['problem']}" if st.get("problem") else ""))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            proc.kill_all()
            raise
    return out


# ------------------------------------------------------------------ status

def status_rows(sweep_dir: Path, sw: dict) -> list[dict]:
    """One row per shard: its state from status.json ('pending' without one)."""
    rows = []
    for s in sw["shards"]:
        st = read_status(sweep_dir, s["index"]) or {}
        rows.append({"shard": s["index"], "arch": s["arch"], "clock": s["clock"],
                     "configs": len(s["configs"]), "state": st.get("state", "pending"),
                     "attempt": st.get("attempt", 0), "host": st.get("host", ""),
                     "wall_s": st.get("wall_s"), "run": st.get("run", ""),
                     "problem": st.get("problem", ""), "slurm_job": st.get("slurm_job")})
    return rows


def unfinished(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["state"] != "ok"]


def resubmit_hint(sweep_dir: Path, shards: list[int]) -> str:
    return f"harness sweep-resubmit {sweep_dir} --shard {','.join(str(k) for k in shards)}"


# ------------------------------------------------------------------ merge

def merge(sweep_dir: Path, *, results: Path, partial: bool = False, again: bool = False,
          figures: bool = True, progress=print) -> list[tuple[Path, dict]]:
    """One stored run per arch x clock group from its shards' runs. Refusals (missing,
    running or failed shards; a group merged before) raise UsageError naming them."""
    sweep_dir = Path(sweep_dir).resolve()
    with proc.locked(sweep_lock(sweep_dir)):
        sw = load(sweep_dir)
        rows = status_rows(sweep_dir, sw)
        bad = unfinished(rows)
        if bad and not partial:
            lines = [f"shard {r['shard']} ({r['configs']} configuration(s), {r['arch']}): "
                     f"{r['state']}" + (f": {r['problem']}" if r["problem"] else "")
                     for r in bad]
            failed = [r["shard"] for r in bad if r["state"] == "failed"]
            raise UsageError(
                f"sweep {sw['sweep_id']} cannot be merged: {len(bad)} of {len(rows)} "
                f"shard(s) not done:\n  " + "\n  ".join(lines) +
                (f"\nresubmit the failed ones: {resubmit_hint(sweep_dir, failed)}"
                 if failed else "") +
                "\nor merge what is there with --partial (the rest is recorded as not run)")
        done = {m["group"]: m for m in sw.get("merges", [])}
        out = []
        for gi, g in enumerate(sw["groups"]):
            if gi in done and not again:
                m = done[gi]
                changed = [r["shard"] for r in rows if sw["shards"][r["shard"]]["group"] == gi
                           and m.get("shards", {}).get(str(r["shard"])) != r["run"]]
                raise UsageError(
                    f"sweep {sw['sweep_id']} ({g['arch']}, {g['clock']}) was merged "
                    f"already, into {m['run']} at {m['at_utc']}" +
                    (f"; shard(s) {', '.join(map(str, changed))} have a newer run since"
                     if changed else "; nothing changed since") +
                    ". Nothing was done; --again makes another merged run (the first stays)")
            path, meta = _merge_group(sweep_dir, sw, gi, rows, Path(results), figures,
                                      progress)
            rec = {"group": gi, "arch": g["arch"], "clock": g["clock"], "run": str(path),
                   "at_utc": store.utc_stamp(), "partial": bool(bad),
                   "shards": {str(r["shard"]): r["run"] for r in rows
                              if sw["shards"][r["shard"]]["group"] == gi}}
            sw["merges"] = [m for m in sw.get("merges", []) if m["group"] != gi] + [rec]
            sw.setdefault("merge_history", []).append(rec)
            save(sweep_dir, sw)
            out.append((path, meta))
        return out


def _merge_group(sweep_dir: Path, sw: dict, gi: int, rows: list[dict], results: Path,
                 figures: bool, progress) -> tuple[Path, dict]:
    t0 = time.monotonic()
    g = sw["groups"][gi]
    shards = [s for s in sw["shards"] if s["group"] == gi]
    status = {r["shard"]: r for r in rows}
    runs = {}
    for s in shards:
        r = status[s["index"]]
        if r["state"] == "ok":
            runs[s["index"]] = store.load_run(sweep_dir / r["run"])   # checksums checked
    if not runs:
        raise UsageError(f"sweep {sw['sweep_id']} ({g['arch']}, {g['clock']}): no shard "
                         f"has a run to merge")
    metas = [r.meta for r in runs.values()]
    commits = {(m.get("git") or {}).get("commit") for m in metas}
    if len(commits) != 1:
        raise UsageError(f"the shards were built from different commits ({', '.join(commits)}):"
                         f" not one sweep's snapshot")
    first = metas[0]
    warnings = []
    for key in ("qemu", "cc"):
        seen = {(m.get("tools") or {}).get(key) for m in metas}
        if len(seen) > 1:
            warnings.append(f"shards ran with different {key} versions: "
                            f"{' | '.join(sorted(map(str, seen)))}: their images or "
                            f"numbers may differ for that reason alone")
    for m in metas:
        warnings += [w for w in m.get("warnings", []) if w not in warnings]
    git = dict(first.get("git") or {})
    run_id = f"{store.utc_stamp()}-{git.get('short', 'nogit')}"
    w = store.RunWriter(results, run_id)
    order = [c["name"] for c in g["configs"]]
    clock = get_clock(g["clock"])
    meta = {
        "layout_version": RUN_LAYOUT_VERSION, "format_version": FORMAT_VERSION,
        "run_id": w.run_id, "complete": False,
        "started_utc": min(m.get("started_utc", "") for m in metas),
        "arch": g["arch"], "clock": clock.name, "unit": clock.unit,
        "clock_note": clock.note,
        "trusted": (all(m.get("trusted") is not False for m in metas)
                    if clock.name != "icount" else True),
        "samples": sw["samples"], "warmup": sw["warmup"], "timeout_s": sw["timeout_s"],
        "jobs": sum(int(m.get("jobs") or 1) for m in metas), "experiment": None,
        "variant_order": order, "git": git, "host": store.host_info(),
        "tools": first.get("tools", {}), "kvm": None, "warnings": warnings,
        "command": " ".join(sys.argv), "variants": {},
        "sweep": {"sweep_id": sw["sweep_id"], "dir": str(sweep_dir), "axes": sw["axes"],
                  "base": sw["base"], "shards": {}},
    }
    frames, failed, infra = [], [], []
    by_name = {c["name"]: c for c in g["configs"]}
    for s in shards:
        run = runs.get(s["index"])
        r = status[s["index"]]
        meta["sweep"]["shards"][str(s["index"])] = {
            "state": r["state"], "run": r["run"], "host": r["host"], "wall_s": r["wall_s"],
            "attempt": r["attempt"], "slurm_job": r["slurm_job"],
            "configs": list(s["configs"]), "problem": r["problem"]}
        for name in s["configs"]:
            if run is None:
                meta["variants"][name] = {
                    "config": by_name[name]["values"], "status": "not-run", "shard": s["index"],
                    "problems": [f"not-run: shard {s['index']} is {r['state']}"
                                 + (f" ({r['problem']})" if r["problem"] else "")]}
                failed.append(name)
                continue
            info = dict(run.meta["variants"][name], shard=s["index"])
            meta["variants"][name] = info
            if not info.get("log") or not info.get("boot_cmd"):
                failed.append(name)
                continue
            src = Path(run.path) / info["log"]
            # the model's records too (clock=model): the samples' counts come from them
            for f in (src, src.with_suffix(".stderr"), model.stored_records(src)):
                if f is not None and f.is_file():
                    shutil.copy2(f, w.path / "logs" / f.name)
            v = Variant(name, dict(info["config"]))
            boot = bench.runner.BootResult(
                name, [], w.path / info["log"], (w.path / info["log"]).with_suffix(".stderr"),
                exit_code=info.get("exit_code"), timed_out=bool(info.get("timed_out")),
                seconds=float(info.get("boot_s") or 0.0), host_error=info.get("host_error"))
            boot.extra["timeout"] = sw["timeout_s"]
            o = bench.Outcome(v, bench.runner.BuildResult(name, True, info.get("build_s", 0.0),
                                                          []), boot)
            bench.judge(o, clock, sw["samples"], sw["warmup"], arch=g["arch"])
            info.update(status=o.status, problems=[str(p) for p in o.problems])
            if o.ok:
                frames.append(store.samples_frame(o.log, v, w.run_id, git.get("commit", ""),
                                                  g["arch"], clock))
            else:
                failed.append(name)
                if o.infra:
                    infra.append(name)
    meta.update(failed_variants=failed, infra_failures=infra)
    if not frames:
        store.write_json(w.path / "meta.json", meta)
        raise UsageError(f"no configuration of sweep {sw['sweep_id']} ({g['arch']}) "
                         f"succeeded; nothing to publish (logs kept in {w.path})")
    store.write_json(w.path / "meta.json", meta)
    st = analysis.write_derived(w.path, meta, frames, figures=figures, progress=progress)
    walls = [r["wall_s"] or 0.0 for r in rows if r["shard"] in runs]
    meta.update({
        "finished_utc": store.utc_stamp(), "complete": True, "published": True,
        "exit_status": EXIT_INFRA if infra else (EXIT_REGRESSION if failed else EXIT_OK),
        "host_bench": None,
        # shards may run in parallel: the slowest one, then the merge
        "timings_s": {"total_wall": round(max(walls) + time.monotonic() - t0, 2),
                      "matrix_wall": round(max(walls), 2),
                      "build_sum": round(sum((m.get("timings_s") or {}).get("build_sum", 0)
                                             for m in metas), 2),
                      "boot_sum": round(sum((m.get("timings_s") or {}).get("boot_sum", 0)
                                            for m in metas), 2),
                      "analyse_wall": round(time.monotonic() - t0, 2),
                      "host_bench_wall": 0.0, "shards_summed": round(sum(walls), 2)},
    })
    analysis.write_summary(w.path, meta, st)
    final = w.finish(meta)
    progress(f"merged {len(runs)}/{len(shards)} shard(s) of sweep {sw['sweep_id']} "
             f"({g['arch']}, {clock.name}): {len(order) - len(failed)}/{len(order)} "
             f"configuration(s) ok -> {final}")
    if failed:
        progress(f"  not ok: {', '.join(failed[:20])}{' ...' if len(failed) > 20 else ''}")
    return final, meta
