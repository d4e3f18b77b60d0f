"""The report (make paper), built from the committed fixture runs and from the baseline,
read back with pdftotext and checked against the stored runs.

The fixture (papers/tests/fixture/results/, made by make_fixture.py) holds two real
runs: a matrix run that judged every IPC lesson, and a newer run of the fastpath
experiment alone. No test boots anything.
"""
from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

PAPERS = Path(__file__).resolve().parents[1]
REPO = PAPERS.parent
sys.path.insert(0, str(PAPERS))
sys.path.insert(0, str(REPO / "harness"))

from paperlab import build as pb, lessons as lessonsmod  # noqa: E402
from ipclab import config, store  # noqa: E402

FIXTURE = PAPERS / "tests" / "fixture" / "results"
RUN_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{8}(?:\.\d+)?")
STAT_ROW = re.compile(r"^\s*((?:[a-z0-9_]+/){3}len\d+)\s+([a-z0-9-]+)\s+(\d+)\s+(\d+)\s+"
                      r"(\S+)\s+(\S+)\s+\[(\S+), (\S+)\](?:\s+[a-z_ ]+)?\s*$")
VALUE_ROW = re.compile(r"^\s*(median|mean|min|max|count|p99)\(([a-z0-9-]+), "
                       r"((?:[a-z0-9_]+/){3}len\d+)\)\s+(\S+)\s*$")
SIZE_ROW = re.compile(r"^\s*([a-z0-9-]+)\s+(x86_64|aarch64|riscv64)\s+(\d+)\s+(\d+)\s+(\d+)\s+"
                      r"(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(yes|no)\s*$")


def fixture_runs() -> dict:
    return {p.name: store.load_run(p) for p in store.complete_runs(FIXTURE)}


def pdftext(pdf: Path, mode: str = "-layout") -> str:
    """The PDF's text: -layout keeps a table row on one line; -raw keeps a row's cells
    together in content order even when a cell wraps."""
    return subprocess.run(["pdftotext", mode, str(pdf), "-"], check=True,
                          stdout=subprocess.PIPE, text=True).stdout


def build(tmp: Path, **kw) -> dict:
    opt = pb.Options(out=tmp, measure=False, command="papers/tests", **kw)
    r = pb.build(opt, log=lambda m: None)
    if r["pdf"]:
        r["text"] = pdftext(r["pdf"])
        r["raw"] = " ".join(pdftext(r["pdf"], "-raw").split())
    r["numbers"] = json.loads((tmp / "numbers.json").read_text())
    return r


@pytest.fixture(scope="module")
def paper(tmp_path_factory):
    """The report from the fixture runs, as `make paper` makes it (a collection)."""
    return build(tmp_path_factory.mktemp("paper"), results=FIXTURE)


@pytest.fixture(scope="module")
def baseline_paper(tmp_path_factory):
    """The report from the committed baseline alone (RUN=baseline): a layout-2 run
    with no figures and no verdicts."""
    return build(tmp_path_factory.mktemp("baseline"), run="baseline", sizes=False)


def sections(text: str) -> dict:
    """Top-level section title -> its text, from the PDF text (numbered headings)."""
    titles = [l.title for l in lessonsmod.load()] + ["Summary", "Other experiments",
                                                      "Context: published numbers",
                                                      "Sources", "Provenance"]
    marks = []
    for t in titles:
        m = re.search(r"^\s*(?:\d+|[A-Z])\s+" + re.escape(t) + r"\s*$", text, re.M)
        if m:
            marks.append((m.start(), t))
    marks.sort()
    return {t: text[s:(marks[i + 1][0] if i + 1 < len(marks) else len(text))]
            for i, (s, t) in enumerate(marks)}


