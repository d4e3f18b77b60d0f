"""Compare two stored runs: `harness compare RUN_A RUN_B` (A = old, B = new).

icount and model (deterministic): exact. For every case (variant, bench, space, metric,
len, cache) and every event both runs have (metrics.py: instructions; under the model
also modelled cycles and each level's misses) the raw samples of B are compared with
those of A. Identical -> `same`. Otherwise the
samples kept by the outlier policy are compared: their mean or median higher in B ->
`REGRESSION` (one more instruction counts); both lower or equal and one lower ->
`improvement`; kept samples equal, so only outlier samples differ -> `changed`
(reported, not a regression). Why: the kernel's timer interrupt costs a fixed number
of instructions and lands, deterministically, in whichever sample it lands; any change
to the image moves it into another case, which is not a change of the IPC path.

kvm and tcg (noisy): a two-sided Mann-Whitney U test on the samples kept by the outlier
policy. `REGRESSION` when p < alpha (default 0.01) AND the median rose by more than
the threshold (default 2%); `improvement` symmetrically; anything else `same`.

A case present in A but missing from B, or a variant that ran in A and failed in B, is
a regression too. A case only in B is reported as `new`; with `common` only the cases
both runs have are compared (a variant failed in B is then reported, not counted).

Refused unless forced (`--force`, then reported as a warning in the report): the same
run on both sides, another architecture, another clock mode, other samples or warmup.
Always reported: a dirty working tree on either side, an untrusted KVM run, a run
that is a copy of the other (the baseline promoted from it). The exit status of the
CLI is 1 when any regression was found.
"""
from __future__ import annotations

import fnmatch
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import metrics, report, stats
from .clock import counts_instructions
from .errors import UsageError
from .store import Run

KEY = ["variant", "bench", "space", "metric", "len", "cache", "event"]
GROUP = KEY[:-1]
DEFAULT_ALPHA = 0.01
DEFAULT_THRESHOLD = 0.02


class CompareError(UsageError):
    """Two runs that cannot be compared (the message says why and how to force it)."""


@dataclass
class Comparison:
    a: Run
    b: Run
    mode: str                       # exact | statistical
    rows: pd.DataFrame
    failed_variants: list = field(default_factory=list)
    alpha: float = DEFAULT_ALPHA
    threshold: float = DEFAULT_THRESHOLD
    warnings: list = field(default_factory=list)
    selection: dict = field(default_factory=dict)
    ignored_failures: list = field(default_factory=list)   # common mode

    @property
    def regressions(self) -> pd.DataFrame:
        return self.rows[self.rows.verdict.isin(["REGRESSION", "MISSING"])]

    @property
    def regressed(self) -> bool:
        return len(self.regressions) > 0 or bool(self.failed_variants)


def _groups(df: pd.DataFrame, event: str) -> dict:
    out = {}
    for key, g in df.groupby(GROUP, sort=False):
        out[(key[0], key[1], key[2], key[3], int(key[4]), key[5], event)] = g
    return out


def case_names(df: pd.DataFrame) -> pd.Series:
    """bench/space/metric/len<N>, and /cold for a cold case: what --cases globs match."""
    names = (df.bench.astype(str) + "/" + df.space.astype(str) + "/" +
             df.metric.astype(str) + "/len" + df["len"].astype(int).astype(str))
    if "cache" in df.columns:
        names = names + df["cache"].map(lambda c: "/cold" if c == "cold" else "")
    return names


def _same_source(a: Run, b: Run) -> bool:
    return Path(a.path).resolve() == Path(b.path).resolve() or a.run_id == b.run_id


def check_comparable(a: Run, b: Run) -> tuple[list[str], list[str]]:
    """(refusals, warnings): what makes the comparison meaningless unless forced, and
    what the reader must know. Each names the runs and the values."""
    refuse, warn = [], []
    ma, mb = a.meta, b.meta
    if _same_source(a, b):
        same = a.path if Path(a.path).resolve() == Path(b.path).resolve() else None
        refuse.append(f"A and B are the same run ({same or a.run_id}"
                      f"{'' if same else '; one is a copy of the other'}): the comparison "
                      f"can only say 'same'")
    for key, what in (("arch", "architecture"), ("clock", "clock mode")):
        if ma.get(key) != mb.get(key):
            refuse.append(f"different {what}: A ({a.run_id}) {key}={ma.get(key)}, "
                          f"B ({b.run_id}) {key}={mb.get(key)}" +
                          (": different units" if key == "clock" else ""))
    for key in ("samples", "warmup"):
        if ma.get(key) != mb.get(key):
            refuse.append(f"different {key}: A {ma.get(key)}, B {mb.get(key)}: the "
                          f"samples are not drawn alike, so cases differ without any "
                          f"change to the kernel")
    for side, r in (("A", a), ("B", b)):
        g = r.meta.get("git") or {}
        if g.get("dirty"):
            files = ", ".join(g.get("dirty_files", [])[:5])
            warn.append(f"{side} ({r.run_id}) was measured from a DIRTY working tree "
                        f"(uncommitted: {files or 'files'}): its commit "
                        f"{g.get('short', '?')} does not name what was measured")
        if r.meta.get("trusted") is False:
            warn.append(f"{side} ({r.run_id}) is an UNTRUSTED kvm run (nested or "
                        f"paravirtual KVM: not real cycles)")
    src_b = (mb.get("copied_from") or {}).get("run", "")
    src_a = (ma.get("copied_from") or {}).get("run", "")
    if (src_b and Path(src_b).name == a.run_id) or (src_a and Path(src_a).name == b.run_id):
        warn.append("one run is a copy of the other (e.g. the baseline promoted from it)")
    return refuse, warn


