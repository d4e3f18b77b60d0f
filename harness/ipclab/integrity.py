"""Is a stored run whole? Checksums (the manifest) and the shape of its tables.

When a run is sealed, `make_manifest` records the SHA-256, size and (for CSV tables)
row count of every file in it under `meta.json` -> `manifest`, and the COMPLETE marker
records the SHA-256 of meta.json itself. Loading a run (store.load_run) checks what it
reads against them, and checks the tables' shape whatever their age (runs of layout 2,
such as an older baseline, have no manifest): required meta keys and columns, integer
values, stats.csv covering exactly the cases of samples.csv.gz. Each problem names the
damaged file and how to recover (`harness reanalyse RUN` rebuilds everything but the
raw logs and meta.json from the logs).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

MANIFEST_KEY = "manifest"
UNLISTED = {"meta.json", "COMPLETE", "OWNER"}      # never in the manifest
DERIVED = ("samples.csv.gz", "stats.csv", "summary.md", "figures/")   # rebuilt from logs

META_REQUIRED = {"run_id": str, "clock": str, "unit": str, "arch": str, "samples": int,
                 "warmup": int, "variants": dict, "variant_order": list}
KEY_COLS = ["variant", "bench", "space", "metric", "len"]
CASE_COLS = KEY_COLS + ["cache"]     # a case (layout >= 4; older runs are all hot)
SAMPLES_REQUIRED = KEY_COLS + ["clock", "unit", "sample", "value", "outlier"]
STATS_REQUIRED = KEY_COLS + ["count", "outliers", "min", "median", "mean", "stddev",
                             "ci95", "ci95_lo", "ci95_hi"]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def recovery(run_dir: Path, name: str) -> str:
    """How to get a damaged file back."""
    if name == "meta.json":
        return ("meta.json cannot be rebuilt (it holds how each variant was booted): "
                "restore it from a copy (for results/baseline: git checkout "
                "results/baseline)")
    if name.startswith("logs/"):
        return ("a raw log is the measurement itself and cannot be rebuilt: restore it "
                "from a copy, or measure the variant again")
    if name.startswith(("host", "figures/host")):
        return "measure the host benchmarks again (make bench)"
    return (f"rebuild it from the raw logs with `harness reanalyse {run_dir}` "
            f"(samples.csv.gz, stats.csv, summary.md and figures are derived from logs/)")


def make_manifest(run_dir: Path, rows: dict | None = None) -> dict:
    """{relative path: {sha256, bytes[, rows]}} for every file of the run."""
    run_dir = Path(run_dir)
    rows = rows or {}
    out = {}
    for p in sorted(run_dir.rglob("*")):
        rel = p.relative_to(run_dir).as_posix()
        if not p.is_file() or rel in UNLISTED or rel.endswith(".tmp"):
            continue
        e = {"sha256": sha256_file(p), "bytes": p.stat().st_size}
        if rel in rows:
            e["rows"] = int(rows[rel])
        out[rel] = e
    return out


def check_file(run_dir: Path, manifest: dict, name: str) -> str | None:
    """A problem with one file against the manifest (None: intact or not listed)."""
    e = (manifest or {}).get(name)
    if e is None:
        return None
    p = Path(run_dir) / name
    if not p.is_file():
        return f"{name} is missing (listed in meta.json's manifest)"
    size = p.stat().st_size
    if size != e.get("bytes"):
        return (f"{name} is damaged: {size} bytes, {e.get('bytes')} when the run was "
                f"stored (truncated or overwritten)")
    if sha256_file(p) != e.get("sha256"):
        return f"{name} is damaged: its SHA-256 differs from the one recorded when the " \
               f"run was stored"
    return None


def check_files(run_dir: Path, manifest: dict, names=None) -> list[tuple[str, str]]:
    """(file, problem) for each listed file (all of them by default) that is damaged."""
    out = []
    for name in (names if names is not None else sorted(manifest or {})):
        p = check_file(run_dir, manifest, name)
        if p:
            out.append((name, p))
    return out


# ----------------------------------------------------------------- COMPLETE marker

def complete_text(first_line: str, meta_path: Path) -> str:
    return f"{first_line}\nmeta.json sha256={sha256_file(meta_path)}\n"


def recorded_meta_sha(complete_path: Path) -> str | None:
    try:
        for line in Path(complete_path).read_text(errors="replace").splitlines():
            if line.startswith("meta.json sha256="):
                return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return None


# ----------------------------------------------------------------- shapes

def check_meta(meta) -> list[str]:
    if not isinstance(meta, dict):
        return ["meta.json does not hold a JSON object"]
    bad = [k for k, t in META_REQUIRED.items()
           if not isinstance(meta.get(k), t) or isinstance(meta.get(k), bool)]
    if bad:
        return [f"meta.json lacks or has an invalid {', '.join(bad)} (not the metadata of "
                f"a harness run, or damaged)"]
    return []


def check_columns(df: pd.DataFrame, required: list, name: str) -> list[str]:
    missing = [c for c in required if c not in df.columns]
    return [f"{name} lacks column(s) {', '.join(missing)}"] if missing else []


def check_values(samples: pd.DataFrame, name: str = "samples.csv.gz",
                 extra=()) -> list[str]:
    """`value` and `len` must be 64-bit signed integers (a counter the guest printed),
    and so must every event column (`extra`: the model's counts)."""
    out = []
    for col in ("value", "len", "sample", "outlier", *extra):
        if col not in samples.columns:
            continue
        s = samples[col]
        if col in extra:      # a model event may be empty (a case it cannot attribute)
            s = s[s.notna()]
            num = pd.to_numeric(s, errors="coerce")
            bad = s[num.isna() | (num.abs() >= 2 ** 63) | (num != num.round())]
            if len(bad):
                out.append(f"{name}: column {col} holds values that are not 64-bit "
                           f"integers (row {bad.index[0] + 2}: {bad.iloc[0]!r})")
            continue
        if str(s.dtype) != "int64":
            bad = s[pd.to_numeric(s, errors="coerce").isna() |
                    (pd.to_numeric(s, errors="coerce").abs() >= 2 ** 63)]
            example = f" (row {bad.index[0] + 2}: {bad.iloc[0]!r})" if len(bad) else ""
            out.append(f"{name}: column {col} holds values that are not 64-bit integers"
                       f"{example}")
    return out


def _name(k) -> str:
    cold = "/cold" if len(k) > 5 and k[5] == "cold" else ""
    return f"{k[0]} {k[1]}/{k[2]}/{k[3]}/len{k[4]}{cold}"


def check_consistency(samples: pd.DataFrame, stats: pd.DataFrame,
                      events=None) -> list[str]:
    """stats.csv must describe exactly the cases of samples.csv.gz, with their counts,
    for each event of the run (`events`; None: stats.csv's own)."""
    if not len(samples) and not len(stats):
        return []
    key = [c for c in CASE_COLS if c in samples.columns and c in stats.columns]
    try:
        n = samples.groupby(key, sort=False).size()
        have_events = list(dict.fromkeys(stats["event"])) if "event" in stats.columns \
            else [None]
    except (KeyError, TypeError, ValueError) as e:
        return [f"stats.csv and samples.csv.gz cannot be matched: {e}"]
    out = []
    if events is not None and "event" in stats.columns:
        missing = [e for e in events if e not in have_events]
        if missing and len(events) > 1:     # a model run: every event has its rows
            out.append(f"stats.csv lacks the event(s) {', '.join(missing)} of this run")
            return out
    for i, event in enumerate(have_events):
        # the value's event describes every case; a model event may lack the cases it
        # could not attribute (a workload's counts), never have others
        partial = i > 0
        part = stats if event is None else stats[stats["event"] == event]
        try:
            st = part.set_index(key)
            have = (st["count"] + st["outliers"])
        except (KeyError, TypeError, ValueError) as e:
            return [f"stats.csv and samples.csv.gz cannot be matched: {e}"]
        if not have.index.is_unique:
            out.append(f"stats.csv has a case twice{'' if event is None else f' for {event}'}")
            continue
        a, b = set(n.index), set(have.index)
        what = "" if event is None else f" ({event})"
        if a - b and not partial:
            k = sorted(a - b, key=str)[0]
            out.append(f"stats.csv lacks {len(a - b)} of the {len(a)} cases in "
                       f"samples.csv.gz{what} (e.g. {_name(k)}): truncated or damaged")
        if b - a:
            out.append(f"stats.csv has {len(b - a)} case(s) that samples.csv.gz lacks{what}")
        common = sorted(a & b, key=str)
        wrong = [k for k in common if int(n[k]) != int(have[k])]
        if wrong:
            k = wrong[0]
            out.append(f"stats.csv counts {int(have[k])} samples for {_name(k)}{what}, "
                       f"samples.csv.gz has {int(n[k])}")
        if out:
            break
    return out