def check_stat_rows(text: str, runs: dict) -> int:
    """Every statistics row of the PDF against stats.csv of the run its caption names;
    returns how many rows were checked."""
    run, n = None, 0
    for line in text.splitlines():
        ids = RUN_ID.findall(line)
        if ids:
            run = ids[-1]
        m = STAT_ROW.match(line)
        if not m:
            continue
        case, variant, count, outl, med, mean, lo, hi = m.groups()
        assert run in runs, f"a table row before any run is named: {line!r}"
        st = runs[run].stats
        r = st[(st.variant == variant) & (st.case == case)]
        assert len(r) == 1, f"{run}: no {variant} {case} in stats.csv"
        r = r.iloc[0]
        assert int(count) == int(r["count"]) and int(outl) == int(r["outliers"]), line
        assert float(med) == float(r["median"]), line
        for printed, col in ((mean, "mean"), (lo, "ci95_lo"), (hi, "ci95_hi")):
            if printed == "n/a":                 # one sample: no interval
                assert math.isnan(float(r[col])) and int(r["count"]) < 2, (line, col)
            else:
                assert math.isclose(float(printed), float(r[col]), abs_tol=0.005), (line, col)
        n += 1
    return n


# ------------------------------------------------------------------ the fixture report

def assigned() -> list:
    lessons = lessonsmod.load()
    lessonsmod.assign(config.experiments(), lessons, config.axes())
    return lessons


def newest_holder(runs: dict, name: str):
    """The newest fixture run that judged the experiment, or None."""
    holders = [r for r in runs.values() if (r.meta.get("experiment") or {}).get("name") ==
               name or name in (r.meta.get("verdicts") or {})]
    return max(holders, key=lambda r: r.meta["started_utc"]) if holders else None


def test_every_lesson_has_its_section(paper):
    secs = sections(paper["text"])
    lessons = assigned()
    assert [l.id for l in lessons] == config.lesson_ids()
    assert len(lessons) == 17
    runs = fixture_runs()
    for lesson in lessons:
        assert lesson.title in secs, f"no section for lesson {lesson.id}"
        body = " ".join(secs[lesson.title].split())
        assert "The paper." in body
        measured = [n for n in lesson.experiments if newest_holder(runs, n)]
        if not measured:
            assert "Verdict: not yet measured." in body, lesson.id
        for name in lesson.experiments:
            assert f"variants/experiments/{name}.conf" in body, (lesson.id, name)


def test_lesson_sections_hold_claim_figure_table_and_the_stored_verdict(paper):
    runs = fixture_runs()
    secs = sections(paper["text"])
    checked = 0
    for lesson in assigned():
        body = " ".join(secs[lesson.title].split())
        for name in lesson.experiments:
            part = body[body.index(f"variants/experiments/{name}.conf"):]
            nxt = [part.find(f"variants/experiments/{o}.conf") for o in lesson.experiments
                   if o != name]
            part = part[:min([i for i in nxt if i > 0] or [len(part)])]
            newest = newest_holder(runs, name)
            if newest is None:          # an experiment newer than the fixture
                assert "Verdict: not yet measured." in part, name
                continue
            assert "Claim." in body and "Figure" in body, name
            assert "statistics per case" in part, name
            assert newest.run_id in part         # the newest run that measured it
            state = newest.meta["verdicts"][name]["state"]
            assert f"Verdict: {state}." in part, name
            checked += 1
    assert checked >= 4


def test_collection_takes_each_experiment_from_its_newest_run(paper):
    runs = fixture_runs()
    exp_run = next(r for r in runs.values() if r.meta.get("experiment"))
    matrix = next(r for r in runs.values() if not r.meta.get("experiment"))
    assert exp_run.meta["started_utc"] > matrix.meta["started_utc"]
    secs = sections(paper["text"])
    fast = " ".join(secs["IPC fast path"].split())
    assert exp_run.run_id in fast and matrix.run_id not in fast
    dest = " ".join(secs["IPC destinations"].split())
    assert matrix.run_id in dest and exp_run.run_id not in dest
    assert set(paper["runs"]) == set(runs)


