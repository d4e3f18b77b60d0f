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
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import UsageError  # noqa: F401  (re-exported: config.UsageError)

REPO = Path(os.environ.get("IPCLAB_REPO", Path(__file__).resolve().parents[2]))
# The declaration and its reader belong to the kernel; the harness reads them in place.
KERNEL_DIR = Path(__file__).resolve().parents[2] / "kernel"
# The lessons of the paper an experiment may name (LESSON = <id>): the report's list.
LESSONS_FILE = Path(__file__).resolve().parents[2] / "papers" / "data" / "lessons.conf"


def _load_configure():
    spec = importlib.util.spec_from_file_location("ipclab_configure",
                                                  KERNEL_DIR / "configure.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


configure = _load_configure()
ConfigError = configure.ConfigError
EXPERIMENT_KEYS = ("TITLE", "AXIS", "VARIANTS", "WORKLOAD", "ARGS", "CLAIM", "VERDICT",
                   "VERDICT_TEXT", "FIGURE", "XLABEL", "UNITS", "LESSON", "YLABEL", "NOTE")
# command-line words the harness itself sets: an experiment's ARGS may not override them
RESERVED_ARGS = ("clock", "samples", "warmup", "mode")
ARG_KEY_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
ARG_VALUE_RE = re.compile(r"^[A-Za-z0-9_.,:+-]+$")
WORKLOADS_DIR = Path("bench") / "guest" / "workloads"


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
    file: Path | None = None    # a configuration that is not a named variant: its file
                                # (built with make VARIANT_FILE=...; sweep.py writes them)

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
    workload: str = "ipc"        # the guest program (mode=); ipc = the IPC benchmark
    args: dict = field(default_factory=dict)    # the workload's command-line words
    claim: str = ""              # what the paper concluded
    verdict: str = ""            # the rule (harness/ipclab/verdict.py)
    verdict_text: str = ""
    figure: str = ""             # the FIGURE line (figspec.py)
    xlabel: str = ""
    units: dict = field(default_factory=dict)   # metric -> unit, for non-clock metrics
    lesson: str = ""             # the paper's lesson (papers/data/lessons.conf)
    ylabel: str = ""             # what a sample is (the figures' y axis, before its unit)
    note: str = ""               # a sentence every figure of the experiment carries

    def as_meta(self) -> dict:
        """What a run stores of its experiment (meta.json), so that `reanalyse` draws
        the same figure and reaches the same verdict from the same rule."""
        return {"name": self.name, "title": self.title, "axis": self.axis,
                "variants": list(self.variants), "workload": self.workload,
                "args": dict(self.args), "claim": self.claim, "verdict": self.verdict,
                "verdict_text": self.verdict_text, "figure": self.figure,
                "xlabel": self.xlabel, "units": dict(self.units), "lesson": self.lesson,
                "ylabel": self.ylabel, "note": self.note}

    def boot_words(self) -> dict:
        """The guest command-line words of this experiment's boots (none for ipc)."""
        if self.workload == "ipc":
            return dict(self.args)
        return {"mode": self.workload, **self.args}


def parse_conf(path: Path) -> tuple[dict, str]:
    """KEY = VALUE lines (experiment files); a line indented by spaces continues the
    value above it; leading # lines are the description, a # elsewhere starts a
    comment."""
    values, desc = {}, []
    last = None
    for lineno, raw in enumerate(Path(path).read_text().splitlines(), 1):
        line = raw.strip()
        if not line:
            last = None
            continue
        if line.startswith("#"):
            if not values:
                desc.append(line.lstrip("#").strip())
            continue
        if raw[0] in " \t":
            if last is None:
                raise UsageError(f"{path}:{lineno}: an indented line continues a value, "
                                 f"but no KEY = value line is above it: {raw!r}")
            values[last] = (values[last] + " " + line.split("#", 1)[0].strip()).strip()
            continue
        if "=" not in line:
            raise UsageError(f"{path}:{lineno}: not KEY = VALUE: {raw!r}")
        if not line.split("=", 1)[0].strip():
            raise UsageError(f"{path}:{lineno}: no key before '=': {raw!r}")
        key, val = line.split("=", 1)
        key = key.strip()
        if key in values:
            raise UsageError(f"{path}:{lineno}: {key} is given twice")
        values[key] = val.split("#", 1)[0].strip()
        last = key
    return values, " ".join(d for d in desc if d)


def load_variant(name: str, repo: Path = None) -> Variant:
    """One variant, resolved through its BASE chain and checked against the axes;
    a malformed or invalid variant file raises UsageError naming it."""
    try:
        r = configure.resolve_variant(name, axes(), Path(repo or REPO) / "variants")
        errors = configure.problems(r, axes(), None)
    except ConfigError as e:
        raise UsageError(str(e))
    except (UnicodeDecodeError, ValueError) as e:
        raise UsageError(f"variants/{name}.conf (or a BASE of it) is not a text file of "
                         f"'KEY = value' lines: {e}")
    if errors:
        raise UsageError("\n".join(errors))
    return Variant(name, r.values, r.description, r.chain)


def load_variant_file(path: Path, repo: Path = None) -> Variant:
    """A configuration that is not a named variant, from a variant file outside
    variants/ (named by its stem; `make VARIANT_FILE=<path>` builds it), resolved and
    checked by the same code as a named one."""
    try:
        r = configure.resolve_variant(Path(path).stem, axes(), Path(repo or REPO) /
                                      "variants", Path(path))
        errors = configure.problems(r, axes(), None)
    except ConfigError as e:
        raise UsageError(str(e))
    if errors:
        raise UsageError("\n".join(errors))
    return Variant(r.name, r.values, r.description, r.chain, Path(path))


def scan_variants(repo: Path = None) -> tuple[dict[str, Variant], list[str]]:
    """Every variant that loads, and one message per variant file that does not (so
    that one broken file does not hide the others: `harness list`)."""
    d = Path(repo or REPO) / "variants"
    good, broken = {}, []
    for n in configure.variant_names(d):
        try:
            good[n] = load_variant(n, repo)
        except UsageError as e:
            broken.append(str(e))
    return good, broken


def variants(repo: Path = None) -> dict[str, Variant]:
    """Every variant; the first broken variant file raises UsageError naming it."""
    good, broken = scan_variants(repo)
    if broken:
        raise UsageError(broken[0])
    return good


def lesson_ids() -> list[str]:
    """The lesson ids an experiment's LESSON may name: the sections of
    papers/data/lessons.conf, in the paper's order."""
    import configparser
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(LESSONS_FILE)
    return cp.sections()


def workload_names(repo: Path = None) -> list[str]:
    """The guest workloads an experiment may name: ipc, and bench/guest/workloads/*.c."""
    d = Path(repo or REPO) / WORKLOADS_DIR
    return ["ipc"] + sorted(p.stem for p in d.glob("*.c"))


def _parse_args(path, text: str) -> dict:
    out = {}
    for word in text.split():
        key, eq, value = word.partition("=")
        if not eq or not ARG_KEY_RE.match(key) or not ARG_VALUE_RE.match(value):
            raise UsageError(f"{path}: ARGS word {word!r} is not key=value (key "
                             f"[a-z_][a-z0-9_]*, value without spaces)")
        if key in RESERVED_ARGS:
            raise UsageError(f"{path}: ARGS may not set {key}= (the harness sets "
                             f"{', '.join(RESERVED_ARGS)}; use WORKLOAD = for mode)")
        if key in out:
            raise UsageError(f"{path}: ARGS sets {key}= twice")
        out[key] = value
    return out


def _parse_units(path, text: str) -> dict:
    out = {}
    for word in text.split():
        metric, colon, unit = word.partition(":")
        if not colon or not ARG_KEY_RE.match(metric) or not unit:
            raise UsageError(f"{path}: UNITS word {word!r} is not <metric>:<unit> (e.g. "
                             f"kernel_bytes:bytes; a unit with spaces uses underscores)")
        out[metric] = unit.replace("_", " ")
    return out


def load_experiment(path: Path, repo: Path = None) -> Experiment:
    """One experiment file (variants/experiments/README.md): every key checked, so a
    misspelled key, a missing VARIANTS, an unknown workload, a verdict rule outside the
    rule language or naming a variant the experiment does not run, or a malformed
    FIGURE raises UsageError naming the file and the fix."""
    from . import figspec, verdict
    cfg, desc = parse_conf(path)
    unknown = [k for k in cfg if k not in EXPERIMENT_KEYS]
    if unknown:
        raise UsageError(f"{path}: unknown key {unknown[0]!r}; valid keys: "
                         f"{', '.join(EXPERIMENT_KEYS)}")
    names = cfg.get("VARIANTS", "").split()
    if not names:
        raise UsageError(f"{path}: no VARIANTS = <names> line")
    axis = cfg.get("AXIS", "")
    valid_axes = [a.name for a in axes()] + ["ALL"]
    if axis and axis not in valid_axes:
        raise UsageError(f"{path}: AXIS = {axis} is not a declared axis; valid: "
                         f"{', '.join(valid_axes)}")
    workload = cfg.get("WORKLOAD", "ipc") or "ipc"
    known = workload_names(repo)
    if workload not in known:
        raise UsageError(f"{path}: WORKLOAD = {workload} is not a workload; valid: "
                         f"{', '.join(known)} (bench/guest/workloads/<name>.c)")
    rule, rule_text = cfg.get("VERDICT", ""), cfg.get("VERDICT_TEXT", "")
    if rule:
        try:
            verdict.check(rule)
        except verdict.RuleError as e:
            raise UsageError(f"{path}: VERDICT: {e}")
        stray = [v for v in verdict.variants_named(rule) if v not in names]
        if stray:
            raise UsageError(f"{path}: VERDICT reads variant {stray[0]!r}, which VARIANTS "
                             f"does not run ({' '.join(names)})")
        if not rule_text:
            raise UsageError(f"{path}: VERDICT needs a VERDICT_TEXT = <the rule in words>")
        if not cfg.get("CLAIM"):
            raise UsageError(f"{path}: VERDICT needs a CLAIM = <what the paper concluded>")
    elif rule_text:
        raise UsageError(f"{path}: VERDICT_TEXT without a VERDICT rule")
    if cfg.get("FIGURE"):
        figspec.parse_all(cfg["FIGURE"], f"{path}: FIGURE")
    if workload != "ipc" and not cfg.get("FIGURE"):
        raise UsageError(f"{path}: WORKLOAD = {workload} needs a FIGURE (the standard IPC "
                         f"figures show only the ipc workload's cases)")
    lesson = cfg.get("LESSON", "")
    if lesson and lesson not in lesson_ids():
        raise UsageError(f"{path}: LESSON = {lesson} is not a lesson of the paper; valid: "
                         f"{', '.join(lesson_ids())} ({LESSONS_FILE.relative_to(KERNEL_DIR.parent)})")
    path = Path(path)
    return Experiment(path.stem, cfg.get("TITLE", path.stem), axis, names, desc,
                      workload=workload, args=_parse_args(path, cfg.get("ARGS", "")),
                      claim=cfg.get("CLAIM", ""), verdict=rule, verdict_text=rule_text,
                      figure=cfg.get("FIGURE", ""), xlabel=cfg.get("XLABEL", ""),
                      units=_parse_units(path, cfg.get("UNITS", "")), lesson=lesson,
                      ylabel=cfg.get("YLABEL", ""), note=cfg.get("NOTE", ""))


def scan_experiments(repo: Path = None) -> tuple[dict[str, Experiment], list[str]]:
    d = Path(repo or REPO) / "variants" / "experiments"
    good, broken = {}, []
    for p in sorted(d.glob("*.conf")):
        try:
            good[p.stem] = load_experiment(p, repo)
        except (UsageError, OSError, UnicodeDecodeError) as e:
            broken.append(str(e) if isinstance(e, UsageError) else f"{p}: {e}")
    return good, broken


def experiments(repo: Path = None) -> dict[str, Experiment]:
    """Every experiment that loads (a broken file is reported by `harness list` and
    by any command that names it)."""
    return scan_experiments(repo)[0]


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


def arch_refusal(variant, arch: str, axes_list=None, repo: Path = None) -> str | None:
    """Why `variant` (a Variant or a name) cannot be built for `arch`, in the build's
    own words (kernel/configure.py's problems that only the architecture causes: an
    axis value whose requires/excludes in axes.conf names ARCH, e.g. FRAME=full:
    ARCH=x86_64|host), or None when it can. The one test of "does this variant exist on
    this architecture": the default matrix (exists_on, resolve_variants) and the runs
    across architectures (multiarch.select_for_arch) both ask it."""
    axes_list = list(axes_list) if axes_list is not None else axes()
    if isinstance(variant, str):
        variant = load_variant(variant, repo)
    r = configure.Resolved(variant.name, dict(variant.config),
                           {k: f"variants/{variant.name}.conf" for k in variant.config},
                           variant.description, list(variant.chain))
    anywhere = configure.problems(r, axes_list, None)
    only_here = [p for p in configure.problems(r, axes_list, arch) if p not in anywhere]
    return only_here[0] if only_here else None


def exists_on(name: str, arch: str, repo: Path = None) -> bool:
    """Whether variant `name` can be built for `arch` (arch_refusal is None)."""
    return arch_refusal(name, arch, repo=repo) is None


def resolve_variants(names, repo: Path = None, arch: str = None) -> list[Variant]:
    """Names -> Variant objects; an unknown name raises UsageError listing the valid ones.
    An empty list means every named variant, and with `arch` every one that can exist on
    it (a variant with a value only another architecture has is left out of the default
    matrix; named explicitly, it is kept here and the commands leave it out per architecture
    with its reason, multiarch.select_for_arch). Only the named variants are
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
    known, broken = scan_experiments(repo)
    if name not in known:
        path = Path(repo or REPO) / "variants" / "experiments" / f"{name}.conf"
        bad = [b for b in broken if b.startswith(str(path))]
        if bad:
            raise UsageError(bad[0])
        raise UsageError(f"unknown experiment: {name}\nvalid experiments: {', '.join(known)}")
    exp = known[name]
    resolve_variants(exp.variants, repo)   # an experiment naming a missing variant is an error
    return exp
