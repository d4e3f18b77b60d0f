"""Host-side benchmarks (bench/host/, Google Benchmark): run, check, ingest, plot.

The two host programs time Linux IPC round trips and the kernel's own scheduler code
(kernel/core/sched.c built for the host, once per SCHED policy). Their JSON goes into
a run directory of the results store beside (or without) a kernel run:

    <run>/host-raw/<binary>.json   Google Benchmark's own output, untouched
    <run>/host-raw/<binary>.perf   perf stat output (only where hardware counters exist)
    <run>/host.csv                 tidy rows (HOST_COLS), unit "host ns"
    <run>/host-meta.json           host, CPU model, perf status, library context; written
                                   last: a run dir without it has no complete host part
    <run>/figures/host-ipc.{png,svg}    Linux round trips (+ kernel numbers, own panel)
    <run>/figures/host-sched.{png,svg}  sched_pick() cost against thread count

A host-only run is assembled in results/.partial-<id>/ and renamed when done (the
harness's convention); it carries no COMPLETE marker and no meta.json, so the
harness's own loaders never mistake it for a kernel run.

Command line: `harness host run|ingest|check|plot|table|perf-status` (cli.py).
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from . import plots, proc, store
from .plots import PLOTS_DIR

# The sources the host binaries are built from: a change elsewhere does not make a
# host run dirty.
HOST_SOURCES = ["bench/host", "kernel/core/sched.c", "kernel/core/sched.h",
                "kernel/core/tcb.h", "kernel/core/list.h", "kernel/core/assert.h",
                "kernel/include", "kernel/arch/host", "kernel/axes.conf",
                "kernel/configure.py", "variants"]

UNIT = "host ns"            # wall-clock nanoseconds on the host; never guest ticks
HOST_COLS = ["benchmark", "case", "pinning", "policy", "threads", "blocked_pct",
             "blocked_threads", "statistic", "value", "unit", "repetitions",
             "iterations", "name", "source", "note"]

# ---------------------------------------------------------------- the benchmark grid
# The same lists as bench/host/ipc_bench.cc and sched_bench.cc; the smoke check fails
# when a binary and this table disagree in either direction.
IPC_CASES = ["pipe", "socketpair", "eventfd", "futex"]
PINNINGS = ["same", "cross"]
POLICIES = ["lazy", "benno"]
PICK_THREADS = [1, 16, 64, 256, 1024, 4096]
PICK_BLOCKED = [0, 50, 90]
SWITCH_THREADS = [1, 256, 4096]
AGGREGATES = ["mean", "median", "stddev", "cv"]
CROSS_SKIP = "skipped: cross-core"      # prefix of the message on a one-CPU machine


def expected() -> dict:
    """binary -> set of benchmark names (Google Benchmark's suffixes stripped)."""
    ipc = {f"linux_ipc_rt/case:{c}/pin:{p}" for c in IPC_CASES for p in PINNINGS}
    ipc.add("linux_null_syscall/case:getppid/pin:self")
    out = {"ipc_bench": ipc}
    for pol in POLICIES:
        s = {f"sched_pick/policy:{pol}/nthreads:{n}/blocked:{b}"
             for n in PICK_THREADS for b in PICK_BLOCKED}
        for n in SWITCH_THREADS:
            s.add(f"sched_wake_block/policy:{pol}/nthreads:{n}")
            s.add(f"sched_ipc_switch/policy:{pol}/nthreads:{n}")
        out[f"sched_bench_{pol}"] = s
    return out


def blocked_threads(n: int, pct: int) -> int:
    """As sched_bench.cc: floor(n * pct / 100), leaving at least one runnable."""
    b = n * pct // 100
    return n - 1 if b >= n else b


# Suffixes Google Benchmark appends to a registered name.
_GB_SUFFIX = re.compile(r"^(iterations|repeats|min_time|min_warmup_time|threads):|"
                        r"^(real_time|manual_time|process_time)$")


def base_name(run_name: str) -> str:
    return "/".join(t for t in run_name.split("/") if not _GB_SUFFIX.match(t))


def parse_name(name: str) -> dict:
    """'sched_pick/policy:lazy/nthreads:16/blocked:90' -> tidy key columns."""
    toks = base_name(name).split("/")
    kv = dict(t.split(":", 1) for t in toks[1:] if ":" in t)
    n = kv.get("nthreads")
    b = kv.get("blocked")
    return {"benchmark": toks[0], "case": kv.get("case", ""),
            "pinning": kv.get("pin", "self" if toks[0].startswith("sched_") else ""),
            "policy": kv.get("policy", ""),
            "threads": int(n) if n is not None else None,
            "blocked_pct": int(b) if b is not None else None,
            "blocked_threads": blocked_threads(int(n), int(b)) if n and b is not None else None}


_TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def _time_ns(entry: dict) -> float:
    unit = entry.get("time_unit", "ns")
    if unit not in _TO_NS:
        raise ValueError(f"unknown time_unit {unit!r} in {entry.get('name')}")
    return float(entry["real_time"]) * _TO_NS[unit]


def load_json(path) -> dict:
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: not a complete Google Benchmark JSON file: {e}")
    if not isinstance(doc, dict) or "benchmarks" not in doc or "context" not in doc:
        raise ValueError(f"{path}: no 'context'/'benchmarks' (not Google Benchmark JSON)")
    return doc


def binary_of(path, doc) -> str:
    exe = os.path.basename(str(doc.get("context", {}).get("executable", "")))
    return exe or Path(path).stem


# ---------------------------------------------------------------- completeness

def check(paths, cpus: int | None = None) -> list[str]:
    """Problems with a set of JSON files; empty when every expected benchmark of every
    binary is present with its aggregates. A cross-core case may be absent of data only
    when it was skipped because the machine has a single CPU."""
    problems = []
    exp = expected()
    seen_bins = set()
    for path in paths:
        try:
            doc = load_json(path)
        except ValueError as e:
            problems.append(str(e))
            continue
        binary = binary_of(path, doc)
        if binary not in exp:
            problems.append(f"{path}: unknown benchmark binary {binary!r}")
            continue
        seen_bins.add(binary)
        ncpu = cpus if cpus is not None else int(doc["context"].get("num_cpus", 0) or 0)
        got: dict[str, set] = {}
        errors: dict[str, str] = {}
        for e in doc["benchmarks"]:
            name = base_name(e.get("run_name", e.get("name", "")))
            if e.get("error_occurred"):
                errors[name] = e.get("error_message", "")
                continue
            if e.get("run_type") == "aggregate":
                got.setdefault(name, set()).add(e.get("aggregate_name"))
            else:
                got.setdefault(name, set())
        for name in sorted(exp[binary]):
            if name in errors:
                if errors[name].startswith(CROSS_SKIP) and ncpu < 2:
                    continue
                problems.append(f"{binary}: {name}: error: {errors[name]}")
            elif name not in got:
                problems.append(f"{binary}: {name}: missing")
            elif not set(AGGREGATES) <= got[name]:
                miss = sorted(set(AGGREGATES) - got[name])
                problems.append(f"{binary}: {name}: missing aggregates {miss} "
                                f"(run with --benchmark_repetitions >= 2)")
        for name in sorted((set(got) | set(errors)) - exp[binary]):
            problems.append(f"{binary}: {name}: not in hostbench.expected() "
                            f"(update the grid on both sides)")
    for binary in sorted(set(exp) - seen_bins):
        problems.append(f"{binary}: no JSON output")
    return problems


# ---------------------------------------------------------------- ingest

def rows_from_json(path) -> list[dict]:
    doc = load_json(path)
    src = Path(path).name
    rows = []
    reps: dict[str, list] = {}
    for e in doc["benchmarks"]:
        name = base_name(e.get("run_name", e.get("name", "")))
        key = parse_name(name)
        base = dict(key, name=name, source=src, repetitions=e.get("repetitions"),
                    iterations=None, note="")
        if e.get("error_occurred"):
            rows.append(dict(base, statistic="skipped", value=float("nan"), unit="",
                             note=e.get("error_message", "")))
            continue
        if e.get("run_type") == "aggregate":
            agg = e.get("aggregate_name")
            if e.get("aggregate_unit") == "percentage" or agg == "cv":
                # Google Benchmark stores the coefficient of variation as a fraction.
                rows.append(dict(base, statistic=agg, value=float(e["real_time"]),
                                 unit="ratio"))
            else:
                rows.append(dict(base, statistic=agg, value=_time_ns(e), unit=UNIT))
        else:
            reps.setdefault(name, []).append((_time_ns(e), e.get("iterations"), base))
    for name, vals in reps.items():
        times = [v for v, _, _ in vals]
        base = dict(vals[0][2], repetitions=len(vals), iterations=vals[0][1])
        rows.append(dict(base, statistic="min", value=min(times), unit=UNIT))
        rows.append(dict(base, statistic="max", value=max(times), unit=UNIT))
        if len(vals) == 1:
            # One repetition: no aggregates from Google Benchmark; its time is the value.
            rows.append(dict(base, statistic="single", value=times[0], unit=UNIT))
    # Every row of one benchmark says how many repetitions and iterations it came from.
    info = {n: (len(v), v[0][1]) for n, v in reps.items()}
    for r in rows:
        if r["name"] in info:
            r["repetitions"], r["iterations"] = info[r["name"]]
    return rows


def ingest(paths) -> pd.DataFrame:
    rows = []
    for p in paths:
        rows.extend(rows_from_json(p))
    df = pd.DataFrame(rows, columns=HOST_COLS)
    for c in ("threads", "blocked_pct", "blocked_threads", "repetitions", "iterations"):
        df[c] = df[c].astype("Int64")
    return df.sort_values(["benchmark", "case", "policy", "threads", "blocked_pct",
                           "pinning", "statistic"], kind="stable").reset_index(drop=True)


def _atomic_write(path: Path, text: str) -> None:
    tmp = Path(str(path) + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_csv(run_dir: Path, df: pd.DataFrame) -> Path:
    out = Path(run_dir) / "host.csv"
    tmp = Path(str(out) + ".tmp")
    df.to_csv(tmp, index=False, float_format="%.6g")
    os.replace(tmp, out)
    return out


# ---------------------------------------------------------------- host and perf

def perf_status(perf: str | None = None) -> dict:
    """What `perf stat` can count here. Checked once per run; recorded in host-meta.json."""
    exe = perf or shutil.which("perf")
    if not exe:
        return {"available": False, "hardware_counters": False,
                "detail": "perf not installed: no cycles/instructions recorded"}
    cmd = [exe, "stat", "-e", "cycles,instructions", "-x,", "true"]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=30)
    except (OSError, subprocess.SubprocessError) as e:
        return {"available": False, "hardware_counters": False,
                "detail": f"{' '.join(cmd)} failed to run: {e}"}
    out = (p.stderr + p.stdout).strip()
    ok = p.returncode == 0 and bool(out)
    counted = {}
    for line in out.splitlines():
        f = line.split(",")
        if len(f) >= 3 and f[2].split(":")[0] in ("cycles", "instructions"):
            counted[f[2].split(":")[0]] = f[0]
    hw = ok and len(counted) == 2 and all(re.fullmatch(r"\d+", v) for v in counted.values())
    if hw:
        detail = "hardware counters available: cycles and instructions recorded per binary"
    elif not ok:
        detail = f"`{' '.join(cmd)}` failed (status {p.returncode}): {out[-300:]}"
    else:
        detail = ("no hardware counters (perf stat reports "
                  + ", ".join(f"{k}={v}" for k, v in sorted(counted.items())) +
                  "): no cycles/instructions recorded")
    return {"available": True, "hardware_counters": hw, "detail": detail,
            "probe": " ".join(cmd), "probe_output": out[-500:]}


def parse_perf_csv(text: str) -> dict:
    counts = {}
    for line in text.splitlines():
        f = line.split(",")
        if len(f) >= 3 and re.fullmatch(r"\d+", f[0] or ""):
            counts[f[2].split(":")[0]] = int(f[0])
    return counts


def write_meta(run_dir: Path, paths, perf: dict, extra: dict | None = None) -> Path:
    contexts = {}
    for p in paths:
        try:
            doc = load_json(p)
        except ValueError:
            continue
        contexts[binary_of(p, doc)] = doc["context"]
    meta = {
        "kind": "ipclab host benchmarks",
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "unit": UNIT,
        "unit_note": "wall-clock nanoseconds on the host (Linux), per iteration as "
                     "bench/host/README.md defines it; not comparable on one axis with "
                     "guest instructions or guest cycles",
        "host": store.host_info(),
        "git": store.git_info(sources=HOST_SOURCES),
        "perf": perf,
        "files": sorted(f"host-raw/{Path(p).name}" for p in paths),
        "benchmark_context": contexts,
    }
    if extra:
        meta.update(extra)
    out = Path(run_dir) / "host-meta.json"
    _atomic_write(out, json.dumps(meta, indent=2, default=str) + "\n")
    return out


# ---------------------------------------------------------------- run

def run(bin_dir: Path, run_dir: Path, bench_args: list[str], smoke: bool = False,
        log=print) -> tuple[Path, list[str]]:
    """Run every binary, check the JSON, ingest. Returns (run dir, problems)."""
    bin_dir, run_dir = Path(bin_dir), Path(run_dir)
    if (run_dir / store.COMPLETE).is_file():
        raise ValueError(f"{run_dir} is a complete run: adding host results to it would "
                         f"change it after the fact. `make bench` measures the kernel and "
                         f"the host benchmarks into one run; omit RUN_DIR for a host-only "
                         f"run")
    fresh = not run_dir.exists()
    work = run_dir.parent / f".partial-{run_dir.name}" if fresh else run_dir
    if fresh and work.exists():
        shutil.rmtree(work)
    raw = work / "host-raw"
    raw.mkdir(parents=True, exist_ok=True)
    if fresh:
        proc.write_owner(work)
    perf = perf_status()
    log(f"hostbench: perf: {perf['detail']}")
    load_before = os.getloadavg()
    paths = []
    for binary in expected():
        exe = bin_dir / binary
        out = raw / f"{binary}.json"
        if not os.access(exe, os.X_OK):
            raise FileNotFoundError(f"{exe}: not built (make host-bench-build)")
        # --ipclab_* flags belong to the scheduler binaries only.
        args = [a for a in bench_args if binary != "ipc_bench" or not a.startswith("--ipclab_")]
        cmd = [str(exe), f"--benchmark_out={out}", "--benchmark_out_format=json",
               "--benchmark_display_aggregates_only=true", *args]
        if perf["hardware_counters"] and not smoke:
            cmd = [shutil.which("perf") or "perf", "stat", "-x,", "-e", "cycles,instructions",
                   "-o", str(raw / f"{binary}.perf"), "--", *cmd]
        log(f"hostbench: {' '.join(cmd)}")
        t0 = time.time()
        # Quiet: the console output goes to a log, shown only when the binary fails.
        with open(raw / f"{binary}.log", "w") as f:
            status, _ = proc.run(cmd, stdout=f, stderr=subprocess.STDOUT)
        log(f"hostbench: {binary}: status {status}, {time.time() - t0:.1f} s")
        if status != 0:
            sys.stderr.write((raw / f"{binary}.log").read_text()[-3000:])
            raise RuntimeError(f"{binary} exited with status {status} (console output: "
                               f"{raw / (binary + '.log')})")
        paths.append(out)
    problems = check(paths)
    # Other work on the machine disturbs host timings: the load says how much there was.
    extra = {"mode": "smoke" if smoke else "full", "benchmark_args": bench_args,
             "loadavg_before": load_before, "loadavg_after": os.getloadavg()}
    if perf["hardware_counters"] and not smoke:
        extra["perf_counts"] = {
            b: dict(parse_perf_csv((raw / f"{b}.perf").read_text()),
                    scope="whole process: all benchmarks of the binary, setup included")
            for b in expected() if (raw / f"{b}.perf").is_file()}
    if not problems:
        write_csv(work, ingest(paths))
    write_meta(work, paths, perf, dict(extra, check=problems or "complete"))
    if fresh:
        (work / proc.OWNER).unlink(missing_ok=True)
        os.rename(work, run_dir)
    return run_dir, problems


# ---------------------------------------------------------------- kernel numbers

def kernel_medians(run_dir: Path) -> pd.DataFrame | None:
    """Median kernel IPC numbers of a kernel run in the same directory, if any:
    columns variant, what (one-way / round trip / null syscall), value, unit, clock.
    Reads the harness's stats.csv (median column), else samples.csv[.gz] (median of the
    samples not marked outliers), else a results.csv with a value column."""
    run_dir = Path(run_dir)
    df = None
    for name in ("stats.csv", "samples.csv.gz", "samples.csv", "results.csv"):
        f = run_dir / name
        if f.is_file():
            try:
                df = pd.read_csv(f)
            except (OSError, ValueError):
                continue
            break
    if df is None or not {"variant", "bench", "metric"} <= set(df.columns):
        return None
    if "median" not in df.columns:
        if "value" not in df.columns:
            return None
        if "outlier" in df.columns:
            df = df[df["outlier"].fillna(0).astype(int) == 0]
        keys = [c for c in ("variant", "bench", "space", "metric", "len", "unit", "clock")
                if c in df.columns]
        df = df.groupby(keys, dropna=False)["value"].median().reset_index()
        df = df.rename(columns={"value": "median"})
    for c, d in (("unit", "kernel ticks (unit not recorded)"), ("clock", "unknown"),
                 ("space", ""), ("len", 0)):
        if c not in df.columns:
            df[c] = d
    # One clock per panel: icount when present (deterministic), else the first seen.
    clocks = list(dict.fromkeys(df["clock"].astype(str)))
    clock = "icount" if "icount" in clocks else clocks[0]
    df = df[df["clock"].astype(str) == clock]
    out = []
    ipc = df[df["bench"] == "ipc"]
    if len(ipc):
        # Two address spaces, as Linux's two processes; the shortest message.
        if (ipc["space"] == "cross").any():
            ipc = ipc[ipc["space"] == "cross"]
        ipc = ipc[ipc["len"] == ipc["len"].min()]
        for metric, what in (("call", "one-way"), ("round", "round trip")):
            for _, r in ipc[ipc["metric"] == metric].iterrows():
                out.append((r["variant"], what, float(r["median"]), r["unit"], clock,
                            r["space"], int(r["len"])))
    for _, r in df[(df["bench"] == "null_syscall")].iterrows():
        out.append((r["variant"], "null syscall", float(r["median"]), r["unit"], clock,
                    r["space"], int(r["len"])))
    if not out:
        return None
    return pd.DataFrame(out, columns=["variant", "what", "value", "unit", "clock",
                                      "space", "len"])


# ---------------------------------------------------------------- plots

def _stat(df: pd.DataFrame, stat: str) -> pd.DataFrame:
    return df[df["statistic"] == stat]


def _fmt(v) -> str:
    return "?" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.6g}"


