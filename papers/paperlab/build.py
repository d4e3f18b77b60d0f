"""The report "From L3 to seL4, reproduced", made from stored runs.

Every number in it is read from a run (stats.csv, meta.json's verdicts), from the
kernel's own build (sizes), or from a data file under papers/data/ that names its
source; none is typed into papers/lessons.tex. Each number written into the report
is also recorded with where it came from in numbers.json beside the PDF, which the
tests compare with the runs.
"""
from __future__ import annotations

import csv
import json
import math
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import doc, ksize, lessons as lessonsmod, sources
from .doc import Bullets, Figure, Heading, Para, Table, Verbatim, bold, code, ital, url

sys.path.insert(0, str(sources.REPO / "harness"))
from ipclab import config, expfigures, figspec, plots, stats as statsmod, store  # noqa: E402

REPO = sources.REPO
PAPERS = REPO / "papers"
DATA = PAPERS / "data"
MAIN_TEX = PAPERS / "lessons.tex"
ANCHORS = ("l4-classic", "sel4-like")
PORT_ARCHES = ("x86_64", "aarch64", "riscv64")
DEFAULT_CASES = ["ipc/cross/call/len0", "ipc/cross/reply/len0", "ipc/same/call/len0",
                 "null_syscall/self/round/len0"]
VALUE_KEY = re.compile(r"^(\w+)\(([^,]+), (.+)\)$")


class PaperError(Exception):
    """The report cannot be made (names the problem and the fix)."""


# ------------------------------------------------------------------ numbers

def num(x, digits: int = 2) -> str:
    """The one way a measured number is written: an integer as an integer, anything
    else with `digits` decimals."""
    x = float(x)
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "inf"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.{digits}f}"


def fixed(x, digits: int = 2) -> str:
    x = float(x)
    return "n/a" if math.isnan(x) else f"{x:.{digits}f}"


@dataclass
class Ledger:
    """Every number the report prints from a run or a measurement, with its source."""
    entries: list = field(default_factory=list)

    def add(self, text: str, value, source: dict) -> str:
        self.entries.append({"text": text, "value": value, **source})
        return text


