"""From judged boots to a run's derived files: tables, figures, summary.

One code path for `harness bench` (straight after the boots) and `harness reanalyse`
(later, from the raw logs kept in logs/), so a rebuilt run is exactly what the
original analysis would have written.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import expfigures, metrics, plots, report, stats, store, verdict


def tables(frames: list, order: list | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tidy samples of every successful variant (in `order`, the run's variant
    order, whichever boot finished first) and their statistics."""
    if order:
        rank = {v: i for i, v in enumerate(order)}
        frames = sorted(frames, key=lambda f: rank.get(f["variant"].iloc[0], len(rank))
                        if len(f) else len(rank))
    samples_df = (pd.concat(frames, ignore_index=True) if frames
                  else pd.DataFrame(columns=store.sample_cols()))
    st = store.stats_frame(samples_df) if len(samples_df) else \
        pd.DataFrame(columns=stats.GROUP_COLS + ["event"] + stats.STAT_COLS)
    return samples_df, st


def figure_views(meta: dict) -> list:
    """(event, cache, file prefix, title words) of each set of standard figures: the
    value's, hot; under the model modelled cycles hot (the usual names) and cold
    (cold-*)."""
    clock = meta.get("clock", "")
    if clock == "model":
        return [("cycles", "hot", "", "modelled cycles, hot"),
                ("cycles", "cold", "cold-", "modelled cycles, cold")]
    return [(metrics.value_event(clock), "hot", "", "")]


def view_meta(meta: dict, event: str) -> dict:
    """meta with `unit` the event's, for figures and tables of one event."""
    return dict(meta, unit=metrics.unit(meta.get("clock", ""), event, meta.get("unit", "")))


def standard_figures(st, meta, outdir: Path, variants=None, title=None,
                     formats=None, hot_only: bool = False) -> list:
    """The standard figures of every view (figure_views), and under the model the
    misses-per-level figure, into outdir (hot_only: the first view alone)."""
    files = []
    views = figure_views(meta)
    for event, cache, prefix, words in views[:1] if hot_only else views:
        view = metrics.stats_view(st, event, cache)
        if not len(view):
            continue
        t = f"{title}: {words}" if title and words else (title or (
            f"One-way IPC cost (call, client to server), {words}" if words else None))
        files += plots.make_figures(view, view_meta(meta, event), outdir, variants, t,
                                    formats, prefix=prefix)
    if meta.get("clock") == "model" and not hot_only:
        files += plots.misses_figure(st, meta, outdir, variants, formats=formats)
    return files


def experiment_figure(exp: dict, st, meta, outdir: Path, formats=None,
                      samples=None) -> list:
    """An experiment's own FIGURE: of the value, or under the model of modelled cycles,
    hot (the usual name) and cold (experiment-<name>-cold.*), and of instructions
    (experiment-<name>-instructions.*), each where the run has the figure's cases.
    `samples` (the run's tidy samples) gives a lines figure's p99 of the value."""
    clock = meta.get("clock", "")
    if clock != "model":
        return expfigures.draw(exp, metrics.stats_view(st, metrics.value_event(clock),
                                                       "hot"), meta, outdir, formats,
                               samples=samples)
    files = []
    for event, cache, suffix, words in (
            ("cycles", "hot", "", "modelled cycles, hot"),
            ("cycles", "cold", "-cold", "modelled cycles, cold"),
            ("instructions", "hot", "-instructions", "instructions")):
        view = metrics.stats_view(st, event, cache)
        if len(view):
            # a workload's counts and averages have instructions only (model.attribute)
            files += expfigures.draw(exp, view, view_meta(meta, event), outdir, formats,
                                     suffix=suffix, what=words, skip_empty=True)
    return files


def experiment_figures(st, meta, figdir: Path, repo=None, formats=None,
                       samples=None) -> list:
    """figures/<experiment>/ for every experiment of the IPC workload with at least two
    variants in st: the standard figures of its variants, and its own FIGURE."""
    from .config import experiments
    files = []
    have = set(st.variant)
    for exp in experiments(repo).values():
        vs = [v for v in exp.variants if v in have]
        if len(vs) >= 2 and exp.workload == "ipc":
            sub = st[st.variant.isin(vs)]
            sub_meta = dict(meta, variant_order=vs)
            # the run's top level has the cold figures of every variant
            files += standard_figures(sub, sub_meta, figdir / exp.name, vs, exp.title,
                                      formats, hot_only=True)
            files += experiment_figure(exp.as_meta(), sub, sub_meta, figdir / exp.name,
                                       formats, samples=samples)
    return files