def _gnuplot(script: Path, variables: dict, outputs) -> None:
    """One gnuplot run per output file; the scripts take outfile and term."""
    for out in outputs:
        term = "svg" if out.suffix == ".svg" else "png"
        v = dict(variables, outfile=str(out), term=term)
        plots.gnuplot(script, {k: plots.quote(val) for k, val in v.items()}, out.parent)
        if not out.is_file() or out.stat().st_size == 0:
            raise plots.PlotError(f"gnuplot {script.name} wrote no {out}")


def plot(run_dir: Path, plots_dir: Path = PLOTS_DIR) -> list[Path]:
    run_dir = Path(run_dir)
    df = pd.read_csv(run_dir / "host.csv")
    fig = run_dir / "figures"
    fig.mkdir(exist_ok=True)
    data = fig / "data"
    data.mkdir(exist_ok=True)
    made = []

    # (a) Linux round trips, same vs cross core; the null syscall as a floor.
    ipc = df[df["benchmark"].isin(["linux_ipc_rt", "linux_null_syscall"])]
    med, sd = _stat(ipc, "median"), _stat(ipc, "stddev")
    lines = ["# case same_median same_stddev cross_median cross_stddev   [host ns]"]
    for case in IPC_CASES + ["getppid"]:
        vals = []
        for pin in (("self",) if case == "getppid" else ("same", "cross")):
            m = med[(med["case"] == case) & (med["pinning"] == pin)]["value"]
            s = sd[(sd["case"] == case) & (sd["pinning"] == pin)]["value"]
            vals += [m.iloc[0] if len(m) else None, s.iloc[0] if len(s) else None]
        if case == "getppid":
            vals += [None, None]
        label = "null-syscall(getppid)" if case == "getppid" else case
        lines.append(" ".join([label] + [_fmt(v) for v in vals]))
    ipc_dat = data / "host-ipc.dat"
    _atomic_write(ipc_dat, "\n".join(lines) + "\n")

    kern = kernel_medians(run_dir)
    kvars = {"ipcdat": str(ipc_dat), "kerneldat": "", "kernelunit": "", "kernelclock": ""}
    if kern is not None:
        kdat = data / "host-kernel.dat"
        piv = kern.pivot_table(index="variant", columns="what", values="value",
                               aggfunc="first")
        cols = ["one-way", "round trip", "null syscall"]
        klines = ["# variant one-way round-trip null-syscall   [" + kern["unit"].iloc[0] + "]"]
        for v, r in piv.iterrows():
            klines.append(" ".join([str(v)] + [_fmt(r.get(c)) for c in cols]))
        _atomic_write(kdat, "\n".join(klines) + "\n")
        kvars.update(kerneldat=str(kdat), kernelunit=str(kern["unit"].iloc[0]),
                     kernelclock=str(kern["clock"].iloc[0]))
    outs = [fig / "host-ipc.png", fig / "host-ipc.svg"]
    _gnuplot(Path(plots_dir) / "host-ipc.gp", kvars, outs)
    made += outs

    # (b) sched_pick() against thread count, both policies, each blocked share.
    pick = _stat(df[df["benchmark"] == "sched_pick"], "median")
    sdv = _stat(df[df["benchmark"] == "sched_pick"], "stddev")
    header = ["threads"]
    for pol in POLICIES:
        for b in PICK_BLOCKED:
            header += [f"{pol}_{b}", f"{pol}_{b}_sd"]
    lines = ["# " + " ".join(header) + "   [host ns per sched_pick()]"]
    for n in PICK_THREADS:
        vals = [n]
        for pol in POLICIES:
            for b in PICK_BLOCKED:
                sel = (pick["policy"] == pol) & (pick["threads"] == n) & (pick["blocked_pct"] == b)
                m = pick[sel]["value"]
                s = sdv[(sdv["policy"] == pol) & (sdv["threads"] == n) &
                        (sdv["blocked_pct"] == b)]["value"]
                vals += [m.iloc[0] if len(m) else None, s.iloc[0] if len(s) else None]
        lines.append(" ".join([str(n)] + [_fmt(v) for v in vals[1:]]))
    sched_dat = data / "host-sched.dat"
    _atomic_write(sched_dat, "\n".join(lines) + "\n")
    outs = [fig / "host-sched.png", fig / "host-sched.svg"]
    _gnuplot(Path(plots_dir) / "host-sched.gp", {"scheddat": str(sched_dat)}, outs)
    made += outs
    return made