def test_summary_table_carries_the_harness_verdicts(paper):
    runs = fixture_runs()
    text = paper["text"]
    start = text.index("Table 1: Summary")
    end = re.search(r"^\s*\d+\s+Introduction and method\s*$", text, re.M).start()
    summary = text[start:end]
    assert re.search(r"Lesson\s+Paper’s verdict\s+Measured\s+Agrees\?", summary)
    for lesson in lessonsmod.load():
        assert lesson.title.split()[0] in summary
    want = {}
    for name, exp in config.experiments().items():
        holders = [r for r in runs.values() if (r.meta.get("experiment") or {}).get("name")
                   == name or name in (r.meta.get("verdicts") or {})]
        if holders and exp.verdict:
            newest = max(holders, key=lambda r: r.meta["started_utc"])
            want[name] = newest.meta["verdicts"][name]["state"]
    rows = {r[2].split(":")[0]: r[3] for r in paper["numbers"]["summary"]}
    for name, state in want.items():
        assert rows[name] == state, name
    agrees = sum(1 for s in want.values() if s == "agrees")
    assert len(re.findall(r"(?<!dis)agrees\b", summary)) == agrees
    assert len(re.findall(r"\bdisagrees\b", summary)) == \
        sum(1 for s in want.values() if s == "disagrees")
    assert summary.count("not yet measured") >= sum(1 for l in lessonsmod.load()
                                                    if l.id != "minimality")


def test_numbers_in_the_text_equal_the_stored_statistics(paper):
    assert check_stat_rows(paper["text"], fixture_runs()) >= 60


def test_verdict_values_equal_the_stored_statistics_and_verdicts(paper):
    runs = fixture_runs()
    run, n = None, 0
    for line in paper["text"].splitlines():
        ids = RUN_ID.findall(line)
        if ids:
            run = ids[-1]
        m = VALUE_ROW.match(line)
        if not m:
            continue
        fn, variant, case, value = m.groups()
        st = runs[run].stats
        r = st[(st.variant == variant) & (st.case == case)].iloc[0]
        col = {"median": "median", "mean": "mean", "min": "min", "max": "raw_max",
               "count": "count"}[fn]
        assert math.isclose(float(value), float(r[col]), abs_tol=0.005), line
        stored = [v["values"] for v in runs[run].meta["verdicts"].values()
                  if f"{fn}({variant}, {case})" in v["values"]]
        assert stored and all(math.isclose(s[f"{fn}({variant}, {case})"], float(value),
                                           abs_tol=0.005) for s in stored)
        n += 1
    assert n >= 20


def test_every_printed_run_number_is_in_the_ledger_with_its_source(paper):
    runs = fixture_runs()
    checked = 0
    for e in paper["numbers"]["numbers"]:
        if e.get("source") != "stats.csv" or "case" not in e or \
                e.get("column") not in ("median", "count", "outliers", "mean"):
            continue
        st = runs[e["run"]].stats
        r = st[(st.variant == e["variant"]) & (st.case == e["case"])].iloc[0]
        assert math.isclose(float(e["text"]), float(r[e["column"]]), abs_tol=0.005), e
        checked += 1
    assert checked > 100


def test_provenance_names_every_run_its_commit_tools_and_configurations(paper):
    flat = " ".join(sections(paper["text"])["Provenance"].split())
    raw = paper["raw"][paper["raw"].rindex("Provenance"):]
    for run in fixture_runs().values():
        m = run.meta
        assert run.run_id in flat
        assert m["git"]["commit"] in flat
        assert m["tools"]["qemu"].split()[3] in flat          # the QEMU version
        st = run.stats
        for v, info in m["variants"].items():
            cfg = " ".join(f"{k}={x}" for k, x in info["config"].items())
            sub = st[st.variant == v]
            row = (f"{v} {cfg} {info['status']} {len(sub)} {int(sub['count'].sum())} "
                   f"{int(sub['outliers'].sum())} {info['elf_sha256'][:12]}")
            assert row in raw, row
    assert "Outlier policy" in flat
    assert re.search(r"outlier outside \[Q1 - 3 W, Q3 \+ 3 W\]", flat)