def select(df: pd.DataFrame, variants=None, cases=None) -> pd.DataFrame:
    """Rows of the given variants and of cases matching any glob (e.g. 'ipc/cross/*',
    '*/call/len0', '*/cold'; matched against bench/space/metric/len<N>[/cold])."""
    if variants:
        df = df[df.variant.isin(variants)]
    if cases:
        keep = case_names(df).map(lambda n: any(fnmatch.fnmatchcase(n, c) for c in cases))
        df = df[keep.astype(bool)]
    return df


def common_events(a: Run, b: Run, events=None) -> list[str]:
    """The events both runs measure (the value's alone when their clocks differ), or
    the ones asked for (refused by name when a run lacks one)."""
    ea, eb = metrics.events(a.clock), metrics.events(b.clock)
    if a.clock != b.clock:
        ea = eb = [metrics.value_event(a.clock)]
    have = [e for e in ea if e in eb]
    if not events:
        return have
    bad = [e for e in events if e not in have]
    if bad:
        raise CompareError(f"event(s) {', '.join(bad)} not in both runs; they have: "
                           f"{', '.join(have)}")
    return list(events)


def compare_runs(a: Run, b: Run, alpha: float = DEFAULT_ALPHA,
                 threshold: float = DEFAULT_THRESHOLD, *, force: bool = False,
                 variants=None, cases=None, common: bool = False,
                 events=None) -> Comparison:
    refuse, warnings = check_comparable(a, b)
    if refuse and not force:
        raise CompareError("refusing to compare " + f"{a.run_id} with {b.run_id}:\n  " +
                           "\n  ".join(refuse) + "\npass --force to compare anyway (the "
                           "report then carries these as warnings)")
    warnings = [f"FORCED: {r}" for r in refuse] + warnings
    known = set(a.samples.variant) | set(b.samples.variant) | \
        set(a.meta.get("variants", {})) | set(b.meta.get("variants", {}))
    bad = [v for v in (variants or []) if v not in known]
    if bad:
        raise CompareError(f"unknown variant(s) for these runs: {', '.join(bad)}; the runs "
                           f"have: {', '.join(sorted(known))}")
    sa = select(metrics.normalize_samples(a.samples), variants, cases)
    sb = select(metrics.normalize_samples(b.samples), variants, cases)
    if cases and not len(sa) and not len(sb):
        raise CompareError(f"no case matches {', '.join(cases)}; case names look like "
                           f"ipc/cross/call/len4 or, cold, ipc/cross/call/len4/cold "
                           f"(globs such as 'ipc/*/call/*' work)")
    exact = counts_instructions(a.clock) and counts_instructions(b.clock)
    ga, gb = {}, {}
    evs = common_events(a, b, events)
    for e in evs:
        # runs of two clocks (forced) compare their values, whatever each one counts
        ea = e if a.clock == b.clock else metrics.value_event(a.clock)
        eb = e if a.clock == b.clock else metrics.value_event(b.clock)
        ga.update(_groups(metrics.sample_view(sa, a.clock, ea), e))
        gb.update(_groups(metrics.sample_view(sb, b.clock, eb), e))
    order = list(ga) + [k for k in gb if k not in ga]
    if common:
        order = [k for k in order if k in ga and k in gb]
    rows = []
    for key in order:
        row = dict(zip(KEY, key))
        xa, xb = ga.get(key), gb.get(key)
        if xb is None:
            va = xa["value"].to_numpy()
            row.update(old_mean=va.mean(), old_median=float(np.median(va)),
                       new_mean=math.nan, new_median=math.nan, delta=math.nan,
                       delta_pct=math.nan, p=math.nan, outliers="", verdict="MISSING")
            rows.append(row)
            continue
        if xa is None:
            vb = xb["value"].to_numpy()
            row.update(old_mean=math.nan, old_median=math.nan, new_mean=vb.mean(),
                       new_median=float(np.median(vb)), delta=math.nan,
                       delta_pct=math.nan, p=math.nan, outliers="", verdict="new")
            rows.append(row)
            continue
        ka = xa.loc[xa["outlier"] == 0, "value"].to_numpy()
        kb = xb.loc[xb["outlier"] == 0, "value"].to_numpy()
        ka = ka if len(ka) else xa["value"].to_numpy()
        kb = kb if len(kb) else xb["value"].to_numpy()
        ma, mb = float(ka.mean()), float(kb.mean())
        da, db = float(np.median(ka)), float(np.median(kb))
        outl = f"{int(xa['outlier'].sum())}->{int(xb['outlier'].sum())}"
        if exact:
            p = math.nan
            delta = mb - ma
            if np.array_equal(np.sort(xa["value"].to_numpy()), np.sort(xb["value"].to_numpy())):
                verdict = "same"
            elif mb > ma or db > da:
                verdict = "REGRESSION"
            elif mb < ma or db < da:
                verdict = "improvement"
            else:
                verdict = "changed"
        else:
            p = stats.mann_whitney(ka, kb)[1]
            delta = db - da
            rel = delta / abs(da) if da else (math.inf if delta else 0.0)
            if p < alpha and rel > threshold:
                verdict = "REGRESSION"
            elif p < alpha and rel < -threshold:
                verdict = "improvement"
            else:
                verdict = "same"
        base = ma if exact else da
        row.update(old_mean=ma, old_median=da, new_mean=mb, new_median=db, delta=delta,
                   delta_pct=(100.0 * delta / base) if base else math.nan, p=p,
                   outliers=outl, verdict=verdict)
        rows.append(row)
    df = pd.DataFrame(rows, columns=KEY + ["old_mean", "old_median", "new_mean",
                                           "new_median", "delta", "delta_pct", "p",
                                           "outliers", "verdict"])
    df.insert(len(KEY), "unit", [metrics.unit(b.clock, e, b.meta.get("unit", ""))
                                 for e in df["event"]])
    va = a.meta.get("variants", {})
    vb = b.meta.get("variants", {})
    failed = [v for v, i in vb.items() if i.get("status") != "ok" and
              va.get(v, {}).get("status") == "ok" and (not variants or v in variants)]
    ignored = []
    if common:
        ignored, failed = failed, []
    return Comparison(a, b, "exact" if exact else "statistical", df, failed, alpha,
                      threshold, warnings, {"variants": list(variants or []),
                                            "cases": list(cases or []), "common": common,
                                            "events": list(events or [])},
                      ignored)


