"""`harness nightly` (`make nightly`): performance regression as a history.

1. Measures the regression matrix (every variant, or --variants) at the checked-out
   commit with the baseline's clock, samples and warmup: one stored run, made by
   bench.run_bench like `make bench`.
2. Compares it with results/baseline (compare.compare_runs: exact under icount) and
   with the previous night of the history (history.compare_nights, the same rule on
   the history's compact rows, since a night's run directory is not kept).
3. Appends the night to results/history/<arch>-<clock>/ (history.py) and draws a
   trend figure per anchor (cost against commit, changed points labelled with the
   commit's subject).
4. Writes results/nightly/<run id>/report.md and junit.xml (one test case per variant
   and case and per comparison; a regression is a failure naming the variant, case,
   old and new values and the commit range), and copies them to
   results/nightly/latest/ for CI to pick up.

Exit status: 1 when either comparison finds a regression (a case slower or missing)
or a variant failed, 3 on an infrastructure fault, 0 otherwise. The night is appended
to the history whatever the verdict: the history records what was measured.
"""
from __future__ import annotations

import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import bench, compare, history, report, store
from .clock import get_clock
from .config import REPO, UsageError
from .errors import EXIT_INFRA, EXIT_OK, EXIT_REGRESSION

ANCHORS = ("l4-classic", "sel4-like")
NIGHTLY_DIR = "nightly"


@dataclass
class Finding:
    """One case that is not `same` in one comparison."""
    against: str            # baseline | previous
    variant: str
    case: str
    old: float
    new: float
    verdict: str
    range: str              # commit range old..new

    @property
    def failure(self) -> bool:
        return self.verdict in ("REGRESSION", "MISSING")


@dataclass
class NightlyResult:
    run: Path
    meta: dict
    base_cmp: compare.Comparison | None
    prev_rows: pd.DataFrame | None
    prev_cmp: pd.DataFrame | None
    findings: list = field(default_factory=list)
    history_file: Path | None = None
    figures: list = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def regressed(self) -> bool:
        return any(f.failure for f in self.findings) or bool(self.meta.get("failed_variants")) \
            or bool(self.base_cmp is not None and self.base_cmp.failed_variants)


