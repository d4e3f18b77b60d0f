"""From judged boots to a run's derived files: tables, figures, summary.

One code path for `harness bench` (straight after the boots) and `harness reanalyse`
(later, from the raw logs kept in logs/), so a rebuilt run is exactly what the
original analysis would have written.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import plots, report, stats, store


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


def experiment_figures(st, meta, figdir: Path, repo=None, formats=None) -> list:
    """figures/<experiment>/ for every experiment with at least two variants in st."""
    from .config import experiments
    files = []
    have = set(st.variant)
    for exp in experiments(repo).values():
        vs = [v for v in exp.variants if v in have]
        if len(vs) >= 2:
            sub = st[st.variant.isin(vs)]
            files += plots.make_figures(sub, dict(meta, variant_order=vs),
                                        figdir / exp.name, vs, exp.title, formats)
    return files


def write_derived(work: Path, meta: dict, frames: list, *, figures: bool = True,
                  repo=None, progress=print) -> pd.DataFrame:
    """samples.csv.gz, stats.csv and figures/ into `work`; records the figure files and
    table row counts in meta. Returns the stats frame. OSError propagates (the caller
    says which run keeps its logs). A run of one experiment (meta['experiment']) has
    its title on the figures; a run of the whole matrix also gets figures/<exp>/."""
    samples_df, st = tables(frames, meta.get("variant_order"))
    meta["_rows"] = store.write_tables(work, samples_df, st)
    fig_files, fig_err = [], None
    if figures and len(st):
        experiment = meta.get("experiment")
        title = experiment.get("title") if experiment else None
        try:
            fig_files = plots.make_figures(st, meta, work / "figures", title=title)
            if not experiment:
                fig_files += experiment_figures(st, meta, work / "figures", repo)
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
