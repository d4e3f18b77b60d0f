"""Markdown tables made from a stats frame (stats.csv) and a run's metadata.

The tables of one quantity (headline, length, series) take a view: the statistics of
one event and one cache state (metrics.stats_view), shaped like an icount run's. A
model run's summary has them for modelled cycles hot and cold, for instructions, and
a table of every event of the one-way call at length 0 (model_table).
"""
from __future__ import annotations

import math

import pandas as pd

from . import metrics, model
from .config import axis_keys

HEADLINE = [  # (column title, bench, space, metric)
    ("null syscall", "null_syscall", "self", "round"),
    ("same call", "ipc", "same", "call"),
    ("same reply", "ipc", "same", "reply"),
    ("same round", "ipc", "same", "round"),
    ("cross call", "ipc", "cross", "call"),
    ("cross reply", "ipc", "cross", "reply"),
    ("cross round", "ipc", "cross", "round"),
]


def fmt(x, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if not math.isfinite(float(x)):
        return str(x)
    if float(x) == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.{digits}f}"


def _numeric(cell) -> bool:
    t = str(cell).strip().lstrip("+-").rstrip("%")
    if t in ("-", "skip", ""):
        return True
    try:
        float(t)
        return True
    except ValueError:
        return False


def md_table(header: list, rows: list) -> str:
    """Numbers right-aligned, text left-aligned."""
    align = ["---:" if rows and all(_numeric(r[i]) for r in rows) else "---"
             for i in range(len(header))]
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _lookup(st: pd.DataFrame):
    return {(r.variant, r.bench, r.space, r.metric, int(r.len)): r for r in st.itertuples()}


def differing_axes(st: pd.DataFrame, variants: list) -> list[str]:
    """The axis columns (kernel/axes.conf) whose value differs among these variants:
    what a table or figure must show to tell them apart; the rest is shared."""
    d = st[st.variant.isin(variants)]
    return [a for a in axis_keys() if a in d.columns and d[a].nunique() > 1]


def axes_words(st: pd.DataFrame, variants: list) -> str:
    """'differ in transfer (regs -> vregs), sched (lazy -> benno)' for two variants."""
    shown = differing_axes(st, variants)
    if not shown:
        return "the same configuration on every axis"
    parts = []
    for a in shown:
        vals = [str(st[st.variant == v][a].iloc[0]) if (st.variant == v).any() else "?"
                for v in variants]
        parts.append(f"{a} ({' -> '.join(vals)})")
    return "differ in " + ", ".join(parts)


def variant_label(st: pd.DataFrame, variant: str, shown: list[str]) -> str:
    """'sel4-like (transfer=vregs)': the name and the values of the shown axes."""
    d = st[st.variant == variant]
    if not len(d) or not shown:
        return variant
    return f"{variant} ({' '.join(f'{a}={d[a].iloc[0]}' for a in shown)})"


def headline_table(st: pd.DataFrame, variants: list, length: int = 0) -> str:
    """Median per variant for the headline cases at one message length; the axis
    columns are those whose values differ among the variants."""
    idx = _lookup(st)
    shown = differing_axes(st, variants)
    header = ["variant"] + shown + [h[0] for h in HEADLINE]
    rows = []
    for v in variants:
        any_row = next((r for k, r in idx.items() if k[0] == v), None)
        if any_row is None:
            continue
        row = [v] + [getattr(any_row, a) for a in shown]
        for _, bench, space, metric in HEADLINE:
            r = idx.get((v, bench, space, metric, 0 if bench != "ipc" else length))
            row.append(fmt(r.median) if r is not None else "-")
        rows.append(row)
    return md_table(header, rows)


def length_table(st: pd.DataFrame, variants: list, space: str, metric: str = "call") -> str:
    idx = _lookup(st)
    lens = sorted({int(l) for l in st[st.bench == "ipc"]["len"]})
    shown = differing_axes(st, variants)
    header = ["variant"] + shown + [f"len {l}" for l in lens]
    rows = []
    for v in variants:
        rs = [idx.get((v, "ipc", space, metric, l)) for l in lens]
        if all(r is None for r in rs):
            continue
        first = next(r for r in rs if r is not None)
        rows.append([v] + [getattr(first, a) for a in shown] +
                    [fmt(r.median) if r is not None else "skip" for r in rs])
    return md_table(header, rows)


