#!/usr/bin/python3
"""Turns a named variant into the kernel's configuration, from kernel/axes.conf.

The design axes are declared once, in kernel/axes.conf. This module reads that
declaration and a variant file (variants/<name>.conf: `KEY = value` lines naming only
what differs from the defaults, or from the variant named by `BASE = name`), applies
command-line overrides, refuses anything invalid by name, and writes

    <out>/config.h    CONFIG_ macros, the configuration string, and #error checks that
                      refuse a hand-edited file by the same rules
    <out>/config.mk   the resolved values for make, and the sources they select

each only when its content changed, so a build that runs it every time rebuilds
nothing when nothing changed, and everything that depends on a changed value.

The harness imports this module (harness/ipclab/config.py) so that its parser, CSV
columns and labels come from the same declaration. Standard library only: the kernel
build runs it with any python3.

    configure.py --variant NAME --arch ARCH --out DIR [--debug] [AXIS=value ...]
    configure.py --variant-file PATH ...   a configuration that is not a named variant
    configure.py axes            the declared axes, as a Markdown table
    configure.py show NAME       a variant's resolved values and where each comes from
"""
from __future__ import annotations

import argparse
import configparser
import os
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

KERNEL_DIR = Path(__file__).resolve().parent
REPO = KERNEL_DIR.parent
AXES_FILE = KERNEL_DIR / "axes.conf"
VARIANTS_DIR = REPO / "variants"
BASE_KEY = "BASE"
AXIS_NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
VALUE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ConfigError(Exception):
    """An invalid declaration, variant or override; the message names it and the fix."""


@dataclass(frozen=True)
class Constraint:
    """A value of one axis needs (or excludes) `other` holding one of `allowed`."""
    other: str
    allowed: tuple[str, ...]

    def text(self) -> str:
        return f"{self.other}={'|'.join(self.allowed)}"


@dataclass(frozen=True)
class Axis:
    name: str
    lesson: str
    doc: str
    default: str
    values: dict                  # value -> one-line meaning, in declaration order
    requires: dict = field(default_factory=dict)   # value -> [Constraint]
    excludes: dict = field(default_factory=dict)   # value -> [Constraint]
    sources: dict = field(default_factory=dict)    # value -> [kernel/core/ file]

    @property
    def key(self) -> str:
        """Lower-case name: the key in the configuration string and the CSV column."""
        return self.name.lower()

    def macro(self, value: str) -> str:
        return f"CONFIG_{self.name}_{value.upper().replace('-', '_')}"

    @property
    def numeric(self) -> bool:
        return all(v.isdigit() for v in self.values)


# ------------------------------------------------------------------ the declaration

def _value_lines(text: str, what: str) -> list[tuple[str, str]]:
    """'value: rest' lines of a multi-line key."""
    out = []
    for line in (l.strip() for l in text.splitlines()):
        if not line:
            continue
        value, sep, rest = line.partition(":")
        if not sep:
            raise ConfigError(f"{AXES_FILE}: {what}: line {line!r} is not 'value: ...'")
        out.append((value.strip(), rest.strip()))
    return out


def _constraints(section: str, key: str, text: str, values: dict,
                 known_axes: set[str]) -> dict:
    out: dict = {}
    for value, rest in _value_lines(text, f"[{section}] {key}"):
        if value not in values:
            raise ConfigError(f"{AXES_FILE}: [{section}] {key}: {value!r} is not a value of "
                              f"{section}; its values: {' '.join(values)}")
        for term in rest.split():
            other, sep, allowed = term.partition("=")
            if not sep or not allowed:
                raise ConfigError(f"{AXES_FILE}: [{section}] {key}: {term!r} is not "
                                  f"AXIS=value|value")
            if other != "ARCH" and other not in known_axes:
                raise ConfigError(f"{AXES_FILE}: [{section}] {key}: no axis {other!r}")
            out.setdefault(value, []).append(Constraint(other, tuple(allowed.split("|"))))
    return out


