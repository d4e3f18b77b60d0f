"""From judged boots to a run's derived files: tables, figures, summary.

One code path for `harness bench` (straight after the boots) and `harness reanalyse`
(later, from the raw logs kept in logs/), so a rebuilt run is exactly what the
original analysis would have written.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import expfigures, plots, report, stats, store, verdict


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
        pd.DataFrame(columns=stats.GROUP_COLS + stats.STAT_COLS)
    return samples_df, st


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
            files += plots.make_figures(sub, sub_meta, figdir / exp.name, vs, exp.title,
                                        formats)
            files += expfigures.draw(exp.as_meta(), sub, sub_meta, figdir / exp.name,
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
    for e in records:
        v = verdict.evaluate(e["verdict"], st, samples_df)
        out[e["name"]] = {"title": e.get("title", e["name"]), "claim": e.get("claim", ""),
                          "verdict_text": e.get("verdict_text", ""), **v.as_dict()}
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
                fig_files = plots.make_figures(st, meta, work / "figures", title=title)
            if experiment:
                fig_files += expfigures.draw(experiment, st, meta, work / "figures",
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
