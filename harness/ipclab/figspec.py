"""An experiment's FIGURE line (variants/experiments/README.md, 'Figures'), parsed and
checked when the experiment file is read, so a typo fails `harness list` and the
command that names the experiment, not the figure step after an hour of boots.

    lines bench=<b>[,<b>...] space=<s> metric=<m> [stat=median|mean|min|max|p99[,...]] [logx] [logy]
          [title=<words_with_underscores>] [ylabel=<words_with_underscores>]
          (several benches: one line per variant and bench that the run has, e.g. the
          modes a workload runs in each variant)
    bars cases=<case>,<case>,... [stat=...]
    waterfall case=<case> [stat=...] [reference=<label>:<value>,...]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import UsageError

KINDS = ("lines", "bars", "waterfall")
STATS = ("median", "mean", "min", "max", "p99")
CASE_RE = re.compile(r"^[a-z0-9_]+/(self|same|cross)/[a-z0-9_]+/len\d+$")
NAME_RE = re.compile(r"^[a-z0-9_]+$")
# what each kind takes: required keys, optional keys, flags
GRAMMAR = {
    "lines": ({"bench", "space", "metric"}, {"stat", "title", "ylabel"}, {"logx", "logy"}),
    "bars": ({"cases"}, {"stat", "title", "ylabel"}, {"logy"}),
    "waterfall": ({"case"}, {"stat", "reference", "title", "ylabel"}, set()),
}


@dataclass
class FigureSpec:
    kind: str
    params: dict = field(default_factory=dict)
    flags: set = field(default_factory=set)

    def words(self, key: str) -> str:
        """A free-text parameter (title=, ylabel=): underscores stand for spaces."""
        return self.params.get(key, "").replace("_", " ")

    @property
    def stat(self) -> str:
        return self.stats[0]

    @property
    def stats(self) -> list[str]:
        """The statistics drawn: one panel each (lines may name several, comma-separated;
        max is over every sample, p99 the 99th percentile of the samples)."""
        return self.params.get("stat", "median").split(",")

    @property
    def benches(self) -> list[str]:
        """A lines figure's benches (one, or several separated by commas)."""
        return self.params.get("bench", "").split(",") if self.kind == "lines" else []

    @property
    def cases(self) -> list[str]:
        if self.kind == "bars":
            return self.params["cases"].split(",")
        if self.kind == "waterfall":
            return [self.params["case"]]
        return []

    @property
    def references(self) -> list[tuple[str, float]]:
        out = []
        for item in filter(None, self.params.get("reference", "").split(",")):
            label, _, value = item.rpartition(":")
            out.append((label.replace("_", " "), float(value)))
        return out


def parse_all(text: str, where: str = "FIGURE") -> list[FigureSpec]:
    """Every figure of a FIGURE value: one, or several separated by ';' (an experiment
    may need its cost curve and its resource curve)."""
    parts = [p.strip() for p in text.split(";")]
    if any(not p for p in parts):
        raise UsageError(f"{where}: an empty figure between ';' separators")
    return [parse(p, f"{where} (figure {i + 1})" if len(parts) > 1 else where)
            for i, p in enumerate(parts)]


def parse(text: str, where: str = "FIGURE") -> FigureSpec:
    """The FigureSpec of a FIGURE value; UsageError naming the problem otherwise."""
    words = text.split()
    if not words or words[0] not in KINDS:
        raise UsageError(f"{where}: the figure kind must come first, one of "
                         f"{', '.join(KINDS)} (got {words[0] if words else 'nothing'!r})")
    kind = words[0]
    need, optional, flags = GRAMMAR[kind]
    spec = FigureSpec(kind)
    for w in words[1:]:
        key, eq, value = w.partition("=")
        if not eq:
            if key not in flags:
                raise UsageError(f"{where}: {kind} takes the flags "
                                 f"{', '.join(sorted(flags)) or '(none)'}, not {key!r}")
            spec.flags.add(key)
            continue
        if key not in need | optional:
            raise UsageError(f"{where}: {kind} takes {', '.join(sorted(need | optional))}, "
                             f"not {key}=")
        if not value:
            raise UsageError(f"{where}: {key}= has no value")
        spec.params[key] = value
    missing = sorted(need - set(spec.params))
    if missing:
        raise UsageError(f"{where}: {kind} needs {', '.join(k + '=' for k in missing)}")
    for st in spec.stats:
        if st not in STATS:
            raise UsageError(f"{where}: stat={st} is not one of {', '.join(STATS)}")
    if len(spec.stats) > 1 and kind != "lines":
        raise UsageError(f"{where}: only lines draws several statistics (stat=a,b,...)")
    if kind == "lines":
        for k, values in (("bench", spec.benches), ("metric", [spec.params["metric"]])):
            for v in values:
                if not NAME_RE.match(v):
                    raise UsageError(f"{where}: {k}={spec.params[k]!r} is not a name "
                                     f"([a-z0-9_]+){' or a list of names' if k == 'bench' else ''}")
        if spec.params["space"] not in ("self", "same", "cross"):
            raise UsageError(f"{where}: space= must be self, same or cross")
    for c in spec.cases:
        if not CASE_RE.match(c):
            raise UsageError(f"{where}: case {c!r} is not bench/space/metric/len<N> "
                             f"(e.g. ipc/cross/call/len0)")
    try:
        spec.references
    except ValueError:
        raise UsageError(f"{where}: reference= must be label:value,... with a number after "
                         f"the colon (e.g. seL4_x86_64:245)")
    return spec