def full_table(st: pd.DataFrame) -> str:
    """Every case (and, with more than one event, every event with its unit)."""
    events = "event" in st.columns and st["event"].nunique() > 1
    header = ["variant", "case"] + (["event", "unit"] if events else []) + \
        ["n", "outliers", "min", "median", "median 95% CI", "mean", "stddev", "mean 95% CI"]
    rows = []
    for r in st.itertuples():
        ci = "-" if pd.isna(r.ci95) else f"[{r.ci95_lo:.1f}, {r.ci95_hi:.1f}]"
        # runs stored before the bootstrap interval existed have no such columns
        mlo, mhi = getattr(r, "median_ci95_lo", math.nan), getattr(r, "median_ci95_hi",
                                                                     math.nan)
        mci = "-" if pd.isna(mlo) or pd.isna(mhi) else f"[{fmt(mlo)}, {fmt(mhi)}]"
        cold = "/cold" if getattr(r, "cache", "hot") == "cold" else ""
        rows.append([r.variant, f"{r.bench}/{r.space}/{r.metric}/len{int(r.len)}{cold}"] +
                    ([r.event, r.unit] if events else []) +
                    [int(r.count), int(r.outliers), fmt(r.min), fmt(r.median), mci,
                     fmt(r.mean, 2), fmt(r.stddev, 2), ci])
    return md_table(header, rows)


MODEL_COLUMNS = [("instructions", "instr"), ("cycles", "cycles"), ("l1i_misses", "L1I"),
                 ("l1d_misses", "L1D"), ("l2_misses", "L2"), ("l3_misses", "L3 (LLC)"),
                 ("itlb_misses", "ITLB"), ("dtlb_misses", "DTLB"),
                 ("serializing", "serialising")]


def model_table(st: pd.DataFrame, variants: list, bench: str = "ipc", space: str = "cross",
                metric: str = "call", length: int = 0) -> str:
    """A model run's every event for one case, a row per variant and cache state
    (medians): instructions, modelled cycles, misses per level, serialising
    instructions."""
    rows = []
    for v in variants:
        for cache in metrics.CACHES:
            d = st[(st.variant == v) & (st.bench == bench) & (st.space == space) &
                   (st.metric == metric) & (st["len"] == length) & (st["cache"] == cache)]
            if not len(d):
                continue
            med = dict(zip(d["event"], d["median"]))
            rows.append([v, cache] + [fmt(med.get(e)) for e, _ in MODEL_COLUMNS])
    return md_table(["variant", "cache"] + [h for _, h in MODEL_COLUMNS], rows)


def model_params_words(meta: dict) -> str:
    """The model's constants, as the plugin reported them (meta['model']['params'])."""
    p = (meta.get("model") or {}).get("params") or {}
    if not p:
        return ""

    def kib(x):
        x = int(x)
        return f"{x >> 20} MiB" if x >= 1 << 20 and not x % (1 << 20) else f"{x >> 10} KiB"
    try:
        return (f"L1I {kib(p['l1i_size'])} {p['l1i_ways']}-way, L1D {kib(p['l1d_size'])} "
                f"{p['l1d_ways']}-way, L2 {kib(p['l2_size'])} {p['l2_ways']}-way, L3 "
                f"{kib(p['l3_size'])} {p['l3_ways']}-way, {p['l1d_line']}-byte lines; "
                f"ITLB {p['itlb_entries']} + {p['itlb2m_entries']} (2 MiB), DTLB "
                f"{p['dtlb_entries']} + {p['dtlb2m_entries']} (2 MiB); cycles = "
                f"instructions + L1 misses x {p['l1d_miss_latency']} + L2 misses x "
                f"{p['l2_miss_latency']} + L3 misses x {p['l3_miss_latency']} + TLB misses "
                f"x {p['dtlb_miss_latency']} + serialising x {p['serialize_cost']}"
                + ("" if p.get('l1i_miss_latency') == p.get('l1d_miss_latency') and
                   p.get('itlb_miss_latency') == p.get('dtlb_miss_latency') else
                   f" (L1I {p['l1i_miss_latency']}, ITLB {p['itlb_miss_latency']})"))
    except KeyError:
        return ", ".join(f"{k}={v}" for k, v in p.items())