def _subject(repo: Path, commit: str) -> str:
    r = subprocess.run(["git", "log", "-1", "--format=%s", commit], cwd=repo,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return r.stdout.strip()


def _short(c: str | None) -> str:
    return (c or "?")[:8]


def run_nightly(variants, *, arch: str, baseline: Path, results: Path, history_dir: Path,
                jobs=None, timeout=bench.DEFAULT_TIMEOUT, build=True, repo=None,
                progress=print, wait=False, anchors=ANCHORS, figures=True,
                force=False, night: str | None = None) -> NightlyResult:
    t0 = time.monotonic()
    repo = Path(repo or REPO)
    brun = None
    if store.is_complete(baseline):
        brun = store.load_run(baseline)
        if brun.meta.get("arch") != arch and not force:
            raise UsageError(f"the baseline {baseline} is for arch={brun.meta.get('arch')}, "
                             f"the nightly would be arch={arch}; pass --force to measure "
                             f"without a baseline comparison")
        if brun.meta.get("arch") != arch:
            brun = None
    else:
        progress(f"nightly: WARNING: no baseline at {baseline}: comparing with the "
                 f"previous night only")
    clk = get_clock(brun.meta.get("clock", "icount") if brun else "icount")
    samples = brun.meta.get("samples") if brun else bench.DEFAULT_SAMPLES
    warmup = brun.meta.get("warmup") if brun else bench.DEFAULT_WARMUP
    progress(f"nightly: {len(variants)} variant(s), {arch}, clock={clk.name}, "
             f"samples={samples} warmup={warmup}")
    path, meta, ok = bench.run_bench(variants, clk, arch=arch, samples=samples,
                                     warmup=warmup, jobs=jobs, timeout=timeout, build=build,
                                     results_dir=results, repo=repo, progress=progress,
                                     wait=wait, summary=False, figures=figures)
    if not meta.get("published"):
        raise _NotMeasured(path, meta)
    run = store.load_run(path)
    git = meta.get("git") or {}
    res = NightlyResult(path, meta, None, None, None)
    # against the baseline
    if brun is not None:
        asked = [v.name for v in variants]
        every = set(brun.meta.get("variant_order") or []) | set(asked)
        # a selection is compared as such: the baseline's other variants are not missing
        c = compare.compare_runs(brun, run, force=True,
                                 variants=None if every == set(asked) else asked)
        compare.write_report(c, results / "compare" / f"baseline--{run.run_id}.md")
        res.base_cmp = c
        rng = f"{_short((brun.meta.get('git') or {}).get('commit'))}..{git.get('short')}"
        for r in c.rows.itertuples():
            if r.verdict != "same":
                res.findings.append(Finding(
                    "baseline", r.variant, f"{r.bench}/{r.space}/{r.metric}/len{int(r.len)}",
                    r.old_median, r.new_median, r.verdict, rng))
    # against the previous night, then append this one
    night = night or store.utc_stamp()
    rows = history.rows_from_run(run, night, _subject(repo, git.get("commit", "HEAD")))
    hist = history.load(history_dir, arch, clk.name)
    prev = history.previous_night(hist, night, samples, warmup)
    if len(prev):
        res.prev_rows = prev
        res.prev_cmp = history.compare_nights(prev, rows)
        rng = f"{_short(prev['commit'].iloc[0])}..{git.get('short')}"
        for r in res.prev_cmp.itertuples():
            if r.verdict != "same":
                res.findings.append(Finding("previous", r.variant, r.case, r.old_median,
                                            r.new_median, r.verdict, rng))
    else:
        progress("nightly: no previous night in the history (this is the first)")
    res.history_file = history.append(history_dir, rows)
    hist = pd.concat([hist, rows], ignore_index=True)
    outdir = results / NIGHTLY_DIR / run.run_id
    outdir.mkdir(parents=True, exist_ok=True)
    if figures:
        for a in anchors:
            try:
                res.figures += history.trend_figure(hist, a, outdir)
            except Exception as e:          # a figure must not hide the verdict
                progress(f"nightly: WARNING: trend figure of {a} failed: {e}")
    res.wall_s = time.monotonic() - t0
    write_reports(res, outdir)
    latest = results / NIGHTLY_DIR / "latest"
    if latest.exists():
        shutil.rmtree(latest)
    shutil.copytree(outdir, latest)
    return res


class _NotMeasured(Exception):
    def __init__(self, path, meta):
        super().__init__(f"no variant ran; see {path}")
        self.path, self.meta = path, meta


# ------------------------------------------------------------------ reports

def _fmt(x) -> str:
    return "-" if x is None or pd.isna(x) else report.fmt(x)


def markdown(res: NightlyResult) -> str:
    m = res.meta
    git = m.get("git") or {}
    unit = m.get("unit", "")
    lines = [f"# ipclab nightly {m['run_id']}", "",
             f"- commit `{git.get('commit')}`{' (DIRTY tree)' if git.get('dirty') else ''}",
             f"- arch {m['arch']}, clock **{m['clock']}**, unit **{unit}**, samples "
             f"{m['samples']}, warmup {m['warmup']}",
             f"- run: `{res.run}`; history: `{res.history_file}`"]
    if res.base_cmp is not None:
        lines.append(f"- against the baseline ({res.base_cmp.a.run_id}, commit "
                     f"{_short((res.base_cmp.a.meta.get('git') or {}).get('commit'))}): "
                     f"{compare.verdict(res.base_cmp)}")
    else:
        lines.append("- against the baseline: no baseline for this arch")
    if res.prev_cmp is not None:
        counts = res.prev_cmp.verdict.value_counts().to_dict()
        prev = res.prev_rows.iloc[0]
        lines.append(f"- against the previous night ({prev['night']}, commit "
                     f"{_short(prev['commit'])}): " +
                     ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    else:
        lines.append("- against the previous night: none in the history")
    failed = m.get("failed_variants") or []
    if failed:
        lines.append(f"- **variants that FAILED: {', '.join(failed)}**")
    lines.append(f"- verdict: **{'REGRESSION' if res.regressed else 'no regression'}**")
    lines += ["", f"## Cases that are not the same [{unit}]", ""]
    if res.findings:
        order = {"MISSING": 0, "REGRESSION": 1, "changed": 2, "improvement": 3, "new": 4}
        body = [[f.against, f.variant, f.case, _fmt(f.old), _fmt(f.new),
                 "-" if pd.isna(f.old) or pd.isna(f.new) else f"{f.new - f.old:+g}",
                 f.verdict, f.range]
                for f in sorted(res.findings, key=lambda f: (order.get(f.verdict, 9),
                                                             f.against, f.variant, f.case))]
        lines.append(report.md_table(["against", "variant", "case", "old median",
                                      "new median", "delta", "verdict", "commits"], body))
    else:
        lines.append("Every case is the same as in the baseline and the previous night.")
    if res.figures:
        lines += ["", "## Trend figures", ""]
        lines += [f"- `{f.name}`" for f in res.figures if f.suffix == ".png"]
    lines += ["", f"nightly wall time: {res.wall_s:.1f} s"]
    return "\n".join(lines) + "\n"


def junit(res: NightlyResult) -> ET.ElementTree:
    """JUnit XML: suite `variants` (a failed variant fails), `baseline` and `previous`
    (one test case per variant and case; REGRESSION and MISSING fail)."""
    m = res.meta
    unit = m.get("unit", "")
    root = ET.Element("testsuites", name=f"ipclab nightly {m['run_id']}")
    suites = []
    s = ET.SubElement(root, "testsuite", name="variants")
    for v in m.get("variant_order", []):
        info = m["variants"].get(v, {})
        tc = ET.SubElement(s, "testcase", classname="ipclab.nightly.variants", name=v,
                           time=f"{(info.get('build_s') or 0) + (info.get('boot_s') or 0):.3f}")
        if info.get("status") != "ok":
            f = ET.SubElement(tc, "failure", message=f"{v}: {info.get('status')}",
                              type="variant-failed")
            f.text = "\n".join(info.get("problems") or [])
    suites.append(s)
    by = {}
    for f in res.findings:
        by[(f.against, f.variant, f.case)] = f
    cmps = []
    if res.base_cmp is not None:
        cmps.append(("baseline", [(r.variant, f"{r.bench}/{r.space}/{r.metric}/len{int(r.len)}")
                                  for r in res.base_cmp.rows.itertuples()]))
    if res.prev_cmp is not None:
        cmps.append(("previous", list(zip(res.prev_cmp.variant, res.prev_cmp.case))))
    for name, keys in cmps:
        s = ET.SubElement(root, "testsuite", name=f"against-{name}")
        for variant, case in keys:
            tc = ET.SubElement(s, "testcase", classname=f"ipclab.nightly.{name}.{variant}",
                               name=case, time="0")
            f = by.get((name, variant, case))
            if f is not None and f.failure:
                msg = (f"{f.verdict}: {variant} {case}: {_fmt(f.old)} -> {_fmt(f.new)} {unit} "
                       f"(median, clock={m['clock']}), commits {f.range}")
                el = ET.SubElement(tc, "failure", message=msg, type=f.verdict)
                el.text = msg
            elif f is not None:
                out = ET.SubElement(tc, "system-out")
                out.text = f"{f.verdict}: {_fmt(f.old)} -> {_fmt(f.new)} {unit}, commits {f.range}"
        suites.append(s)
    total = fails = 0
    for s in suites:
        n = len(s.findall("testcase"))
        k = len(s.findall("testcase/failure"))
        s.set("tests", str(n))
        s.set("failures", str(k))
        s.set("errors", "0")
        total, fails = total + n, fails + k
    root.set("tests", str(total))
    root.set("failures", str(fails))
    root.set("errors", "0")
    root.set("time", f"{res.wall_s:.3f}")
    ET.indent(root)
    return ET.ElementTree(root)


def write_reports(res: NightlyResult, outdir: Path) -> list[Path]:
    md = outdir / "report.md"
    md.write_text(markdown(res))
    xml = outdir / "junit.xml"
    junit(res).write(xml, encoding="utf-8", xml_declaration=True)
    return [md, xml]


def exit_status(res: NightlyResult) -> int:
    if res.meta.get("exit_status") == EXIT_INFRA:
        return EXIT_INFRA
    return EXIT_REGRESSION if res.regressed else EXIT_OK
