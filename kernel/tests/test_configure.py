"""kernel/configure.py: the axis declaration, variant resolution and the refusals.

Run by `make unit-configure` (part of make test) with Debian's pytest. Uses small
declarations and variant files of its own, so it holds whatever kernel/axes.conf says.
"""
import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("configure", HERE.parent / "configure.py")
configure = importlib.util.module_from_spec(spec)
sys.modules["configure"] = configure
spec.loader.exec_module(configure)

AXES = """
[TRANSFER]
lesson  = message structure
doc     = how words travel
default = regs
values  =
    regs: registers
    mem: memory

[DEST]
lesson  = destinations
doc     = how partners are named
default = tid
values  =
    tid: thread IDs
    endpoint: endpoints

[COMMCTL]
lesson  = communication control
doc     = who may talk to whom
default = none
values  =
    none: anyone
    clans: clans and chiefs
requires =
    clans: DEST=tid

[FAST]
lesson  = fast path
doc     = the assembly fast path
default = c
values  =
    c: in C
    asm: in assembly
requires =
    asm: ARCH=x86_64
sources =
    c: fastpath.c
    asm: arch/fastpath_asm.S
"""


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "axes.conf").write_text(AXES)
    v = tmp_path / "variants"
    v.mkdir()
    (v / "base.conf").write_text("# the defaults\n")
    (v / "child.conf").write_text("# one flip\nBASE = base\nTRANSFER = mem\n")
    (v / "grandchild.conf").write_text("BASE = child\nDEST = endpoint\n")
    return tmp_path


def resolve(tree, name, arch="x86_64", **over):
    axes = configure.load_axes(tree / "axes.conf")
    r = configure.resolve_variant(name, axes, tree / "variants")
    configure.apply_overrides(r, over, axes)
    return r, configure.problems(r, axes, arch)


def test_defaults_and_base_chain(tree):
    r, errors = resolve(tree, "grandchild")
    assert errors == []
    assert r.values == {"TRANSFER": "mem", "DEST": "endpoint", "COMMCTL": "none", "FAST": "c"}
    assert r.origin["TRANSFER"] == "variants/child.conf"
    assert r.origin["COMMCTL"] == "default"
    assert r.chain == ["grandchild", "child", "base"]


def test_config_string_in_declaration_order(tree):
    axes = configure.load_axes(tree / "axes.conf")
    r, _ = resolve(tree, "child")
    assert configure.config_string(r.values, axes) == \
        "transfer=mem dest=tid commctl=none fast=c"
    assert configure.parse_config_string("a=1 b=x") == {"a": "1", "b": "x"}


def test_requires_names_both_sides(tree):
    (tree / "variants" / "bad.conf").write_text("DEST = endpoint\nCOMMCTL = clans\n")
    _, errors = resolve(tree, "bad")
    assert errors == ["variant 'bad': option COMMCTL=clans requires DEST=tid "
                      "(got DEST=endpoint)"]


def test_arch_constraint_names_the_arch(tree):
    _, errors = resolve(tree, "base", arch="aarch64", FAST="asm")
    assert errors == ["variant 'base': option FAST=asm cannot exist on ARCH=aarch64: it "
                      "requires ARCH=x86_64"]
    assert resolve(tree, "base", arch="x86_64", FAST="asm")[1] == []


def test_unknown_key_value_variant_and_loop(tree):
    v = tree / "variants"
    (v / "typo.conf").write_text("TRANSFR = mem\n")
    with pytest.raises(configure.ConfigError, match="unknown key 'TRANSFR'; valid keys: BASE, "
                       "TRANSFER, DEST, COMMCTL, FAST"):
        resolve(tree, "typo")
    _, errors = resolve(tree, "base", TRANSFER="vregs")
    assert "option TRANSFER=vregs is invalid; valid values: regs mem" in errors[0]
    with pytest.raises(configure.ConfigError, match="unknown variant 'nope'; valid variants: "
                       "base child grandchild"):
        resolve(tree, "nope")
    (v / "loop1.conf").write_text("BASE = loop2\n")
    (v / "loop2.conf").write_text("BASE = loop1\n")
    with pytest.raises(configure.ConfigError, match="loop1 -> loop2 -> loop1"):
        resolve(tree, "loop1")
    (v / "orphan.conf").write_text("BASE = missing\n")
    with pytest.raises(configure.ConfigError, match="BASE = missing: no such variant"):
        resolve(tree, "orphan")


def test_bad_declarations(tree):
    bad = {
        "default not a value": AXES.replace("default = regs", "default = vregs"),
        "no values": "[X]\nlesson = l\ndoc = d\ndefault = a\nvalues =\n    a: only\n",
        "unknown key": AXES.replace("lesson  = message structure", "lesson = m\ncolour = red"),
        "requires an unknown axis": AXES.replace("clans: DEST=tid", "clans: DESTINY=tid"),
    }
    for what, text in bad.items():
        (tree / "axes.conf").write_text(text)
        with pytest.raises(configure.ConfigError):
            configure.load_axes(tree / "axes.conf")
        assert what


def test_generated_files_and_rewrite_only_on_change(tree):
    out = tree / "out"
    configure.configure("child", "x86_64", out, {}, False, tree / "axes.conf",
                        tree / "variants")
    h, mk = (out / "config.h").read_text(), (out / "config.mk").read_text()
    assert '#define CONFIG_STRING "transfer=mem dest=tid commctl=none fast=c"' in h
    assert "#define CONFIG_TRANSFER_MEM 1" in h and "#define CONFIG_TRANSFER_REGS 0" in h
    assert "#if CONFIG_COMMCTL_CLANS && !(CONFIG_DEST_TID)" in h
    assert "CONFIG_SOURCES := kernel/core/fastpath.c" in mk
    assert "CONFIG_OPTIONAL_SOURCES := kernel/arch/$(ARCH)/fastpath_asm.S " \
           "kernel/core/fastpath.c" in mk
    assert "CONFIG_VALUE_DIRS := transfer-mem dest-tid commctl-none fast-c" in mk
    stamp = (out / "config.h").stat().st_mtime_ns
    assert configure.write_if_changed(out / "config.h", h) is False
    assert (out / "config.h").stat().st_mtime_ns == stamp


def test_the_real_declaration_and_variants_are_valid():
    axes = configure.load_axes()
    for name in configure.variant_names():
        r = configure.resolve_variant(name, axes)
        assert configure.problems(r, axes, "x86_64") == [], name
