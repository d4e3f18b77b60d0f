"""`harness export RUN --format gbench|sel4bench|csv`: a stored run in the shapes other
tools read.

gbench     Google Benchmark's JSON (`--benchmark_format=json`): a `context` object and
           a `benchmarks` list. Every (variant, case) is one benchmark family named
           `<variant>/<bench>/<space>/<metric>/len<N>`; each raw sample is one
           repetition (`run_type` "iteration", `iterations` 1, `repetition_index` i of
           `repetitions` n), followed by the aggregates `_mean`, `_median`, `_stddev`
           and `_cv` (`run_type` "aggregate") from stats.csv, i.e. after ipclab's
           outlier policy. Google Benchmark's tools/compare.py reads only real_time and
           cpu_time with a time_unit of ns, us, ms or s, so both fields carry the
           sample in the run's unit and time_unit is "ns": under icount one "ns" of this
           file is one guest instruction. The context (`ipclab_unit`, `ipclab_clock`,
           `ipclab_time_fields`) and every aggregate's `label` say so.
sel4bench  sel4bench's JSON results: a list of result sets {"Benchmark": name,
           "Results": [rows]}, one set per variant; a row per case with sel4bench's
           extra columns (Function, Direction, Same vspace?, IPC length) and its
           statistics fields Min, Max, Mean, Stddev, Variance, Mode, Median,
           "1st quantile", "3rd quantile", Samples and "Raw results". As sel4bench
           computes them: over every sample the guest kept after its warm-up (no
           outlier removal; ipclab's outlier count is the extra field "Outliers").
csv        Google Benchmark's CSV reporter columns (name, iterations, real_time,
           cpu_time, time_unit, bytes_per_second, items_per_second, label,
           error_occurred, error_message), the same rows as gbench.
"""
from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np

from .store import Run

FORMATS = ("gbench", "sel4bench", "csv")
GBENCH_TIME_UNIT = "ns"     # compare.py accepts ns, us, ms, s only
GBENCH_AGGREGATES = ("mean", "median", "stddev", "cv")
GBENCH_CSV_COLUMNS = ["name", "iterations", "real_time", "cpu_time", "time_unit",
                      "bytes_per_second", "items_per_second", "label", "error_occurred",
                      "error_message"]
KEY = ["variant", "bench", "space", "metric", "len"]


def case_name(variant: str, bench: str, space: str, metric: str, length: int) -> str:
    return f"{variant}/{bench}/{space}/{metric}/len{int(length)}"


def _groups(run: Run):
    """(key, raw sample values in sample order, stats row or None) per case, in the
    run's order (variant order of the run, then the order cases were printed)."""
    st = {tuple(r[k] for k in KEY[:-1]) + (int(r["len"]),): r
          for r in run.stats.to_dict("records")}
    s = run.samples.sort_values("sample", kind="stable") if "sample" in \
        run.samples.columns else run.samples
    for key, g in s.groupby(KEY, sort=False):
        key = (key[0], key[1], key[2], key[3], int(key[4]))
        yield key, g["value"].to_numpy(dtype=np.int64), st.get(key)