def load_axes(path: Path = AXES_FILE) -> list[Axis]:
    """Every declared axis, in declaration order; a malformed declaration raises."""
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",),
                                       inline_comment_prefixes=None, strict=True)
    parser.optionxform = str
    try:
        with open(path) as f:
            parser.read_file(f)
    except (OSError, configparser.Error) as e:
        raise ConfigError(f"{path}: {e}")
    names = parser.sections()
    axes = []
    for name in names:
        sec = parser[name]
        if not AXIS_NAME_RE.match(name) or name in ("ARCH", BASE_KEY):
            raise ConfigError(f"{path}: [{name}]: an axis name is upper case and not "
                              f"ARCH or {BASE_KEY}")
        unknown = set(sec) - {"lesson", "doc", "default", "values", "requires", "excludes",
                              "sources"}
        if unknown:
            raise ConfigError(f"{path}: [{name}]: unknown key(s) {', '.join(sorted(unknown))}")
        for k in ("lesson", "doc", "default", "values"):
            if not sec.get(k, "").strip():
                raise ConfigError(f"{path}: [{name}]: missing '{k}'")
        values = dict(_value_lines(sec["values"], f"[{name}] values"))
        for v in values:
            if not VALUE_RE.match(v):
                raise ConfigError(f"{path}: [{name}]: value {v!r} must be lower case "
                                  f"letters, digits and '-'")
        if len(values) < 2:
            raise ConfigError(f"{path}: [{name}]: an axis needs at least two values")
        default = sec["default"].strip()
        if default not in values:
            raise ConfigError(f"{path}: [{name}]: default {default!r} is not one of "
                              f"{' '.join(values)}")
        sources = {}
        for value, files in _value_lines(sec.get("sources", ""), f"[{name}] sources"):
            if value not in values:
                raise ConfigError(f"{path}: [{name}] sources: {value!r} is not a value")
            sources[value] = files.split()
        axes.append(Axis(name, sec["lesson"].strip(), sec["doc"].strip(), default, values,
                         _constraints(name, "requires", sec.get("requires", ""), values,
                                      set(names)),
                         _constraints(name, "excludes", sec.get("excludes", ""), values,
                                      set(names)),
                         sources))
    if not axes:
        raise ConfigError(f"{path}: no axis declared")
    return axes


def axis_map(axes: list[Axis]) -> dict[str, Axis]:
    return {a.name: a for a in axes}


# ------------------------------------------------------------------ variants

@dataclass
class VariantFile:
    name: str
    path: Path
    values: dict            # KEY -> value as written (BASE excluded)
    base: str | None
    description: str


def read_variant_file(path: Path, axes: list[Axis]) -> VariantFile:
    """One variants/*.conf, keys checked against the declaration (values are checked
    once the whole chain is resolved, so the error can name the variant)."""
    path = Path(path)
    known = axis_map(axes)
    values, desc, base = {}, [], None
    try:
        text = path.read_text()
    except OSError as e:
        raise ConfigError(f"{path}: {e.strerror or e}")
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if not values and base is None:
                desc.append(line.lstrip("#").strip())
            continue
        key, sep, val = line.partition("=")
        key, val = key.strip(), val.split("#", 1)[0].strip()
        if not sep or not key:
            raise ConfigError(f"{path}:{n}: not 'KEY = value': {raw.strip()!r}")
        if key == BASE_KEY:
            base = val
            continue
        if key not in known:
            raise ConfigError(f"{path}:{n}: unknown key {key!r}; valid keys: {BASE_KEY}, "
                              f"{', '.join(known)}")
        if key in values:
            raise ConfigError(f"{path}:{n}: {key} given twice")
        values[key] = val
    return VariantFile(path.stem, path, values, base, " ".join(d for d in desc if d))


def variant_names(variants_dir: Path = VARIANTS_DIR) -> list[str]:
    return sorted(p.stem for p in Path(variants_dir).glob("*.conf"))


@dataclass
class Resolved:
    """A variant's full configuration: every axis has a value."""
    name: str
    values: dict            # axis name -> value, in declaration order
    origin: dict            # axis name -> where the value came from
    description: str = ""
    chain: list = field(default_factory=list)   # variant names, this one first