def markdown(c: Comparison, all_rows: bool = False) -> str:
    unit = c.b.meta.get("unit", "")
    ga, gb = c.a.meta.get("git", {}), c.b.meta.get("git", {})
    head = [f"# ipclab comparison: {c.a.run_id} -> {c.b.run_id}", "",
            f"- old (A): `{c.a.path}` commit `{ga.get('commit')}`"
            f"{' (dirty)' if ga.get('dirty') else ''}",
            f"- new (B): `{c.b.path}` commit `{gb.get('commit')}`"
            f"{' (dirty)' if gb.get('dirty') else ''}",
            f"- clock **{c.b.clock}**, unit **{unit}**"]
    if c.rows["event"].nunique() > 1:
        head.append(f"- events: {', '.join(dict.fromkeys(c.rows['event']))} (each in its "
                    f"own unit, the `unit` column)")
    if c.mode == "exact":
        head.append("- rule: exact (icount and the model are deterministic): any change "
                    "in the raw samples is reported; a higher mean or median of the samples "
                    "kept by "
                    "the outlier policy is a REGRESSION; a change confined to outlier "
                    "samples (e.g. where the timer interrupt landed) is `changed`")
    else:
        head.append(f"- rule: Mann-Whitney U (two-sided) on outlier-filtered samples; "
                    f"REGRESSION when p < {c.alpha} and the median rose by more than "
                    f"{100 * c.threshold:g}%")
    sel = c.selection or {}
    if sel.get("variants") or sel.get("cases") or sel.get("common") or sel.get("events"):
        head.append("- selection: " + "; ".join(
            ([f"variants {', '.join(sel['variants'])}"] if sel.get("variants") else []) +
            ([f"cases {', '.join(sel['cases'])}"] if sel.get("cases") else []) +
            ([f"events {', '.join(sel['events'])}"] if sel.get("events") else []) +
            (["only the cases both runs have"] if sel.get("common") else [])))
    for w in c.warnings:
        head.append(f"- **WARNING: {w}**")
    if c.ignored_failures:
        head.append(f"- variants that failed in B (not counted: common cases only): "
                    f"{', '.join(c.ignored_failures)}")
    counts = c.rows.verdict.value_counts().to_dict()
    head.append("- cases: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if c.failed_variants:
        head.append(f"- **variants that ran in A but FAILED in B: "
                    f"{', '.join(c.failed_variants)}**")
    head.append(f"- verdict: **{'REGRESSION' if c.regressed else 'no regression'}**")
    units = list(dict.fromkeys(c.rows["unit"])) if len(c.rows) else [unit]
    unit = unit if len(units) <= 1 else "each event's unit"
    return "\n".join(head) + f"\n\n## Changed cases [{unit}]\n\n" + \
        changed_table(c, all_rows) + "\n"


def changed_table(c: Comparison, all_rows: bool = False) -> str:
    """The cases that are not `same` (all with all_rows), worst first."""
    shown = c.rows if all_rows else c.rows[c.rows.verdict != "same"]
    shown = shown.assign(_o=shown.verdict.map(
        {"MISSING": 0, "REGRESSION": 1, "changed": 2, "improvement": 3, "new": 4, "same": 5}))
    shown = shown.sort_values("_o", kind="stable")
    events = c.rows["event"].nunique() > 1
    if len(shown):
        cols = ["variant", "case"] + (["event"] if events else []) + \
            ["old mean", "new mean", "delta", "delta %", "old median", "new median",
             "outliers"] + ([] if c.mode == "exact" else ["p"]) + ["verdict"]
        body = []
        for r in shown.itertuples():
            cold = "/cold" if r.cache == "cold" else ""
            line = [r.variant, f"{r.bench}/{r.space}/{r.metric}/len{int(r.len)}{cold}"] + \
                ([r.event] if events else []) + [
                    report.fmt(r.old_mean, 2), report.fmt(r.new_mean, 2),
                    "-" if pd.isna(r.delta) else f"{r.delta:+.6g}",
                    "-" if pd.isna(r.delta_pct) else f"{r.delta_pct:+.2f}%",
                    report.fmt(r.old_median), report.fmt(r.new_median), r.outliers]
            if c.mode != "exact":
                line.append("-" if pd.isna(r.p) else f"{r.p:.2g}")
            line.append(r.verdict)
            body.append(line)
        table = report.md_table(cols, body)
    else:
        table = "Every case is identical." if c.mode == "exact" else \
            "No case changed significantly."
    return table


def verdict(c: Comparison) -> str:
    n = c.rows.verdict.value_counts().to_dict()
    parts = [f"{n.get(k, 0)} {k}" for k in ("REGRESSION", "MISSING", "changed",
                                            "improvement", "new", "same") if n.get(k)]
    word = "REGRESSION" if c.regressed else "no regression"
    extra = f"; failed in B: {', '.join(c.failed_variants)}" if c.failed_variants else ""
    return f"{word} ({len(c.rows)} cases: {', '.join(parts) or 'none'}{extra})"


def to_json(c: Comparison) -> dict:
    def side(r: Run) -> dict:
        g = r.meta.get("git") or {}
        return {"run_id": r.run_id, "path": str(r.path), "commit": g.get("commit"),
                "dirty": bool(g.get("dirty")), "clock": r.clock, "arch": r.meta.get("arch"),
                "samples": r.meta.get("samples"), "warmup": r.meta.get("warmup")}
    rows = json.loads(c.rows.to_json(orient="records"))
    return {"a": side(c.a), "b": side(c.b), "unit": c.b.meta.get("unit"), "mode": c.mode,
            "regressed": c.regressed, "verdict": verdict(c), "warnings": c.warnings,
            "failed_variants": c.failed_variants, "selection": c.selection,
            "alpha": c.alpha, "threshold": c.threshold, "rows": rows}


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def write_report(c: Comparison, path: Path, all_rows: bool = False) -> list[Path]:
    """The Markdown report at `path`, and beside it the same comparison as CSV (one
    row per case, with the unit and both run ids) and JSON (header and rows)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic(path, markdown(c, all_rows))
    csv = path.with_suffix(".csv")
    df = c.rows.assign(run_a=c.a.run_id, run_b=c.b.run_id)
    tmp = csv.with_suffix(".csv.tmp")
    df.to_csv(tmp, index=False, float_format="%.6g")
    tmp.replace(csv)
    js = path.with_suffix(".json")
    _atomic(js, json.dumps(to_json(c), indent=2, default=str) + "\n")
    return [path, csv, js]