def test_kernel_sizes_are_measured_from_the_images(paper):
    rows = [SIZE_ROW.match(l) for l in paper["text"].splitlines()]
    rows = [m.groups() for m in rows if m]
    names = set(config.scan_variants()[0])
    assert {r[0] for r in rows if r[1] == "x86_64"} == names
    for (variant, arch, lines, core, arch_lines, files, sloc, text, rodata, data, bss,
         measured) in rows:
        assert int(lines) == int(core) + int(arch_lines) and int(lines) <= int(sloc)
        elf = REPO / "build" / arch / variant / "kernel.elf"
        out = subprocess.run(["readelf" if arch == "x86_64" else
                              {"aarch64": "aarch64-linux-gnu-readelf",
                               "riscv64": "riscv64-linux-gnu-readelf"}[arch], "-SW",
                              str(elf)], stdout=subprocess.PIPE, text=True, check=True).stdout
        exec_bytes = sum(int(m.group(2), 16) for m in re.finditer(
            r"\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+([0-9a-f]+)\s+\S+\s+\S*X\S*\s", out))
        assert int(text) == exec_bytes, (variant, arch)
    assert any(r[1] != "x86_64" for r in rows), "no portability table"


def test_published_numbers_are_kept_apart_with_their_sources(paper):
    secs = sections(paper["text"])
    ctx = " ".join(secs["Context: published numbers"].split())
    for row in pb.read_tsv(pb.DATA / "published-ipc.tsv"):
        assert f"{row['mhz']} {row['cycles']} {row['published']} [{row['source']}]" in ctx
    for row in pb.read_tsv(pb.DATA / "sel4-icount.tsv"):
        assert f"{row['call']} {row['replyrecv']}" in ctx
    srcs = " ".join(secs["Sources"].split())
    for row in pb.read_tsv(pb.DATA / "sources.tsv"):
        assert f"[{row['id']}]" in srcs
    lessons_text = " ".join(" ".join(v.split()) for k, v in secs.items()
                            if k not in ("Context: published numbers", "Sources"))
    assert "SOSP 2013 [ts-perf]" not in lessons_text


def test_markdown_version_says_the_same(paper):
    md = paper["md"].read_text()
    assert "| Lesson | Paper's verdict | Measured | Agrees? |" in md
    for lesson in lessonsmod.load():
        assert f"## {lesson.title}\n" in md
    runs = fixture_runs()
    rows = re.findall(r"^\| `([^`]+)` \| ([a-z0-9-]+) \| (\d+) \| (\d+) \| (\S+) \|", md, re.M)
    assert len(rows) >= 60
    for case, variant, count, _, med in rows[:40]:
        assert any(float(med) == float(r.stats[(r.stats.variant == variant) &
                                               (r.stats.case == case)]["median"].iloc[0])
                   for r in runs.values() if len(r.stats[(r.stats.variant == variant) &
                                                          (r.stats.case == case)]))


def test_an_experiment_without_a_run_says_not_yet_measured(tmp_path, monkeypatch):
    """A new experiment file (here one flipping NOTIFY) lands in its lesson by itself and,
    measured by no run, says so."""
    real = config.scan_experiments

    def with_new():
        good, broken = real()
        good = dict(good)
        good["toy-notify"] = config.Experiment(
            "toy-notify", "Toy notifications", "NOTIFY", ["l4-classic", "classic-notify"],
            claim="A claim.", verdict='median("classic-notify", "ipc/cross/call/len0") > 0',
            verdict_text="anything")
        return good, broken
    monkeypatch.setattr(config, "scan_experiments", with_new)
    r = build(tmp_path, results=FIXTURE, sizes=False, latex=False)
    md = r["md"].read_text()
    sync = md[md.index("## Synchronous IPC and notifications"):md.index("## IPC message")]
    assert "variants/experiments/toy-notify.conf" in sync
    assert "**Verdict: not yet measured.** " in sync
    assert "toy-notify" in (tmp_path / "gen" / "lessons.tex").read_text()
    assert ["toy-notify: not yet measured", "not yet measured"] in \
        [row[2:] for row in r["numbers"]["summary"]]


# ------------------------------------------------------------------ the baseline report