def read_tsv(path: Path) -> list[dict]:
    lines = [l for l in Path(path).read_text().splitlines() if l and not l.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


# ------------------------------------------------------------------ the builder

@dataclass
class Options:
    out: Path = PAPERS / "build"
    results: Path = REPO / "results"
    run: str | None = None
    arch: str = "x86_64"
    clock: str = "icount"
    measure: bool = True
    sizes: bool = True
    jobs: int = 2
    command: str = ""
    latex: bool = True          # False: the LaTeX and Markdown sources only, no PDF


class Report:
    def __init__(self, opt: Options, log=print):
        self.opt, self.log = opt, log
        self.ledger = Ledger()
        self.warnings: list[str] = []
        self.out = Path(opt.out)
        self.figdir = self.out / "figures"
        self.experiments, broken = config.scan_experiments()
        self.warnings += [f"an experiment file does not load and is left out: {b}"
                          for b in broken]
        self.lessons = lessonsmod.load()
        self.how, self.other = lessonsmod.assign(self.experiments, self.lessons,
                                                 config.axes())
        self.measured: dict[str, sources.Measured] = {}
        self.single: sources.RunRef | None = None
        self.sizes: dict[tuple, ksize.KernelSize] = {}
        self.size_errors: list[str] = []
        self.summary_rows: list = []
        self.measure_log: list[str] = []

    # -------------------------------------------------------------- data
    def gather(self) -> None:
        o = self.opt
        if o.run:
            self.single = sources.open_run(o.run, o.results)
            self.measured = sources.from_one(self.experiments, self.single)
            return
        runs = sources.scan(o.results, o.arch, o.clock, warn=self._warn)
        self.measured = sources.collect(self.experiments, runs)
        missing = [n for n in self.experiments if n not in self.measured]
        if missing and o.measure:
            for name in missing:
                self.log(f"paper: no stored run measured experiment {name}: measuring it "
                         f"(make bench EXPERIMENT={name})")
                rc = run_experiment(name, o.arch, o.clock, o.results)
                self.measure_log.append(f"{name}: harness bench exit status {rc}")
            runs = sources.scan(o.results, o.arch, o.clock, warn=self._warn)
            self.measured = sources.collect(self.experiments, runs)

    def _warn(self, msg: str) -> None:
        self.warnings.append(msg)
        self.log(msg)

    def runs_used(self) -> list[sources.RunRef]:
        seen = {}
        if self.single:
            seen[self.single.id] = self.single
        for m in self.measured.values():
            seen.setdefault(m.run.id, m.run)
        return sorted(seen.values(), key=lambda r: (r.started, r.id))

    def measure_sizes(self) -> None:
        if not self.opt.sizes:
            return
        cache = REPO / "build" / "paper-cache"
        names = sorted(config.scan_variants()[0])
        wanted = [(v, self.opt.arch) for v in names]
        wanted += [(v, a) for a in PORT_ARCHES if a != self.opt.arch for v in ANCHORS]
        digest = ksize.tree_digest(REPO)
        for v, a in wanted:
            try:
                self.sizes[(v, a)] = ksize.measure(REPO, v, a, cache, self.opt.jobs, digest)
            except ksize.SizeError as e:
                self.size_errors.append(str(e))
                self._warn(f"paper: kernel size of {v} on {a}: {e}")

    # -------------------------------------------------------------- helpers
    def src(self, run: sources.RunRef, what: str, **key) -> dict:
        return {"run": run.id, "source": what, **key}

    def stat_row(self, st, variant: str, case: str):
        m = figspec.CASE_RE.match(case) and case.split("/")
        if not m:
            return None
        bench, space, metric, length = m
        r = st[(st.variant == variant) & (st.bench == bench) & (st.space == space) &
               (st.metric == metric) & (st["len"] == int(length[3:]))]
        return r.iloc[0] if len(r) else None

    def cases_of(self, rec: dict, st, variants: list) -> list[str]:
        """The cases an experiment's table shows: its figure's, then the rule's."""
        cases = []
        fig = rec.get("figure") or ""
        specs = figspec.parse_all(fig, f"experiment {rec.get('name')}: FIGURE") if fig else []
        for spec in specs:
            if spec.kind == "lines":
                b, s, m = spec.params["bench"], spec.params["space"], spec.params["metric"]
                lens = sorted(set(st[(st.bench == b) & (st.space == s) & (st.metric == m) &
                                     st.variant.isin(variants)]["len"].astype(int)))
                cases += [f"{b}/{s}/{m}/len{n}" for n in lens]
            else:
                cases += [c for c in spec.cases if c not in cases]
        if not specs and rec.get("workload", "ipc") == "ipc":
            cases += DEFAULT_CASES
        for key in (rec.get("_values") or {}):
            mm = VALUE_KEY.match(key)
            if mm and mm.group(3) not in cases and figspec.CASE_RE.match(mm.group(3)):
                cases.append(mm.group(3))
        return cases

    def unit_words(self, meta: dict) -> str:
        return f"{meta.get('unit', '?')}, clock {meta.get('clock', '?')}"

    def run_words(self, run: sources.RunRef) -> list:
        g = run.meta.get("git") or {}
        dirty = " (DIRTY tree)" if g.get("dirty") else ""
        return ["run ", code(run.id), f", commit {g.get('short', '?')}{dirty}"]

    # -------------------------------------------------------------- figures
    def figures_for(self, m: sources.Measured) -> list[tuple[Path, str, str]]:
        """[(PDF for LaTeX, path for Markdown, how it was made)] of an experiment: each
        figure of its FIGURE (experiment-<name>.pdf, experiment-<name>-2.pdf, ...), or
        the standard one-way figure of an experiment without one."""
        run, name, rec = m.run, m.name, m.record
        base = run.path / "figures" if run.experiment_name == name else \
            run.path / "figures" / name
        n = len(figspec.parse_all(rec["figure"], name)) if rec.get("figure") else 1
        stems = [f"experiment-{name}" + (f"-{i + 1}" if i else "") for i in range(n)] \
            if rec.get("figure") else ["oneway-len0"]
        safe = re.sub(r"[^A-Za-z0-9-]", "-", f"{run.id}--{name}")
        self.figdir.mkdir(parents=True, exist_ok=True)
        if all((base / f"{stem}.pdf").is_file() for stem in stems):
            out = []
            for i, stem in enumerate(stems):
                pdf, dest = base / f"{stem}.pdf", self.figdir / f"{safe}-{i + 1}.pdf"
                shutil.copyfile(pdf, dest)
                md = next((base / f"{stem}.{e}" for e in ("svg", "png")
                           if (base / f"{stem}.{e}").is_file()), pdf)
                out.append((dest, _rel(md, self.out), "the run's own figure, " +
                            pdf.relative_to(run.path).as_posix()))
            return out
        # a run stored without figures (the baseline): drawn now, by the same scripts
        st = run.stats
        tmp = self.figdir / f"{safe}.d"
        tmp.mkdir(parents=True, exist_ok=True)
        try:
            if rec.get("figure"):
                expfigures.draw(rec, st, run.meta, tmp, formats=("pdf",))
            else:
                vs = [v for v in rec.get("variants", []) if v in set(st.variant)]
                plots.oneway_figure(st[st.variant.isin(vs)], dict(run.meta, variant_order=vs),
                                    vs, tmp, 0, rec.get("title"), ("pdf",))
        except plots.PlotError as e:
            self._warn(f"paper: the figure of {name} could not be drawn: {e}")
            return []
        out = []
        for i, stem in enumerate(stems):
            src, dest = tmp / f"{stem}.pdf", self.figdir / f"{safe}-{i + 1}.pdf"
            if src.is_file():
                shutil.copyfile(src, dest)
                out.append((dest, _rel(dest, self.out),
                            "drawn by make paper from the run's stats.csv with the scripts "
                            "under plots/ (the run stored no figure)"))
        return out

    # -------------------------------------------------------------- sections
    def verdict_state(self, m: sources.Measured | None) -> str:
        if m is None:
            return "not yet measured"
        if m.verdict is None:
            return "not judged" if not self.experiments[m.name].verdict else \
                "no verdict stored"
        return m.verdict.get("state", "?")

    def headline(self, m: sources.Measured) -> list:
        """The first case the rule read, every variant's value of it."""
        vals = (m.verdict or {}).get("values") or {}
        groups: dict = {}
        for key, v in vals.items():
            mm = VALUE_KEY.match(key)
            if mm:
                groups.setdefault((mm.group(1), mm.group(3)), []).append((mm.group(2), v))
        if not groups:
            return []
        (fn, case), items = next(iter(groups.items()))
        parts = [f"{fn} ", code(case), ": "]
        for i, (variant, v) in enumerate(items):
            t = self.ledger.add(num(v), v, self.src(m.run, "verdict", experiment=m.name,
                                                    expression=f"{fn}({variant}, {case})"))
            parts += [(", " if i else ""), f"{variant} {t}"]
        own = (m.record.get("units") or {}).get(case.split("/")[2])
        return parts + [f" [{own}]" if own else
                        f" [{m.run.meta.get('unit', '?')}, {m.run.meta.get('clock', '?')}]"]

    def experiment_blocks(self, name: str, lesson_id: str | None) -> list:
        exp = self.experiments[name]
        m = self.measured.get(name)
        title = (m.record.get("title") if m else exp.title) or name
        blocks = [Heading(2, f"Experiment: {title}", label=f"exp:{name}")]
        fileref = code(f"variants/experiments/{name}.conf")
        rec = m.record if m else exp.as_meta()
        if rec.get("claim"):
            blocks.append(Para([bold("Claim. "), rec["claim"]]))
        how = self.how.get(name, "")
        blocks.append(Para([bold("Experiment. "), fileref,
                            f" (belongs to this lesson by its {how})" if how and lesson_id
                            else "", ": axis ", code(rec.get("axis") or exp.axis),
                            ", variants ", *_join_code(rec.get("variants") or exp.variants),
                            ", workload ", code(rec.get("workload") or "ipc"),
                            *((", arguments ", code(" ".join(f"{k}={v}" for k, v in
                                                            (rec.get("args") or {}).items())))
                              if rec.get("args") else ()), "."]))
        if m is None:
            why = ("no stored run of this architecture and clock mode measured it" if not
                   self.single else f"run {self.single.id} did not measure it")
            blocks.append(Para([bold("Verdict: not yet measured. "), why, "; ",
                                code(f"make bench EXPERIMENT={name}"), " measures it."]))
            return blocks
        run, meta = m.run, m.run.meta
        st = run.stats
        m.record["_values"] = (m.verdict or {}).get("values") or {}
        blocks.append(Para([bold("Run. "), *self.run_words(run), f", {meta.get('arch')}, ",
                            f"clock {meta.get('clock')} ({meta.get('unit')}), ",
                            self.ledger.add(str(meta.get("samples")), meta.get("samples"),
                                            self.src(run, "meta.json", key="samples")),
                            " samples per case after ",
                            self.ledger.add(str(meta.get("warmup")), meta.get("warmup"),
                                            self.src(run, "meta.json", key="warmup")),
                            " warm-up iterations."]))
        for n in m.notes:
            blocks.append(Para([bold("Note. "), n]))
        for pdf, md, how_fig in self.figures_for(m):
            blocks.append(Figure(_rel(pdf, self.out), md,
                                 [title, ": ", *self.run_words(run), "; ",
                                  self.unit_words(meta), "; ", how_fig, "."]))
        variants = [v for v in (m.record.get("variants") or []) if v in set(st.variant)]
        units = m.record.get("units") or {}       # metrics that are not clock readings
        rows = []
        for case in self.cases_of(m.record, st, variants):
            for v in variants:
                r = self.stat_row(st, v, case)
                if r is None:
                    continue
                key = dict(variant=v, case=case)
                s = lambda col, text: self.ledger.add(  # noqa: E731
                    text, float(r[col]), self.src(run, "stats.csv", column=col, **key))
                rows.append([code(case), v, s("count", num(r["count"])),
                             s("outliers", num(r["outliers"])), s("median", num(r["median"])),
                             s("mean", fixed(r["mean"])),
                             "[" + s("ci95_lo", fixed(r["ci95_lo"])) + ", " +
                             s("ci95_hi", fixed(r["ci95_hi"])) + "]"] +
                            ([units.get(case.split("/")[2], "")] if units else []))
        if rows:
            unit = (self.unit_words(meta) + ", unless the last column names another unit"
                    if units else self.unit_words(meta))
            blocks.append(Table(["case", "variant", "n", "outliers", "median", "mean",
                                 "95% CI of the mean"] + (["unit"] if units else []), rows,
                                [f"{title}: statistics per case [{unit}], "
                                 "after the outlier policy (Appendix); ",
                                 *self.run_words(run), ", stats.csv."],
                                align="llrrrrr" + ("p" if units else ""),
                                widths={7: 0.12}, footnote=bool(units),
                                label=f"tab:{name}"))
        blocks += self.verdict_blocks(m)
        return blocks

    def verdict_blocks(self, m: sources.Measured) -> list:
        exp = self.experiments[m.name]
        if m.verdict is None:
            if not exp.verdict:
                return [Para([bold("Verdict: not judged. "), "The experiment file has no "
                              "VERDICT rule: it shows the numbers without deciding a "
                              "lesson."])]
            return [Para([bold("Verdict: no verdict stored. "), f"Run {m.run.id} stored no "
                          "verdict for this experiment (the run is older than the "
                          "experiment's rule); the report does not judge on its own: ",
                          code(f"make bench EXPERIMENT={m.name}"), " measures it again."])]
        v = m.verdict
        state = v.get("state", "?")
        out = [Para([bold(f"Verdict: {state}. "), "The harness applied the rule of the "
                     "experiment file to the run's statistics (",
                     code("harness/ipclab/verdict.py"), "); in words: ",
                     v.get("verdict_text") or m.record.get("verdict_text") or "",
                     *((". Reason: ", v["reason"]) if v.get("reason") else ()), "."]),
               Verbatim(" ".join(str(v.get("rule", "")).split()))]
        vals = v.get("values") or {}
        if vals:
            rows = [[code(k), self.ledger.add(num(x), x, self.src(
                m.run, "verdict", experiment=m.name, expression=k))] for k, x in vals.items()]
            out.append(Table(["value the rule read", "value"], rows,
                             ["The values the verdict rule of ", code(m.name), " read (",
                              *self.run_words(m.run), ", meta.json verdicts)."],
                             align="lr", label=f"tab:{m.name}-verdict"))
        return out

    def lesson_blocks(self, lesson: lessonsmod.Lesson) -> list:
        blocks = [Heading(1, lesson.title, label=f"sec:{lesson.id}"),
                  Para([bold("The paper. "), lesson.paper[0].upper() + lesson.paper[1:],
                        " (paraphrased; the claim each experiment tests is its own)."])]
        extra = {"minimality": self.minimality_blocks,
                 "portability": self.portability_blocks}.get(lesson.id)
        if extra:
            blocks += extra()
        if not lesson.experiments:
            blocks.append(Para([bold("Verdict: not yet measured. "), "No experiment file "
                                "names this lesson (", code(f"LESSON = {lesson.id}"),
                                ") or flips an axis declared for it in ",
                                code("kernel/axes.conf"), "."]))
            self.summary_rows.append([lesson.title, lesson.paper,
                                      self.extra_headline(lesson.id) or "not yet measured",
                                      "not yet measured"])
            return blocks
        for i, name in enumerate(lesson.experiments):
            blocks += self.experiment_blocks(name, lesson.id)
            m = self.measured.get(name)
            state = self.verdict_state(m)
            if m is not None and m.notes:
                state += " (rule changed since the run)"
            measured = [code(name), ": ", *self.headline(m)] \
                if m else [code(name), ": not yet measured"]
            self.summary_rows.append([lesson.title if i == 0 else "",
                                      lesson.paper if i == 0 else "", measured, state])
        return blocks

    # -------------------------------------------------------------- minimality
    def extra_headline(self, lesson_id: str) -> list | None:
        if lesson_id == "minimality":
            parts = ["kernel size only (no experiment): "]
            for i, v in enumerate(ANCHORS):
                k = self.sizes.get((v, self.opt.arch))
                if k:
                    parts += [(", " if i else ""), f"{v} ",
                              self.ledger.add(str(k.lines), k.lines, _size_src(k, "lines")),
                              " lines, ",
                              self.ledger.add(str(k.text), k.text, _size_src(k, "text")),
                              " bytes of code"]
            return parts if len(parts) > 1 else None
        if lesson_id == "portability":
            arches = sorted({a for (v, a) in self.sizes if v == ANCHORS[1]})
            if len(arches) > 1:
                return ["kernel size per architecture only (no experiment): ",
                        ", ".join(arches)]
        return None

    def size_table(self, keys: list, caption: list, label: str) -> Table:
        rows = []
        measured_images = self.measured_images()
        for key in keys:
            k = self.sizes[key]
            cells = [k.variant, k.arch]
            for col in ("lines", "lines_core", "lines_arch", "files", "sloc_files", "text",
                        "rodata", "data", "bss"):
                val = getattr(k, col)
                cells.append(self.ledger.add(str(val), val, _size_src(k, col)))
            cells.append("yes" if k.image_sha256 in measured_images else "no")
            rows.append(cells)
        return Table(["variant", "target", "lines", "core", "arch-specific", "files",
                      "SLOC of files", "text", "rodata", "data", "bss", "image measured"],
                     rows, caption,
                     align="llrrrrrrrrrl", label=label)

    def measured_images(self) -> set:
        out = set()
        for r in self.runs_used():
            for v in (r.meta.get("variants") or {}).values():
                if v.get("elf_sha256"):
                    out.add(v["elf_sha256"])
        return out

    def minimality_blocks(self) -> list:
        blocks = []
        keys = [k for k in self.sizes if k[1] == self.opt.arch]
        if keys:
            g = store.git_info(REPO, ["kernel"])
            blocks.append(Para([bold("Measured: kernel size. "), "For every variant, the "
                                "kernel source lines that reach the compiler after the "
                                "CONFIG_ selection (each kernel source the build compiles, "
                                "run through the preprocessor with the build's own flags; a "
                                "line counted once however often it is included; comments, "
                                "blank lines, directives and the code of other axis values "
                                "left out), split into the portable core and the "
                                "architecture's directory; the files those lines come "
                                "from, counted whole as non-blank lines outside comments "
                                "(the way published sizes count); and the bytes of the "
                                "linked kernel by ", code("size -A"), ": executable "
                                "sections (text), read-only data of the kernel's own "
                                "objects (the image also carries the benchmark's root "
                                "task, left out), data and bss. Measured from the working "
                                "tree at commit ", code(g.get("short", "?")),
                                " (kernel/ DIRTY)" if g.get("dirty") else "",
                                " by ", code("papers/paperlab/ksize.py"), "; \"image "
                                "measured\" says whether the image is the very one a run of "
                                "this report booted."]))
            blocks.append(self.size_table(sorted(keys, key=lambda k: k[0]),
                                          ["Kernel size per variant on ", self.opt.arch,
                                           ": source lines compiled and bytes of the image "
                                           "(measured by ipclab)."], "tab:size"))
        for e in self.size_errors:
            blocks.append(Para([bold("Not measured: "), e]))
        rows = []
        for r in read_tsv(DATA / "published-sizes.tsv"):
            rows.append([r["kernel"], r["year"], r["arch"], r["c_lines"], r["asm_lines"],
                         r["what"], r["source"]])
        blocks.append(Table(["kernel", "year", "arch", "C lines", "asm lines", "what",
                             "source"], rows,
                            ["Published kernel sizes, as their authors counted them (not "
                             "measured by ipclab; sources in the Sources section)."],
                            align="lllrrpl", widths={5: 0.3}, label="tab:published-sizes"))
        return blocks

    def portability_blocks(self) -> list:
        keys = [k for k in self.sizes if k[0] in ANCHORS]
        if len({a for _, a in keys}) < 2:
            return []
        keys.sort(key=lambda k: (ANCHORS.index(k[0]), PORT_ARCHES.index(k[1])
                                 if k[1] in PORT_ARCHES else 9))
        return [Para([bold("Measured: the portable share. "), "The anchors built for each "
                      "architecture (same method as the minimality section): the lines of "
                      "the portable core against those of ", code("kernel/arch/<arch>/"),
                      "."]),
                self.size_table(keys, ["The anchors' kernels per architecture (measured by "
                                       "ipclab)."], "tab:size-arch")]

    # -------------------------------------------------------------- front matter
    def summary_blocks(self) -> list:
        return [Heading(1, "Summary", label="sec:summary"),
                Para(["One row per lesson and experiment: what the paper concluded "
                      "(paraphrased), what the run measured (the first quantity the "
                      "experiment's rule reads; unit and clock in the lesson's section), "
                      "and the harness's verdict stored in the run."]),
                Table(["Lesson", "Paper's verdict", "Measured", "Agrees?"], self.summary_rows,
                      ["Summary: the lessons of the paper against this project's "
                       "measurements (verdicts computed by the harness, read from the "
                       "runs)."], align="pppl", widths={0: 0.14, 1: 0.3, 2: 0.36},
                      label="tab:summary")]

    def abstract_text(self) -> list:
        states = [r[3] for r in self.summary_rows]
        n_exp = sum(1 for r in self.summary_rows if r[3] != "not yet measured")
        n_lessons = len(self.lessons)
        with_exp = sum(1 for l in self.lessons if l.experiments)
        agree = sum(1 for s in states if s.startswith("agrees"))
        disagree = sum(1 for s in states if s.startswith("disagrees"))
        runs = self.runs_used()
        out = ["This report re-examines the ", str(n_lessons), " lessons of ",
               ital("From L3 to seL4"), " (Elphinstone and Heiser, SOSP 2013) on one "
               "configurable L4-family kernel, ipclab. ", str(with_exp),
               " lessons have an experiment file; ", str(n_exp), " experiments were "
               "measured, of which ", str(agree), " agree with the paper and ",
               str(disagree), " disagree (verdicts by the harness). It reads ",
               str(len(runs)), " stored run", "s" if len(runs) != 1 else "",
               " (Appendix) "]
        out += ["chosen by ", code(f"RUN={self.opt.run}"), "."] if self.opt.run else \
            ["chosen per experiment: the newest complete run that measured it."]
        return out

    def warnings_blocks(self) -> list:
        warn = list(self.warnings)
        runs = self.runs_used()
        commits = sorted({(r.meta.get("git") or {}).get("short", "?") for r in runs})
        if len(commits) > 1:
            warn.append("the runs come from " + str(len(commits)) + " commits (" +
                        ", ".join(commits) + "): each lesson names its run")
        dirty = [r.id for r in runs if (r.meta.get("git") or {}).get("dirty")]
        if dirty:
            warn.append("measured from a DIRTY tree (uncommitted changes): " + ", ".join(dirty))
        untrusted = [r.id for r in runs if r.meta.get("trusted") is False]
        if untrusted:
            warn.append("UNTRUSTED clock (nested KVM): " + ", ".join(untrusted))
        if not warn:
            return []
        return [Para([bold("Warnings.")]), Bullets([[w] for w in warn])]

    # -------------------------------------------------------------- context
    def context_blocks(self) -> list:
        cites = {r["id"] for r in read_tsv(DATA / "sources.tsv")}
        blocks = [Heading(1, "Context: published numbers", label="sec:context"),
                  Para(["The numbers of this section were ", bold("published by others"),
                        " and are kept with their sources in ", code("papers/data/"),
                        "; they were not measured by the runs this report reads. Measured "
                        "numbers of this project follow in a separate table."])]
        rows = []
        for r in read_tsv(DATA / "published-ipc.tsv"):
            _cite_ok(r["source"], cites)
            rows.append([r["kernel"], r["year"], r["isa"], r["processor"], r["mhz"],
                         r["cycles"], f"{r['published']} [{r['source']}]"])
        blocks.append(Table(["kernel", "year", "ISA", "processor", "MHz", "cycles",
                             "published in [read from]"], rows,
                            ["Published one-way IPC cost of L4 kernels across generations "
                             "(hot cache, between address spaces, processor cycles; not "
                             "measured by ipclab)."], align="lllp" + "rrl",
                            widths={3: 0.2}, label="tab:published-ipc"))
        rows = []
        for r in read_tsv(DATA / "sel4-icount.tsv"):
            _cite_ok(r["source"], cites)
            rows.append([r["arch"], r["machine"], r["call"], r["replyrecv"], r["unit"],
                         f"[{r['source']}]"])
        blocks.append(Table(["arch", "QEMU machine", "Call", "ReplyRecv", "unit", "source"],
                            rows, ["seL4's fast path under QEMU icount, measured with "
                                   "sel4bench (published in the project's issues; not "
                                   "measured by the runs of this report)."],
                            align="llrrll", label="tab:sel4-icount"))
        rows = []
        for arch in ("x86_64", "aarch64", "riscv64"):
            run = self.anchor_run(arch)
            if run is None:
                continue
            st = run.stats
            for v in ANCHORS:
                cells = [arch, v]
                for case in ("ipc/cross/call/len0", "ipc/cross/reply/len0"):
                    r = self.stat_row(st, v, case)
                    cells.append(self.ledger.add(num(r["median"]), float(r["median"]),
                                                 self.src(run, "stats.csv", column="median",
                                                          variant=v, case=case))
                                 if r is not None else "n/a")
                cells += [run.meta.get("unit", ""), code(run.id)]
                rows.append(cells)
        blocks.append(Para(["Measured by ipclab, the same way (one-way, median per sample, "
                            "cross address space, empty message; ", code("call"), " is "
                            "seL4's Call, ", code("reply"), " its ReplyRecv): "]))
        if rows:
            blocks.append(Table(["arch", "variant", "call", "reply", "unit", "run"], rows,
                                ["The anchors measured by ipclab under QEMU icount, newest "
                                 "run of each architecture among those this report may "
                                 "read."], align="llrrll", label="tab:anchors-icount"))
        else:
            blocks.append(Para(["no run of the anchors is stored."]))
        return blocks

    def anchor_run(self, arch: str):
        """The newest run of that arch (and the report's clock) that booted both anchors
        with the IPC benchmark."""
        def ok(r) -> bool:
            return (set(ANCHORS) <= set(r.ok_variants) and r.meta.get("arch") == arch and
                    (r.meta.get("experiment") or {}).get("workload", "ipc") == "ipc")
        if self.single:
            return self.single if ok(self.single) else None
        runs = sources.scan(self.opt.results, arch, self.opt.clock, warn=lambda m: None)
        return next((r for r in reversed(runs) if ok(r)), None)

    def sources_blocks(self) -> list:
        rows = [[f"[{r['id']}]", r["citation"],
                 [url(r["where"])] if r["where"].startswith("http") else r["where"]]
                for r in read_tsv(DATA / "sources.tsv")]
        return [Heading(1, "Sources", label="sec:sources"),
                Table(["id", "publication", "where it was read"], rows,
                      ["Sources of the published numbers (papers/data/sources.tsv)."],
                      align="lpp", widths={1: 0.5, 2: 0.3}, label="tab:sources")]

    # -------------------------------------------------------------- provenance
    def provenance_blocks(self) -> list:
        g = store.git_info(REPO)
        blocks = [Heading(1, "Provenance", label="sec:provenance", appendix=True),
                  Para(["Every number of this report comes from one of the runs below "
                        "(each table and figure names its run), from the kernel's own "
                        "build (minimality), or from ", code("papers/data/"), " (published "
                        "numbers, with their sources). ", code("numbers.json"),
                        " beside the PDF lists each printed number with its source."])]
        made = [["generated (UTC)", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())],
                ["command", code(self.opt.command or "papers/paper build")],
                ["report sources at commit", code(g.get("commit", "?"))],
                ["tree", "DIRTY: " + ", ".join(g.get("dirty_files") or []) if g.get("dirty")
                 else "clean"],
                ["runs chosen", f"one run, RUN={self.opt.run}" if self.opt.run else
                 "per experiment, the newest complete run that measured it"],
                ["architecture, clock", f"{self.opt.arch}, {self.opt.clock}"]]
        if self.measure_log:
            made.append(["measured first", "; ".join(self.measure_log)])
        blocks.append(Table(["field", "value"], made, ["How this report was made."], align="lp",
                            widths={1: 0.7}, label="tab:made"))
        pol = (f"a sample is an outlier outside [Q1 - {num(statsmod.FENCE_K)} W, Q3 + "
               f"{num(statsmod.FENCE_K)} W] with W = max(IQR, "
               f"{num(statsmod.FENCE_FLOOR_REL * 100)}% of |median|, "
               f"{num(statsmod.FENCE_FLOOR_ABS)} tick); outliers stay in samples.csv.gz and "
               f"are counted; every statistic is computed without them; the CI is that of "
               f"the mean, Student's t at {num(statsmod.CONFIDENCE * 100)}%")
        blocks.append(Para([bold("Outlier policy "), "(", code("harness/ipclab/stats.py"),
                            ", the same for every run): ", pol, "."]))
        for run in self.runs_used():
            blocks += self.run_provenance(run)
        return blocks

    def run_provenance(self, run: sources.RunRef) -> list:
        m = run.meta
        g, t, h = m.get("git") or {}, m.get("tools") or {}, m.get("host") or {}
        used = sorted(n for n, x in self.measured.items() if x.run.id == run.id)
        led = lambda key, val: self.ledger.add(str(val), val, self.src(run, "meta.json",  # noqa: E731
                                                                      key=key))
        rows = [["path", code(_rel(run.path, REPO))],
                ["experiments read from it", ", ".join(used) or "(context tables only)"],
                ["recorded experiment", m.get("experiment", {}).get("name", "")
                 if m.get("experiment") else "none (a run of the variant matrix)"],
                ["started, finished (UTC)", f"{m.get('started_utc', '')}, "
                                            f"{m.get('finished_utc', '')}"],
                ["commit", code(g.get("commit", "?"))],
                ["branch", g.get("branch", "")],
                ["dirty", ("yes: " + ", ".join(g.get("dirty_files") or [])) if g.get("dirty")
                 else "no"],
                ["arch, clock, unit", f"{m.get('arch')}, {m.get('clock')}, {m.get('unit')}"],
                ["clock note", m.get("clock_note") or ""],
                ["trusted", str(m.get("trusted"))],
                ["samples, warm-up", [led("samples", m.get("samples")), ", ",
                                      led("warmup", m.get("warmup"))]],
                ["QEMU", t.get("qemu", "")], ["compiler", t.get("cc", "")],
                ["make, gnuplot", f"{t.get('make', '')}; {t.get('gnuplot', '')}"],
                ["host", f"{h.get('cpu_model', '')}, {h.get('cpus', '')} CPUs; "
                         f"{h.get('uname', '')}"],
                ["Python, pandas", f"{h.get('python', '')}, {h.get('pandas', '')}"],
                ["command", code(" ".join(m.get("command") or [])
                                 if isinstance(m.get("command"), list)
                                 else str(m.get("command") or ""))]]
        first = next(iter((m.get("variants") or {}).values()), {})
        if first.get("boot_cmd"):
            rows.append(["boot command (first variant)", code(first["boot_cmd"])])
        if m.get("copied_from"):
            rows.append(["copied from", str(m["copied_from"].get("run", ""))])
        blocks = [Heading(2, f"Run {run.id}", label=f"run:{run.id}"),
                  Table(["field", "value"], rows, ["Run ", code(run.id), ": its metadata (meta.json)."],
                        align="lp", widths={1: 0.72})]
        st = run.stats
        vrows = []
        for v in m.get("variant_order") or list(m.get("variants") or {}):
            info = (m.get("variants") or {}).get(v) or {}
            cfg = info.get("config") or {}
            sub = st[st.variant == v]
            cases, kept, outl = len(sub), int(sub["count"].sum()), int(sub["outliers"].sum())
            key = dict(variant=v)
            vrows.append([v, code(" ".join(f"{k}={x}" for k, x in cfg.items())),
                          info.get("status", "?"),
                          self.ledger.add(str(cases), cases, self.src(run, "stats.csv",
                                                                      column="cases", **key)),
                          self.ledger.add(str(kept), kept, self.src(run, "stats.csv",
                                                                    column="count", **key)),
                          self.ledger.add(str(outl), outl, self.src(run, "stats.csv",
                                                                    column="outliers", **key)),
                          code((info.get("elf_sha256") or "")[:12])])
        blocks.append(Table(["variant", "configuration", "status", "cases", "samples kept",
                             "outliers", "image SHA-256"], vrows,
                            ["Run ", code(run.id), ": every variant's full configuration "
                             "and its sample counts."], align="lpl" + "rrrl",
                            widths={1: 0.36}))
        return blocks

    # -------------------------------------------------------------- assembly
    def blocks(self) -> dict[str, list]:
        lesson_blocks = []
        for lesson in self.lessons:
            lesson_blocks += self.lesson_blocks(lesson)
        others = []
        if self.other:
            others.append(Heading(1, "Other experiments", label="sec:other"))
            others.append(Para(["Experiment files that belong to no lesson of the paper "
                                "(no LESSON, and an axis declared for no lesson)."]))
            for name in self.other:
                others += self.experiment_blocks(name, None)
        return {"abstract": [Para(self.abstract_text())],
                "summary": self.warnings_blocks() + self.summary_blocks(),
                "lessons": lesson_blocks + others,
                "context": self.context_blocks() + self.sources_blocks(),
                "provenance": self.provenance_blocks()}