def resolve_variant(name: str, axes: list[Axis],
                    variants_dir: Path = VARIANTS_DIR, path: Path | None = None) -> Resolved:
    """Defaults, then each BASE from the furthest in, then the variant's own lines.
    `path`: a variant file outside variants_dir (a configuration that is not a named
    variant, such as one a sweep generates); it is named by its stem and its BASE, if
    any, is a named variant."""
    variants_dir = Path(variants_dir)
    valid = variant_names(variants_dir)
    chain: list[VariantFile] = []
    current = name
    if path is not None:
        path = Path(path)
        if path.stem in valid:
            raise ConfigError(f"variant file {path}: {path.stem!r} is a named variant "
                              f"(variants/{path.stem}.conf); give it another name, or "
                              f"build the named one with VARIANT={path.stem}")
        if not VALUE_RE.match(path.stem):
            raise ConfigError(f"variant file {path}: its name {path.stem!r} must be lower "
                              f"case letters, digits and '-' (it names the build)")
        if len(path.stem) > 31:
            raise ConfigError(f"variant file {path}: its name {path.stem!r} is longer than "
                              f"the 31 characters the kernel's info page holds")
        chain.append(read_variant_file(path, axes))
        current = chain[-1].base
    while current is not None:
        if current not in valid:
            if not chain:
                raise ConfigError(f"unknown variant {current!r}; valid variants: "
                                  f"{' '.join(valid)}")
            raise ConfigError(f"{chain[-1].path}: BASE = {current}: no such variant; valid "
                              f"variants: {' '.join(valid)}")
        if any(v.name == current for v in chain):
            loop = " -> ".join([v.name for v in chain] + [current])
            raise ConfigError(f"variant {name!r}: BASE lines form a loop: {loop}")
        chain.append(read_variant_file(variants_dir / f"{current}.conf", axes))
        current = chain[-1].base
    values = {a.name: a.default for a in axes}
    origin = {a.name: "default" for a in axes}
    for vf in reversed(chain):
        for key, val in vf.values.items():
            values[key] = val
            origin[key] = str(vf.path) if vf is chain[0] and path is not None \
                else f"variants/{vf.name}.conf"
    return Resolved(chain[0].name, values, origin, chain[0].description,
                    [v.name for v in chain])


def apply_overrides(resolved: Resolved, overrides: dict, axes: list[Axis]) -> None:
    known = axis_map(axes)
    for key, val in overrides.items():
        if key not in known:
            raise ConfigError(f"unknown axis {key!r}; valid axes: {' '.join(known)}")
        resolved.values[key] = val
        resolved.origin[key] = "command line"


def problems(resolved: Resolved, axes: list[Axis], arch: str | None) -> list[str]:
    """Everything wrong with a resolved configuration, one sentence each."""
    out = []
    who = f"variant '{resolved.name}'"
    for a in axes:
        val = resolved.values[a.name]
        where = resolved.origin[a.name]
        if len(val.split()) != 1:
            out.append(f"{who}: option {a.name} must have exactly one value, one of: "
                       f"{' '.join(a.values)} (got '{val}' from {where})")
        elif val not in a.values:
            out.append(f"{who}: option {a.name}={val} is invalid; valid values: "
                       f"{' '.join(a.values)} (from {where})")
    if out:
        return out
    context = dict(resolved.values)
    for a in axes:
        val = context[a.name]
        for c in a.requires.get(val, []):
            if c.other == "ARCH" and arch is None:
                continue
            got = arch if c.other == "ARCH" else context[c.other]
            if got not in c.allowed:
                if c.other == "ARCH":
                    out.append(f"{who}: option {a.name}={val} cannot exist on ARCH={got}: "
                               f"it requires {c.text()}")
                else:
                    out.append(f"{who}: option {a.name}={val} requires {c.text()} (got "
                               f"{c.other}={got})")
        for c in a.excludes.get(val, []):
            if c.other == "ARCH" and arch is None:
                continue
            got = arch if c.other == "ARCH" else context[c.other]
            if got in c.allowed:
                out.append(f"{who}: option {a.name}={val} cannot go with {c.other}={got}")
    return out


def config_string(values: dict, axes: list[Axis]) -> str:
    """What the kernel reports: 'transfer=regs sched=lazy ...' in declaration order."""
    return " ".join(f"{a.key}={values[a.name]}" for a in axes)


