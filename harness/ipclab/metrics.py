"""What a run's numbers are: its events, their units, hot and cold, and views.

Every sample has a `value`: the ticks of the guest's counter, what the guest printed
(guest instructions under icount and model, TSC cycles under kvm, emulated ticks under
tcg). A run under clock=model also gives each sample the cache/TLB model's counts in
the same window (model.py): modelled cycles and misses per level. Each such quantity
is an *event*; samples.csv.gz keeps one row per sample with a column per event (the
value's event is `value` itself), stats.csv one row per case and event, with the
event's unit.

Every case is `hot` (the benchmark loop's state: whatever the previous iterations left
in the caches) or, under the model only, `cold` (every cache and TLB flushed just
before each sample; its case name ends in /cold).

A *view* is one event (and, optionally, one cache state) of a run, shaped exactly like
an icount run's tables (`value` holds the event's numbers, `unit` its unit), so that
the tables, figures, verdicts and comparisons written for icount work on any event.
"""
from __future__ import annotations

import pandas as pd

from . import model

# The event `value` holds under each clock mode.
VALUE_EVENT = {"icount": "instructions", "model": "instructions", "kvm": "cycles",
               "tcg": "ticks"}
CACHES = ("hot", "cold")


def value_event(clock: str) -> str:
    return VALUE_EVENT.get(clock, "ticks")


def events(clock: str) -> list[str]:
    """The events of a run under this clock, the value's first."""
    if clock == "model":
        return [e for e, _ in model.EVENTS]
    return [value_event(clock)]


def extra_events(clock: str) -> list[str]:
    """The events stored as their own columns of samples.csv.gz."""
    return list(model.EXTRA_EVENTS) if clock == "model" else []


def headline_event(clock: str) -> str:
    """What a run's summary leads with: modelled cycles under the model, else the
    value."""
    return model.HEADLINE_EVENT if clock == "model" else value_event(clock)


def unit(clock: str, event: str, clock_unit: str = "") -> str:
    """The unit of an event's numbers (the clock's own for the value)."""
    if clock == "model":
        return model.EVENT_UNITS.get(event, clock_unit)
    return clock_unit


def column(clock: str, event: str) -> str:
    """The samples.csv.gz column holding an event."""
    return "value" if event == value_event(clock) else event


def check_event(clock: str, event: str) -> str:
    from .errors import UsageError
    have = events(clock)
    if event not in have:
        raise UsageError(f"no event {event!r} in a clock={clock} run; it has: "
                         f"{', '.join(have)}" + ("" if clock == "model" else
                                                 " (misses and modelled cycles need a "
                                                 "--clock model run)"))
    return event


# ------------------------------------------------------------------ older layouts

def normalize_samples(samples: pd.DataFrame) -> pd.DataFrame:
    """A samples table of any layout with the `cache` column (runs of layout <= 3
    measured hot only)."""
    if "cache" not in samples.columns:
        samples = samples.copy()
        pos = list(samples.columns).index("len") + 1 if "len" in samples.columns \
            else len(samples.columns)
        samples.insert(pos, "cache", "hot")
    return samples


def normalize_stats(st: pd.DataFrame, clock: str) -> pd.DataFrame:
    """A stats table of any layout with `cache` and `event` (layout <= 3: one event,
    the value's, hot)."""
    if "cache" in st.columns and "event" in st.columns:
        return st
    st = st.copy()
    pos = list(st.columns).index("len") + 1 if "len" in st.columns else len(st.columns)
    if "cache" not in st.columns:
        st.insert(pos, "cache", "hot")
        pos += 1
    if "event" not in st.columns:
        st.insert(pos, "event", value_event(clock))
    return st


# ------------------------------------------------------------------ views

def sample_view(samples: pd.DataFrame, clock: str, event: str,
                cache: str | None = None) -> pd.DataFrame:
    """The samples with `value` := the event's numbers (and `unit` its unit), of one
    cache state or both."""
    s = samples
    if cache is not None and "cache" in s.columns:
        s = s[s["cache"] == cache]
    col = column(clock, event)
    if col != "value":
        s = s[s[col].notna()]        # a case the model could not attribute has none
        s = s.assign(value=s[col].astype("int64"), unit=unit(clock, event))
    return s


def stats_view(st: pd.DataFrame, event: str, cache: str | None = None) -> pd.DataFrame:
    """The statistics of one event (and cache state)."""
    s = st
    if "event" in s.columns:
        s = s[s["event"] == event]
    if cache is not None and "cache" in s.columns:
        s = s[s["cache"] == cache]
    return s


def has_cold(st: pd.DataFrame) -> bool:
    return "cache" in st.columns and bool((st["cache"] == "cold").any())


def run_view(run, event: str | None = None, cache: str = "hot"):
    """A stored run reduced to one event (default: the headline one) and one cache
    state, with the event's unit in meta: what a tool that knows one number per case
    reads (harness export)."""
    from .store import Run
    event = check_event(run.clock, event or headline_event(run.clock))
    meta = dict(run.meta, unit=unit(run.clock, event, run.meta.get("unit", "")),
                event=event, cache=cache)
    samples = sample_view(normalize_samples(run.samples), run.clock, event, cache)
    return Run(run.path, meta, samples, stats_view(run.stats, event, cache))