def verdicts(st: pd.DataFrame, samples_df: pd.DataFrame, meta: dict, repo=None) -> dict:
    """The verdict of each lesson the run measured: a run of one experiment judges it
    by the rule stored in its meta.json (so `reanalyse` reaches the same verdict); a
    run of the whole matrix judges every IPC-workload experiment whose variants it was
    asked to run, by the rules of the experiment files. A variant that failed makes
    its lesson `not measured`, never `agrees`."""
    exp = meta.get("experiment")
    if exp:
        records = [exp] if exp.get("verdict") else []
    else:
        from .config import experiments
        asked = set(meta.get("variant_order") or st.variant)
        records = [e.as_meta() for e in experiments(repo).values()
                   if e.verdict and e.workload == "ipc" and set(e.variants) <= asked]
    out = {}
    clock = meta.get("clock", "")
    first = metrics.headline_event(clock)
    others = [e for e in ("instructions",) if clock == "model" and e != first]
    views = {}

    def samples_of(event, rule):
        """The samples only for a rule that reads them (p99), each view made once."""
        if "p99" not in rule:
            return None
        if event not in views:
            views[event] = metrics.sample_view(samples_df, clock, event)
        return views[event]
    for e in records:
        v = verdict.evaluate(e["verdict"], metrics.stats_view(st, first),
                             samples_of(first, e["verdict"]))
        rec = {"title": e.get("title", e["name"]), "claim": e.get("claim", ""),
               "verdict_text": e.get("verdict_text", ""), **v.as_dict()}
        if clock == "model":
            rec["event"] = first
            rec["other_events"] = {}
            for o in others:
                w = verdict.evaluate(e["verdict"], metrics.stats_view(st, o),
                                     samples_of(o, e["verdict"]))
                if rec["state"] == "not measured" and w.state != "not measured":
                    # the rule reads cases the model cannot attribute (a workload's
                    # counts): it is judged on the value, what it was written for
                    rec["other_events"][first] = {"state": rec["state"],
                                                  "values": rec["values"],
                                                  "reason": rec["reason"]}
                    rec.update(event=o, **w.as_dict())
                    continue
                rec["other_events"][o] = {"state": w.state, "values": w.values,
                                          "reason": w.reason}
        out[e["name"]] = rec
    return out


def write_derived(work: Path, meta: dict, frames: list, *, figures: bool = True,
                  repo=None, progress=print) -> pd.DataFrame:
    """samples.csv.gz, stats.csv and figures/ into `work`; records the figure files and
    table row counts in meta. Returns the stats frame. OSError propagates (the caller
    says which run keeps its logs). A run of one experiment (meta['experiment']) has
    its title on the figures, its own FIGURE (figures/experiment-<name>.*) and its
    verdict (meta['verdicts']); a run of the whole matrix also gets figures/<exp>/ and
    the verdict of every lesson whose variants it ran."""
    samples_df, st = tables(frames, meta.get("variant_order"))
    meta["_rows"] = store.write_tables(work, samples_df, st)
    meta["verdicts"] = verdicts(st, samples_df, meta, repo)
    fig_files, fig_err = [], None
    if figures and len(st):
        experiment = meta.get("experiment")
        title = experiment.get("title") if experiment else None
        try:
            if not experiment or experiment.get("workload", "ipc") == "ipc":
                fig_files = standard_figures(st, meta, work / "figures", title=title)
            if experiment:
                fig_files += experiment_figure(experiment, st, meta, work / "figures",
                                               samples=samples_df)
            else:
                fig_files += experiment_figures(st, meta, work / "figures", repo,
                                                samples=samples_df)
        except plots.PlotError as e:
            fig_err = str(e)
            progress(f"WARNING: figures failed: {e}")
    host_figs = sorted(f for f in (work / "figures").glob("host-*") if f.is_file()) \
        if (work / "figures").is_dir() else []
    meta["figures"] = [str(Path(f).relative_to(work)) for f in fig_files + host_figs]
    meta["figure_error"] = fig_err
    return st


def write_summary(work: Path, meta: dict, st: pd.DataFrame) -> None:
    (work / "summary.md").write_text(report.summary_markdown(meta, st))