def parse_config_string(text: str) -> dict:
    """'transfer=regs sched=lazy' -> {'transfer': 'regs', 'sched': 'lazy'}."""
    out = {}
    for tok in text.split():
        key, sep, val = tok.partition("=")
        if not sep:
            raise ConfigError(f"configuration string: {tok!r} is not key=value")
        out[key] = val
    return out


# ------------------------------------------------------------------ output files

def render_config_h(resolved: Resolved, axes: list[Axis], arch: str, debug: bool) -> str:
    v = resolved.values
    lines = [f"/* generated by kernel/configure.py from variants/{resolved.name}.conf and "
             f"kernel/axes.conf: do not edit */",
             "#ifndef IPCLAB_CONFIG_H", "#define IPCLAB_CONFIG_H", "",
             f'#define CONFIG_VARIANT "{resolved.name}"',
             f'#define CONFIG_ARCH "{arch}"',
             f"#define CONFIG_DEBUG {1 if debug else 0}",
             f'#define CONFIG_STRING "{config_string(v, axes)}"']
    for a in axes:
        lines += ["", f"/* {a.name}: {a.doc} */"]
        lines += [f"#define {a.macro(val)} {1 if val == v[a.name] else 0}" for val in a.values]
        lines.append(f'#define CONFIG_{a.name}_NAME "{v[a.name]}"')
        if a.numeric:
            lines.append(f"#define CONFIG_{a.name} {v[a.name]}")
    lines += ["", "/* A hand-edited file is refused by the rules kernel/configure.py applies. */"]
    for a in axes:
        lines += [f"#if {' + '.join(a.macro(val) for val in a.values)} != 1",
                  f'#error "option {a.name}: choose exactly one of {", ".join(a.values)}"',
                  "#endif"]
    for a in axes:
        for val, cons in a.requires.items():
            for c in cons:
                if c.other == "ARCH":
                    continue
                other = axis_map(axes)[c.other]
                need = " || ".join(other.macro(x) for x in c.allowed)
                lines += [f"#if {a.macro(val)} && !({need})",
                          f'#error "option {a.name}={val} requires {c.text()}"', "#endif"]
        for val, cons in a.excludes.items():
            for c in cons:
                if c.other == "ARCH":
                    continue
                other = axis_map(axes)[c.other]
                bad = " || ".join(other.macro(x) for x in c.allowed)
                lines += [f"#if {a.macro(val)} && ({bad})",
                          f'#error "option {a.name}={val} cannot go with {c.text()}"',
                          "#endif"]
    lines += ["", "#endif", ""]
    return "\n".join(lines)


def source_path(name: str) -> str:
    """A `sources` entry as make sees it: kernel/core/<name>, or for 'arch/<name>' the
    file of that name in the architecture's directory (chosen when make runs)."""
    if name.startswith("arch/"):
        return f"kernel/arch/$(ARCH)/{name[len('arch/'):]}"
    return f"kernel/core/{name}"


def render_config_mk(resolved: Resolved, axes: list[Axis]) -> str:
    v = resolved.values
    optional = sorted({source_path(f) for a in axes for fs in a.sources.values() for f in fs})
    chosen = [source_path(f) for a in axes for f in a.sources.get(v[a.name], [])]
    lines = ["# generated by kernel/configure.py: do not edit",
             f"CONFIG_VARIANT := {resolved.name}",
             f"CONFIG_AXES := {' '.join(a.name for a in axes)}"]
    lines += [f"CONFIG_{a.name} := {v[a.name]}" for a in axes]
    lines += [f"CONFIG_OPTIONAL_SOURCES := {' '.join(optional)}",
              f"CONFIG_SOURCES := {' '.join(chosen)}",
              "# one <axis>-<value> name per axis: unit-test directories are chosen by them",
              f"CONFIG_VALUE_DIRS := {' '.join(f'{a.key}-{v[a.name]}' for a in axes)}", ""]
    return "\n".join(lines)


def write_if_changed(path: Path, text: str) -> bool:
    """Replace path only when its content differs (keeps its time stamp otherwise)."""
    path = Path(path)
    try:
        if path.read_text() == text:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    return True


