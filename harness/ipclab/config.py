"""Named variants and experiments, read from variants/*.conf.

A variant file holds `KEY = VALUE` lines (TRANSFER, SCHED, DEST, FASTPATH, ...);
leading `#` lines are its description. An experiment file under
variants/experiments/ holds TITLE, AXIS and VARIANTS (space separated names).
Nothing here is hard-coded: adding a .conf file adds a variant.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(os.environ.get("IPCLAB_REPO", Path(__file__).resolve().parents[2]))

# The axes that the serial BEGIN line echoes, and the BEGIN key of each.
BEGIN_AXES = {"TRANSFER": "transfer", "SCHED": "sched", "DEST": "dest", "FASTPATH": "fastpath"}


class UsageError(Exception):
    """A user asked for something that does not exist (the message lists what does)."""


@dataclass
class Variant:
    name: str
    config: dict            # KEY -> value, as written in the .conf file
    description: str = ""

    @property
    def axes(self) -> dict:
        """Lower-case axis values, e.g. {'transfer': 'regs', ...}."""
        return {k.lower(): v for k, v in self.config.items()}


@dataclass
class Experiment:
    name: str
    title: str
    axis: str
    variants: list = field(default_factory=list)
    description: str = ""


def parse_conf(path: Path) -> tuple[dict, str]:
    values, desc = {}, []
    for raw in Path(path).read_text().splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if not values:
                desc.append(line.lstrip("#").strip())
            continue
        if "=" not in line:
            raise ValueError(f"{path}: not KEY = VALUE: {raw!r}")
        key, val = line.split("=", 1)
        values[key.strip()] = val.split("#", 1)[0].strip()
    return values, " ".join(d for d in desc if d)


def variants(repo: Path = None) -> dict[str, Variant]:
    d = Path(repo or REPO) / "variants"
    out = {}
    for p in sorted(d.glob("*.conf")):
        cfg, desc = parse_conf(p)
        out[p.stem] = Variant(p.stem, cfg, desc)
    return out


def experiments(repo: Path = None) -> dict[str, Experiment]:
    d = Path(repo or REPO) / "variants" / "experiments"
    out = {}
    for p in sorted(d.glob("*.conf")):
        cfg, desc = parse_conf(p)
        out[p.stem] = Experiment(p.stem, cfg.get("TITLE", p.stem), cfg.get("AXIS", ""),
                                 cfg.get("VARIANTS", "").split(), desc)
    return out


def split_names(items) -> list[str]:
    """Accept ['a,b', 'c'] or 'a b' and return ['a', 'b', 'c'] (order kept, no dups)."""
    if isinstance(items, str):
        items = [items]
    out = []
    for item in items or []:
        for name in item.replace(",", " ").split():
            if name not in out:
                out.append(name)
    return out


def resolve_variants(names, repo: Path = None) -> list[Variant]:
    """Names -> Variant objects; an unknown name raises UsageError listing the valid ones.
    An empty list means every named variant."""
    known = variants(repo)
    names = split_names(names)
    if not names:
        return list(known.values())
    bad = [n for n in names if n not in known]
    if bad:
        raise UsageError(f"unknown variant{'s' if len(bad) > 1 else ''}: {', '.join(bad)}\n"
                         f"valid variants: {', '.join(known)}")
    return [known[n] for n in names]


def resolve_experiment(name: str, repo: Path = None) -> Experiment:
    known = experiments(repo)
    if name not in known:
        raise UsageError(f"unknown experiment: {name}\nvalid experiments: {', '.join(known)}")
    exp = known[name]
    resolve_variants(exp.variants, repo)   # an experiment naming a missing variant is an error
    return exp