# ---------------------------------------------------------------- table

def table(run_dir: Path) -> str:
    df = pd.read_csv(Path(run_dir) / "host.csv")
    med = _stat(df, "median")
    cv = _stat(df, "cv")
    out = ["Linux IPC round trip, median [host ns] (cv)", "",
           f"| {'case':<22} | {'same core':>18} | {'cross core':>18} |",
           f"|{'-' * 24}|{'-' * 20}|{'-' * 20}|"]

    def cell(sel_med, sel_cv):
        m, c = sel_med["value"], sel_cv["value"]
        if not len(m):
            return "n/a"
        return f"{m.iloc[0]:.0f} ({c.iloc[0] * 100:.1f}%)" if len(c) else f"{m.iloc[0]:.0f}"

    for case in IPC_CASES:
        cells = []
        for pin in PINNINGS:
            k = lambda d: d[(d["benchmark"] == "linux_ipc_rt") & (d["case"] == case) &
                            (d["pinning"] == pin)]
            cells.append(cell(k(med), k(cv)))
        out.append(f"| {case:<22} | {cells[0]:>18} | {cells[1]:>18} |")
    k = lambda d: d[d["benchmark"] == "linux_null_syscall"]
    out.append(f"| {'null syscall (getppid)':<22} | {cell(k(med), k(cv)):>18} | {'-':>18} |")
    out += ["", "sched_pick() median [host ns]; columns: policy and share of the threads blocked", ""]
    hdr = [f"{p} {b}%" for p in POLICIES for b in PICK_BLOCKED]
    out.append("| threads | " + " | ".join(f"{h:>10}" for h in hdr) + " |")
    out.append("|---------|" + "|".join("-" * 12 for _ in hdr) + "|")
    for n in PICK_THREADS:
        cells = []
        for p in POLICIES:
            for b in PICK_BLOCKED:
                v = med[(med["benchmark"] == "sched_pick") & (med["policy"] == p) &
                        (med["threads"] == n) & (med["blocked_pct"] == b)]["value"]
                cells.append(f"{v.iloc[0]:.1f}" if len(v) else "n/a")
        out.append(f"| {n:>7} | " + " | ".join(f"{c:>10}" for c in cells) + " |")
    for bench in ("sched_wake_block", "sched_ipc_switch"):
        sel = med[med["benchmark"] == bench]
        if len(sel):
            parts = [f"{r.policy}@{int(r.threads)}: {r.value:.1f}" for r in sel.itertuples()]
            out.append(f"\n{bench} median [host ns]: " + ", ".join(parts))
    return "\n".join(out)