def configure(variant: str | None, arch: str, out: Path, overrides: dict | None = None,
              debug: bool = False, axes_file: Path = AXES_FILE,
              variants_dir: Path = VARIANTS_DIR, variant_file: Path | None = None) -> Resolved:
    axes = load_axes(axes_file)
    resolved = resolve_variant(variant or Path(variant_file).stem, axes, variants_dir,
                               variant_file)
    apply_overrides(resolved, overrides or {}, axes)
    errors = problems(resolved, axes, arch)
    if errors:
        raise ConfigError("\n".join(errors))
    write_if_changed(Path(out) / "config.h", render_config_h(resolved, axes, arch, debug))
    write_if_changed(Path(out) / "config.mk", render_config_mk(resolved, axes))
    return resolved


# ------------------------------------------------------------------ command line

def axes_table(axes: list[Axis]) -> str:
    rows = ["| axis | values (the default in bold) | what it selects | lesson |",
            "|---|---|---|---|"]
    for a in axes:
        vals = ", ".join(f"**{v}**" if v == a.default else v for v in a.values)
        cons = [f"{v} requires {' '.join(c.text() for c in cs)}"
                for v, cs in a.requires.items()]
        cons += [f"{v} excludes {' '.join(c.text() for c in cs)}"
                 for v, cs in a.excludes.items()]
        doc = a.doc + (f" ({'; '.join(cons)})" if cons else "")
        rows.append(f"| `{a.name}` | {vals} | {doc} | {a.lesson} |")
    return "\n".join(rows)


def _overrides(items: list[str]) -> dict:
    out = {}
    for item in items:
        key, sep, val = item.partition("=")
        if not sep:
            raise ConfigError(f"override {item!r} is not AXIS=value")
        out[key] = val
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="configure.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--variant")
    ap.add_argument("--variant-file", type=Path, metavar="PATH",
                    help="a configuration that is not a named variant: a variant file "
                    "written elsewhere (e.g. by a sweep), named by its stem")
    ap.add_argument("--arch")
    ap.add_argument("--out", type=Path, help="directory for config.h and config.mk")
    ap.add_argument("--debug", action="store_true", help="CONFIG_DEBUG=1 (assertions on)")
    ap.add_argument("--make-vars", default="", metavar="'NAME=value ...'",
                    help="make's command-line variables, quoted one each; those that name "
                    "an axis are overrides, the others are not this script's business")
    ap.add_argument("--axes-file", type=Path, default=AXES_FILE)
    ap.add_argument("--variants-dir", type=Path, default=VARIANTS_DIR)
    ap.add_argument("words", nargs="*", metavar="AXIS=value | axes | show NAME",
                    help="overrides, or a query: 'axes' prints the table of axes, "
                    "'show NAME' a variant's values and their origin")
    args = ap.parse_args(argv)
    try:
        axes = load_axes(args.axes_file)
        if args.words[:1] == ["axes"]:
            print(axes_table(axes))
            return 0
        if args.words[:1] == ["show"]:
            if len(args.words) != 2:
                raise ConfigError("usage: configure.py show VARIANT")
            r = resolve_variant(args.words[1], axes, args.variants_dir)
            for a in axes:
                print(f"{a.name:<10} {r.values[a.name]:<10} {r.origin[a.name]}")
            errors = problems(r, axes, args.arch)
            for e in errors:
                print(e, file=sys.stderr)
            return 2 if errors else 0
        if args.variant and args.variant_file:
            raise ConfigError("give --variant or --variant-file, not both")
        if not ((args.variant or args.variant_file) and args.arch and args.out):
            raise ConfigError("--variant (or --variant-file), --arch and --out are needed "
                              "to write a configuration")
        names = {a.name for a in axes}
        overrides = {k: v for k, v in _overrides(shlex.split(args.make_vars)).items()
                     if k in names}
        overrides.update(_overrides(args.words))
        configure(args.variant, args.arch, args.out, overrides, args.debug,
                  args.axes_file, args.variants_dir, args.variant_file)
    except ConfigError as e:
        print(e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
