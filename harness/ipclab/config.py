"""Named variants and experiments, and the design axes they are made of.

The axes are declared once, in kernel/axes.conf; kernel/configure.py reads that
declaration and resolves a variant file (variants/<name>.conf: only what differs from
the defaults or from its `BASE = name`). This module uses the very same code, so the
harness's parser, CSV columns, tables and labels follow the declaration: adding an
axis or a variant needs no change here. An experiment file under variants/experiments/
holds TITLE, AXIS and VARIANTS (space separated names).
"""
from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO = Path(os.environ.get("IPCLAB_REPO", Path(__file__).resolve().parents[2]))
# The declaration and its reader belong to the kernel; the harness reads them in place.
KERNEL_DIR = Path(__file__).resolve().parents[2] / "kernel"


def _load_configure():
    spec = importlib.util.spec_from_file_location("ipclab_configure",
                                                  KERNEL_DIR / "configure.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


configure = _load_configure()
ConfigError = configure.ConfigError


class UsageError(Exception):
    """A user asked for something that does not exist (the message lists what does)."""


@lru_cache(maxsize=None)
def _axes_cached(path: str) -> tuple:
    return tuple(configure.load_axes(Path(path)))


def axes() -> list:
    """The declared axes (configure.Axis), in declaration order."""
    return list(_axes_cached(str(KERNEL_DIR / "axes.conf")))


def axis_keys() -> list[str]:
    """Lower-case axis names: the keys of the CONFIG line, the CSV columns."""
    return [a.key for a in axes()]


@dataclass
class Variant:
    name: str
    config: dict            # AXIS -> value, every declared axis (defaults filled in)
    description: str = ""
    chain: list = field(default_factory=list)   # this variant, then its BASEs

    @property
    def axes(self) -> dict:
        """Lower-case axis values, e.g. {'transfer': 'regs', ...}: what CONFIG echoes."""
        return {k.lower(): v for k, v in self.config.items()}

    @property
    def config_string(self) -> str:
        return configure.config_string(self.config, axes())


@dataclass
class Experiment:
    name: str
    title: str
    axis: str
    variants: list = field(default_factory=list)
    description: str = ""


def parse_conf(path: Path) -> tuple[dict, str]:
    """KEY = VALUE lines (experiment files); leading # lines are the description."""
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
            raise UsageError(f"{path}: not KEY = VALUE: {raw!r}")
        key, val = line.split("=", 1)
        values[key.strip()] = val.split("#", 1)[0].strip()
    return values, " ".join(d for d in desc if d)


def load_variant(name: str, repo: Path = None) -> Variant:
    """One variant, resolved through its BASE chain and checked against the axes;
    a malformed or invalid variant file raises UsageError naming it."""
    try:
        r = configure.resolve_variant(name, axes(), Path(repo or REPO) / "variants")
        errors = configure.problems(r, axes(), None)
    except ConfigError as e:
        raise UsageError(str(e))
    if errors:
        raise UsageError("\n".join(errors))
    return Variant(name, r.values, r.description, r.chain)


def variants(repo: Path = None) -> dict[str, Variant]:
    d = Path(repo or REPO) / "variants"
    return {n: load_variant(n, repo) for n in configure.variant_names(d)}


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


def exists_on(name: str, arch: str, repo: Path = None) -> bool:
    """Whether variant `name` can be built for `arch`: no value of it requires another
    architecture (axes.conf's ARCH constraints, e.g. FRAME=full: ARCH=x86_64|host)."""
    r = configure.resolve_variant(name, axes(), Path(repo or REPO) / "variants")
    for a in axes():
        value = r.values[a.name]
        if any(c.other == "ARCH" and arch not in c.allowed for c in a.requires.get(value, [])):
            return False
        if any(c.other == "ARCH" and arch in c.allowed for c in a.excludes.get(value, [])):
            return False
    return True


def resolve_variants(names, repo: Path = None, arch: str = None) -> list[Variant]:
    """Names -> Variant objects; an unknown name raises UsageError listing the valid ones.
    An empty list means every named variant, and with `arch` every one that can exist on
    it (a variant with a value only another architecture has is left out of the default
    matrix; named explicitly, its build refuses it by name). Only the named variants are
    read, so one broken file stops only the commands that use it."""
    known = configure.variant_names(Path(repo or REPO) / "variants")
    names = split_names(names)
    if not names:
        names = [n for n in known if arch is None or exists_on(n, arch, repo)]
    bad = [n for n in names if n not in known]
    if bad:
        raise UsageError(f"unknown variant{'s' if len(bad) > 1 else ''}: {', '.join(bad)}\n"
                         f"valid variants: {', '.join(known)}")
    return [load_variant(n, repo) for n in names]


def resolve_experiment(name: str, repo: Path = None) -> Experiment:
    known = experiments(repo)
    if name not in known:
        raise UsageError(f"unknown experiment: {name}\nvalid experiments: {', '.join(known)}")
    exp = known[name]
    resolve_variants(exp.variants, repo)   # an experiment naming a missing variant is an error
    return exp