def run_header(meta: dict) -> str:
    clock = meta.get("clock")
    lines = [f"# ipclab run {meta.get('run_id')}", "",
             f"- commit `{meta.get('git', {}).get('commit')}`"
             f"{' (DIRTY working tree)' if meta.get('git', {}).get('dirty') else ''}",
             f"- arch {meta.get('arch')}, clock **{clock}**, unit: **{meta.get('unit')}**",
             f"- samples {meta.get('samples')}, warmup {meta.get('warmup')}",
             *([f"- model (bench/model/README.md): {model_params_words(meta)}; hot = "
                f"caches as the benchmark loop left them, cold = every cache and TLB "
                f"flushed before each sample"] if clock == "model" else []),
             f"- started {meta.get('started_utc')}, host {meta.get('host', {}).get('cpu_model')}"]
    if meta.get("experiment"):
        e = meta["experiment"]
        lines.append(f"- experiment **{e['name']}**: {e['title']} (axis {e['axis']})")
        if e.get("workload", "ipc") != "ipc":
            args = " ".join(f"{k}={v}" for k, v in (e.get("args") or {}).items())
            lines.append(f"- workload **{e['workload']}** (bench/guest/workloads/"
                         f"{e['workload']}.c){', args ' + args if args else ''}")
    for w in meta.get("warnings", []):
        lines.append(f"- **WARNING: {w}**")
    return "\n".join(lines)


def verdicts_section(meta: dict) -> str:
    """One paragraph per lesson the run judged: the paper's claim, the rule in words,
    the values it read, and agrees / disagrees / not measured (under the model, by
    modelled cycles, and again by each other event the rule was read on)."""
    out = []
    clock = meta.get("clock", "")
    for name, v in (meta.get("verdicts") or {}).items():
        state = v.get("state", "?")
        event = v.get("event")
        by = f" by {metrics.unit(clock, event, meta.get('unit', ''))}" if event and \
            clock == "model" else ""
        out.append(f"### {v.get('title') or name} (`{name}`): **{state}**{by}")
        out.append("")
        if v.get("claim"):
            out.append(f"- paper: {v['claim']}")
        out.append(f"- rule: {v.get('verdict_text') or ''} (`{v.get('rule')}`)")
        if v.get("values"):
            unit = metrics.unit(clock, event, meta.get("unit", "")) if event else \
                meta.get("unit", "")
            own = ((meta.get("experiment") or {}).get("units") or {})
            own_words = "".join(f"; {m} in {u}" for m, u in own.items())
            out.append("- measured: " + "; ".join(f"{k} = {fmt(x, 2)}"
                                                  for k, x in v["values"].items()) +
                       f" [{unit}, clock {clock}{own_words}]")
        if v.get("reason"):
            out.append(f"- why {state}: {v['reason']}")
        for other, w in (v.get("other_events") or {}).items():
            vals = "; ".join(f"{k} = {fmt(x, 2)}" for k, x in (w.get("values") or {}).items())
            out.append(f"- by {metrics.unit(clock, other, '')}: **{w.get('state')}**"
                       + (f" ({vals})" if vals else ""))
        out.append("")
    return "\n".join(out).rstrip()


def series_tables(st: pd.DataFrame, variants: list, unit: str, xlabel: str = "",
                  units: dict | None = None) -> list:
    """A workload's cases: one table per bench/space/metric, a row per variant, a
    column per len (the workload's parameter), medians; for a count of events (metric
    count or count_*), the mean count per sample; a metric the experiment gives a unit
    of its own (UNITS: bytes, threads) is labelled with it, not the clock's."""
    from .logparse import is_count_metric
    parts = []
    idx = _lookup(st)
    for (bench, space, metric), d in st.groupby(["bench", "space", "metric"], sort=False):
        lens = sorted({int(x) for x in d["len"]})
        count = is_count_metric(metric)
        rows = []
        for v in variants:
            rs = [idx.get((v, bench, space, metric, l)) for l in lens]
            if any(r is not None for r in rs):
                rows.append([v] + [fmt(r.mean if count else r.median) if r is not None
                                   else "-" for r in rs])
        what = xlabel or "len"
        u = (units or {}).get(metric, unit)
        stat = "mean [events per sample]" if count else f"median [{u}]"
        parts += ["", f"### {bench}/{space}/{metric}: {stat} by {what}", "",
                  md_table(["variant"] + [str(l) for l in lens], rows)]
    return parts


def failures_section(meta: dict) -> str:
    bad = {v: i for v, i in meta.get("variants", {}).items() if i.get("status") != "ok"}
    if not bad:
        return "All variants ran and passed their checks."
    rows = [[v, i.get("status"), "; ".join(i.get("problems", [])[:3]).replace("|", "/"),
             i.get("log", "")] for v, i in bad.items()]
    return "**FAILED variants (no results recorded for them):**\n\n" + \
        md_table(["variant", "status", "problem", "log"], rows)


