"""The make entry points the READMEs promise: variant lists, help, links (make -n and
make's own configuration step only; nothing is built or booted)."""
import os
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = ["README.md", "harness/README.md", "results/README.md", "bench/host/README.md",
        "variants/README.md"]


ENV = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}


def make(*args, check=True):
    """make in the repository, independent of a make this test may run under."""
    p = subprocess.run(["make", "--no-print-directory", *args], cwd=REPO, text=True, env=ENV,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    if check:
        assert p.returncode == 0, p.stdout
    return p


def test_variant_list_on_the_command_line_keeps_every_variant_valid():
    # `make bench VARIANTS="..."`: the sub-makes (here: the host benchmarks' config step,
    # which configures l4-classic and classic-benno) inherit the list; it must not make
    # the variants outside it "unknown", and an error must name the right list.
    p = make("-s", "host-bench-config", "VARIANTS=sel4-like")
    assert "l4-classic" in p.stdout and "classic-benno" in p.stdout
    p = make("-s", "config", "VARIANT=nope", "VARIANTS=sel4-like", check=False)
    assert p.returncode != 0
    assert "unknown VARIANT 'nope'" in p.stdout and "l4-classic" in p.stdout


def test_make_bench_passes_the_list_and_the_host_step():
    p = make("-n", "bench", "VARIANTS=l4-classic sel4-like")
    cmd = next(l for l in p.stdout.splitlines() if "harness bench" in l)
    assert "--variants 'l4-classic sel4-like'" in cmd
    assert "--host build/host-bench" in p.stdout
    p = make("-n", "bench", "VARIANTS=l4-classic", "HOST=0")
    assert "--host" not in p.stdout and "harness bench" in p.stdout


def test_make_run_is_terse_unless_v1():
    assert "--console" not in make("-n", "run", "VARIANT=sel4-like").stdout
    assert "--console" in make("-n", "run", "VARIANT=sel4-like", "V=1").stdout


def test_make_diff_needs_both_variants():
    p = make("-n", "diff", "A=l4-classic", check=False)
    assert p.returncode != 0 and "make diff needs A=<variant> B=<variant>" in p.stdout
    p = make("-n", "diff", "A=l4-classic", "B=sel4-like")
    assert "harness diff l4-classic sel4-like" in p.stdout


def _doc_targets():
    targets = set()
    for doc in DOCS:
        text = (REPO / doc).read_text()
        spans = re.findall(r"`(make [^`]*)`", text)
        spans += re.findall(r"^ {4,}(make [^\n#]*)", text, re.M)
        for s in spans:
            for t in s.split()[1:]:
                if "=" not in t and re.fullmatch(r"[a-z][a-z0-9-]*", t):
                    targets.add(t)
    return targets


def test_help_names_every_target_the_docs_tell_users_to_run():
    text = make("help").stdout
    targets = _doc_targets()
    assert {"bench", "test", "harness-baseline", "regress", "diff"} <= targets
    missing = sorted(t for t in targets if not re.search(rf"(?<![\w-]){t}(?![\w-])", text))
    assert not missing, f"make help omits {missing}"
    # and every target help names has a rule
    rules = set()
    for mk in [REPO / "Makefile", *REPO.glob("**/*.mk")]:
        if "build" in mk.relative_to(REPO).parts:
            continue
        rules |= set(re.findall(r"^([a-z][a-z0-9-]*)\s*:", mk.read_text(), re.M))
    named = set(re.findall(r"make ([a-z][a-z0-9-]*)", text)) | \
        set(re.findall(r"\b((?:harness|host-bench)-[a-z-]+)\b", text))
    assert named and not named - rules, f"help names targets without a rule: " \
                                        f"{sorted(named - rules)}"


@pytest.mark.parametrize("doc", ["README.md", "harness/README.md", "results/README.md"])
def test_referenced_documents_exist(doc):
    """Markdown links, and `path/README.md`-style mentions of the repository's documents
    (upper-case names; lower-case .md names are outputs such as summary.md), point at
    files that exist."""
    text = (REPO / doc).read_text()
    refs = [l.split("#")[0] for l in re.findall(r"\]\(([^)\s]+)\)", text)
            if not re.match(r"[a-z]+:", l) and not l.startswith("#")]
    base = [(REPO / doc).parent.joinpath(r) for r in refs]
    mentions = re.findall(r"`((?:[\w.-]+/)*[A-Z][A-Z_]*\.md)`", text)
    base += [REPO / m for m in mentions if "/" in m] + \
        [(REPO / doc).parent / m for m in mentions if "/" not in m]
    assert base, f"{doc} references no document"
    broken = [str(p.relative_to(REPO)) for p in base if not p.exists()]
    assert not broken, f"{doc}: references to missing files {broken}"