def _size_src(k: ksize.KernelSize, col: str) -> dict:
    return {"run": None, "source": "kernel size", "variant": k.variant, "arch": k.arch,
            "column": col}


def _join_code(names) -> list:
    out = []
    for i, n in enumerate(names):
        out += ([", "] if i else []) + [code(n)]
    return out


def _rel(path: Path, start: Path) -> str:
    import os
    return os.path.relpath(Path(path).resolve(), Path(start).resolve())


def _cite_ok(key: str, known: set) -> None:
    if key not in known:
        raise PaperError(f"papers/data: source {key!r} is not in papers/data/sources.tsv; "
                         f"add it there with its citation")


def run_experiment(name: str, arch: str, clock: str, results: Path) -> int:
    cmd = [sys.executable, str(REPO / "harness" / "harness"), "bench", "--experiment", name,
           "--arch", arch, "--clock", clock, "--wait"]
    if Path(results).resolve() != (REPO / "results").resolve():
        cmd += ["--results", str(results)]
    return subprocess.run(cmd, cwd=REPO).returncode


def latex(out: Path, log=print) -> Path:
    """lessons.tex -> out/lessons.pdf with latexmk (pdflatex)."""
    if not shutil.which("latexmk") or not shutil.which("pdflatex"):
        raise PaperError("latexmk and pdflatex are needed: run `make deps` as root (it "
                         "installs texlive-latex-base texlive-latex-recommended "
                         "texlive-fonts-recommended latexmk poppler-utils)")
    cmd = ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-quiet",
           f"-outdir={out}", str(MAIN_TEX)]
    r = subprocess.run(cmd, cwd=out, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if r.returncode != 0:
        logf = out / "lessons.log"
        tail = logf.read_text(errors="replace").splitlines()[-25:] if logf.is_file() else \
            r.stdout.splitlines()[-25:]
        raise PaperError("pdflatex failed on papers/lessons.tex:\n" + "\n".join(tail))
    return out / "lessons.pdf"


def build(opt: Options, log=print) -> dict:
    t0 = time.time()
    out = Path(opt.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gen").mkdir(exist_ok=True)
    if (out / "figures").is_dir():
        shutil.rmtree(out / "figures")
    rep = Report(opt, log)
    rep.gather()
    rep.measure_sizes()
    parts = rep.blocks()
    for name, blocks in parts.items():
        (out / "gen" / f"{name}.tex").write_text(doc.to_tex(blocks))
    md = ["# From L3 to seL4, reproduced", "",
          "*The short version of papers/build/lessons.pdf, generated by `make paper`.*", ""]
    for name in ("abstract", "summary", "lessons", "context", "provenance"):
        md.append(doc.to_md(parts[name]))
    (out / "lessons.md").write_text("\n".join(md))
    pdf = latex(out, log) if opt.latex else None
    (out / "numbers.json").write_text(json.dumps(
        {"runs": [r.id for r in rep.runs_used()], "numbers": rep.ledger.entries,
         "summary": [[_plain(c) for c in row] for row in rep.summary_rows]}, indent=1,
        default=str) + "\n")
    return {"pdf": pdf, "md": out / "lessons.md", "seconds": time.time() - t0,
            "runs": [r.id for r in rep.runs_used()], "summary": rep.summary_rows,
            "warnings": rep.warnings}


def _plain(cell) -> str:
    if isinstance(cell, str):
        return cell
    return "".join(p if isinstance(p, str) else p[1] for p in cell)