def summary_markdown(meta: dict, st: pd.DataFrame, full: bool = True) -> str:
    variants = [v for v in meta.get("variant_order", []) if v in set(st.variant)] \
        if len(st) else []
    clock = meta.get("clock", "")
    if clock == "model" and len(st):
        return _model_summary(meta, st, variants, full)
    st_all = st
    st = metrics.stats_view(st, metrics.value_event(clock), "hot") if len(st) else st
    unit = meta.get("unit", "")
    parts = [run_header(meta), "", "## Failures", "", failures_section(meta)]
    if meta.get("verdicts"):
        parts += ["", "## Verdicts against the paper", "", verdicts_section(meta)]
    exp = meta.get("experiment") or {}
    if variants and exp.get("workload", "ipc") != "ipc":
        parts += ["", f"## Workload {exp['workload']}"] + \
            series_tables(st, variants, unit, exp.get("xlabel", ""), exp.get("units"))
    elif variants:
        parts += ["", f"## Headline: median per sample, message length 0 [{unit}]", "",
                  "Statistics after the outlier policy of harness/README.md; one-way = "
                  "call (client to server) and reply (server to client), round = a whole "
                  "call measured by the client.", "",
                  headline_table(st, variants)]
        for space in ("same", "cross"):
            parts += ["", f"## One-way call cost against message length, {space} address "
                      f"space: median [{unit}]", "", length_table(st, variants, space)]
    from .linuxrun import summary_section      # Linux beside ipclab, when measured
    linux = summary_section(st, meta)
    if linux:
        parts += ["", linux.rstrip("\n")]
    if variants and full:
        parts += ["", f"## Every case [{unit}]", "", full_table(st_all)]
    return "\n".join(parts) + "\n"


def _model_summary(meta: dict, st: pd.DataFrame, variants: list, full: bool) -> str:
    """A clock=model run: modelled cycles hot and cold first, every event of the
    one-way cross call, instructions, then cycles against length."""
    cyc = metrics.stats_view(st, "cycles")
    ins = metrics.stats_view(st, "instructions", "hot")
    cu, iu = model.EVENT_UNITS["cycles"], model.EVENT_UNITS["instructions"]
    parts = [run_header(meta), "", "## Failures", "", failures_section(meta)]
    loose = {v: len((i.get("model") or {}).get("unattributed") or [])
             for v, i in (meta.get("variants") or {}).items()}
    if any(loose.values()):
        parts += ["", f"Cases the model cannot attribute (a workload's counts and "
                  f"averages over many windows, printed without STAMP lines) have "
                  f"instructions only: {max(loose.values())} per variant at most; the "
                  f"list is in meta.json (variants.<v>.model.unattributed)."]
    if meta.get("verdicts"):
        parts += ["", "## Verdicts against the paper", "", verdicts_section(meta)]
    exp = meta.get("experiment") or {}
    if variants and exp.get("workload", "ipc") != "ipc":
        for cache in metrics.CACHES:
            view = metrics.stats_view(cyc, "cycles", cache)
            if len(view):
                parts += ["", f"## Workload {exp['workload']}, {cache} [{cu}]"] + \
                    series_tables(view, variants, cu, exp.get("xlabel", ""))
        parts += ["", f"## Workload {exp['workload']} [{iu}]"] + \
            series_tables(ins, variants, iu, exp.get("xlabel", ""), exp.get("units"))
    elif variants:
        parts += ["", f"## Headline: modelled cycles, hot, median per sample, message "
                  f"length 0 [{cu}]", "",
                  "One-way = call (client to server) and reply (server to client), round "
                  "= a whole call measured by the client. Hot: the caches and TLBs as the "
                  "benchmark loop left them.", "",
                  headline_table(metrics.stats_view(cyc, "cycles", "hot"), variants),
                  "", f"## Headline: modelled cycles, cold, median per sample, message "
                  f"length 0 [{cu}]", "",
                  "Cold: every cache and TLB flushed just before each sample (no cold "
                  "round: its window would hold the server's flush).", "",
                  headline_table(metrics.stats_view(cyc, "cycles", "cold"), variants),
                  "", "## The model, one-way cross-address-space call, length 0: median "
                  "per sample", "",
                  "instructions, modelled cycles, misses per level (L3 = the last-level "
                  "cache: each of its misses goes to memory), serialising instructions.",
                  "", model_table(st, variants),
                  "", f"## Headline: instructions, median per sample, message length 0 "
                  f"[{iu}]", "", headline_table(ins, variants)]
        for cache in metrics.CACHES:
            for space in ("same", "cross"):
                parts += ["", f"## One-way call cost against message length, {space} "
                          f"address space, {cache}: median [{cu}]", "",
                          length_table(metrics.stats_view(cyc, "cycles", cache), variants,
                                       space)]
    if full and variants:
        parts += ["", "## Every case and event", "", full_table(st)]
    return "\n".join(parts) + "\n"