def _num(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _context(run: Run) -> dict:
    m = run.meta
    host, git = m.get("host") or {}, m.get("git") or {}
    unit = m.get("unit", "")
    return {
        "date": m.get("started_utc", ""),
        "host_name": ((host.get("uname") or "").split(" ") + ["", ""])[1],
        "executable": f"ipclab run {run.run_id}",
        "num_cpus": host.get("cpus") or 0,
        "mhz_per_cpu": 0,
        "cpu_scaling_enabled": False,
        "caches": [],
        "load_avg": [],
        "library_build_type": "release",
        "ipclab_run_id": run.run_id,
        "ipclab_commit": git.get("commit", ""),
        "ipclab_dirty": bool(git.get("dirty")),
        "ipclab_arch": m.get("arch", ""),
        "ipclab_clock": m.get("clock", ""),
        "ipclab_unit": unit,
        "ipclab_time_fields": f"real_time and cpu_time hold {unit} (clock="
                              f"{m.get('clock')}), not time; time_unit is "
                              f"{GBENCH_TIME_UNIT} only because compare.py reads no other",
        "ipclab_samples": m.get("samples"),
        "ipclab_warmup": m.get("warmup"),
        "ipclab_qemu": (m.get("tools") or {}).get("qemu", ""),
        "ipclab_aggregates": "mean, median, stddev and cv after ipclab's outlier policy "
                             "(harness/README.md); every raw sample is an iteration entry",
    }


def gbench(run: Run) -> dict:
    """The run as Google Benchmark JSON (module docstring)."""
    unit, clock = run.meta.get("unit", ""), run.meta.get("clock", "")
    label = f"{unit} (clock={clock})"
    benchmarks = []
    for family, (key, values, row) in enumerate(_groups(run)):
        name = case_name(*key)
        n = len(values)
        common = {"family_index": family, "per_family_instance_index": 0,
                  "run_name": name, "repetitions": n, "threads": 1}
        for i, v in enumerate(values):
            benchmarks.append(dict(name=name, **common, run_type="iteration",
                                   repetition_index=i, iterations=1,
                                   real_time=float(v), cpu_time=float(v),
                                   time_unit=GBENCH_TIME_UNIT))
        if row is None:
            continue
        mean, sd = _num(row.get("mean")), _num(row.get("stddev"))
        agg = {"mean": mean, "median": _num(row.get("median")), "stddev": sd,
               "cv": (sd / mean) if sd is not None and mean else None}
        for a in GBENCH_AGGREGATES:
            if agg[a] is None:
                continue
            benchmarks.append(dict(name=f"{name}_{a}", **common, run_type="aggregate",
                                   aggregate_name=a,
                                   aggregate_unit="percentage" if a == "cv" else "time",
                                   iterations=int(row.get("count") or n),
                                   real_time=agg[a], cpu_time=agg[a],
                                   time_unit=GBENCH_TIME_UNIT, label=label))
    return {"context": _context(run), "benchmarks": benchmarks}


def gbench_csv(run: Run) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(GBENCH_CSV_COLUMNS)
    for b in gbench(run)["benchmarks"]:
        w.writerow([b["name"], b["iterations"], f"{b['real_time']:.6g}",
                    f"{b['cpu_time']:.6g}", b["time_unit"], "", "", b.get("label", ""), "", ""])
    return out.getvalue()


DIRECTIONS = {"call": "client->server", "reply": "server->client",
              "round": "round trip", "read": "counter read"}


def sel4bench_row(key: tuple, values: np.ndarray, outliers: int) -> dict:
    """One case in sel4bench's result fields, over every sample (as sel4bench does)."""
    variant, bench, space, metric, length = key
    v = values.astype(float)
    n = len(v)
    uniq, counts = np.unique(values, return_counts=True)
    q1, med, q3 = (np.percentile(v, [25, 50, 75]) if n else (math.nan,) * 3)
    var = float(v.var(ddof=1)) if n > 1 else 0.0
    return {
        "Function": bench if bench != "ipc" else f"ipc {metric}",
        "Direction": DIRECTIONS.get(metric, metric),
        "Same vspace?": space != "cross",
        "IPC length": int(length),
        "Case": f"{bench}/{space}/{metric}/len{int(length)}",
        "Min": int(values.min()) if n else None,
        "Max": int(values.max()) if n else None,
        "Mean": float(v.mean()) if n else None,
        "Stddev": math.sqrt(var),
        "Variance": var,
        "Mode": float(uniq[int(np.argmax(counts))]) if n else None,
        "Median": float(med),
        "1st quantile": float(q1),
        "3rd quantile": float(q3),
        "Samples": n,
        "Outliers": int(outliers),
        "Raw results": [int(x) for x in values],
    }


def sel4bench(run: Run) -> list:
    """The run in the shape of sel4bench's JSON results (module docstring)."""
    unit, clock = run.meta.get("unit", ""), run.meta.get("clock", "")
    sets: dict[str, dict] = {}
    for key, values, row in _groups(run):
        variant = key[0]
        if variant not in sets:
            sets[variant] = {"Benchmark": f"ipclab {variant}", "Unit": unit,
                             "Clock": clock, "Run": run.run_id, "Results": []}
        outl = int(row.get("outliers") or 0) if row is not None else 0
        sets[variant]["Results"].append(sel4bench_row(key, values, outl))
    return list(sets.values())


def render(run: Run, fmt: str) -> str:
    """The run exported in `fmt` as text."""
    if fmt == "gbench":
        # one benchmark per line: a full run at 1000 samples is ~430k entries
        doc = gbench(run)
        lines = ",\n".join(json.dumps(b, separators=(",", ":")) for b in doc["benchmarks"])
        return (f'{{"context": {json.dumps(doc["context"], indent=1)},\n'
                f'"benchmarks": [\n{lines}\n]}}\n')
    if fmt == "sel4bench":
        return json.dumps(sel4bench(run), indent=1) + "\n"
    if fmt == "csv":
        return gbench_csv(run)
    raise ValueError(f"unknown export format {fmt!r}; valid formats: {', '.join(FORMATS)}")


SUFFIX = {"gbench": "gbench.json", "sel4bench": "sel4bench.json", "csv": "gbench.csv"}


def default_path(results: Path, run: Run, fmt: str) -> Path:
    return Path(results) / "exports" / f"{run.run_id}.{SUFFIX[fmt]}"


def select(run: Run, variants=None) -> Run:
    """The run restricted to some variants (export --variants)."""
    if not variants:
        return run
    return Run(run.path, run.meta, run.samples[run.samples.variant.isin(variants)],
               run.stats[run.stats.variant.isin(variants)])