def test_baseline_report_draws_its_figures_and_never_judges(baseline_paper):
    base = store.Run(REPO / "results" / "baseline",
                     store.load_meta(REPO / "results" / "baseline"), None,
                     pd.read_csv(REPO / "results" / "baseline" / "stats.csv"))
    assert check_stat_rows(baseline_paper["text"], {base.run_id: base}) >= 60
    secs = sections(baseline_paper["text"])
    for title in ("IPC fast path", "IPC destinations", "Lazy scheduling"):
        body = " ".join(secs[title].split())
        assert "drawn by make paper from the run’s stats.csv" in body
        assert ("Verdict: no verdict stored." in body) == (not base.meta.get("verdicts"))
    figs = list((baseline_paper["pdf"].parent / "figures").glob("*.pdf"))
    assert len(figs) >= 5


# ------------------------------------------------------------------ sources and inputs

def test_the_latex_body_holds_no_hand_typed_number():
    tex = (PAPERS / "lessons.tex").read_text()
    body = tex[tex.index(r"\begin{document}"):]
    body = "\n".join(l.split("%", 1)[0] for l in body.splitlines())
    nums = re.findall(r"(?<![A-Za-z0-9_])\d+(?:[.,]\d+)*(?![A-Za-z0-9_])", body)
    assert not nums, f"numbers typed into papers/lessons.tex: {nums}"


def test_lesson_of_an_experiment():
    lessons = lessonsmod.load()
    axes = config.axes()
    mk = lambda **kw: config.Experiment("x", "X", kw.pop("axis", "ALL"), ["l4-classic"], **kw)  # noqa: E731
    assert lessonsmod.lesson_of(mk(lesson="time"), lessons, axes)[0] == "time"
    assert lessonsmod.lesson_of(mk(axis="SCHED"), lessons, axes)[0] == "lazy-scheduling"
    assert lessonsmod.lesson_of(mk(axis="NOTIFY"), lessons, axes)[0] == "sync-ipc"
    assert lessonsmod.lesson_of(mk(axis="ALL"), lessons, axes)[0] is None
    for a in axes:                    # every declared axis names a lesson of the list
        assert lessonsmod.lesson_of(mk(axis=a.name), lessons, axes)[0], (
            f"kernel/axes.conf: [{a.name}] lesson = {a.lesson!r} is no title or alias of "
            f"papers/data/lessons.conf: add it to the aliases of its lesson there")


def test_every_source_named_by_the_data_exists():
    ids = {r["id"] for r in pb.read_tsv(pb.DATA / "sources.tsv")}
    for f in ("published-ipc.tsv", "sel4-icount.tsv", "published-sizes.tsv"):
        for r in pb.read_tsv(pb.DATA / f):
            assert r["source"] in ids, (f, r)


def test_an_unknown_run_is_refused_with_the_fix(tmp_path):
    r = subprocess.run([sys.executable, str(PAPERS / "paper"), "build", "--run", "nosuch",
                        "--out", str(tmp_path), "--no-sizes"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    assert r.returncode != 0
    assert "RUN=nosuch" in r.stdout and "no such run directory" in r.stdout


def test_a_workload_experiment_shows_every_figure_and_its_own_units(paper):
    runs = fixture_runs()
    run = next((r for r in runs.values() if (r.meta.get("experiment") or {}).get(
        "workload", "ipc") != "ipc"), None)
    assert run is not None, "the fixture has no workload experiment"
    exp = run.meta["experiment"]
    n = len([f for f in exp["figure"].split(";") if f.strip()])
    secs = sections(paper["text"])
    body = next(" ".join(b.split()) for b in secs.values()
                if f"variants/experiments/{exp['name']}.conf" in b)
    for i in range(n):
        stem = f"experiment-{exp['name']}" + (f"-{i + 1}" if i else "")
        assert f"figures/{stem}.pdf" in body, stem
    units = exp.get("units") or {}
    assert units
    for metric, unit in units.items():
        assert re.search(rf"/{metric}/len\d+ \S+ \d+ \d+ \S+ \S+ \[\S+, \S+\] {unit}", body), \
            (metric, unit)
