"""Experiments as lessons: the file's keys, the verdict rule language, the FIGURE line,
a workload's PLAN, and a run of an experiment from boot to verdict and figure."""
import json
import textwrap

import pandas as pd
import pytest
from make_fixtures import log_text

from ipclab import analysis, bench, clock, config, figspec, logparse, reanalyse, store, \
    verdict
from ipclab.errors import UsageError

ICOUNT = clock.CLOCKS["icount"]


def stats_frame(rows):
    """(variant, case, median) -> a stats frame with the columns verdict.py reads."""
    out = []
    for variant, case, median in rows:
        bench_, space, metric, length = case.split("/")
        out.append({"variant": variant, "bench": bench_, "space": space, "metric": metric,
                    "len": int(length[3:]), "median": median, "mean": median + 0.5,
                    "min": median - 1, "raw_max": median + 9, "count": 10})
    return pd.DataFrame(out)


ST = stats_frame([("a", "ipc/cross/call/len0", 100), ("b", "ipc/cross/call/len0", 210),
                  ("a", "w/self/cost/len1", 10), ("a", "w/self/cost/len2", 14),
                  ("a", "w/self/cost/len4", 22)])


# ------------------------------------------------------------------ the rule language

def test_verdict_agrees_and_disagrees_and_records_values():
    v = verdict.evaluate('median("b", "ipc/cross/call/len0") >= '
                         '2 * median("a", "ipc/cross/call/len0")', ST)
    assert v.state == "agrees"
    assert v.values == {"median(b, ipc/cross/call/len0)": 210,
                        "median(a, ipc/cross/call/len0)": 100}
    v = verdict.evaluate('ratio(median("b", "ipc/cross/call/len0"), '
                         'median("a", "ipc/cross/call/len0")) > 2.5', ST)
    assert v.state == "disagrees"


def test_verdict_statistics_functions():
    assert verdict.evaluate('mean("a", "ipc/cross/call/len0") == 100.5', ST).state == "agrees"
    assert verdict.evaluate('min("a", "ipc/cross/call/len0") == 99 and '
                            'max("a", "ipc/cross/call/len0") == 109 and '
                            'count("a", "ipc/cross/call/len0") == 10', ST).state == "agrees"
    v = verdict.evaluate('slope("a", "w/self/cost") > 3.9 and slope("a", "w/self/cost") < 4.1',
                         ST)
    assert v.state == "agrees" and v.values["slope(a, w/self/cost)"] == pytest.approx(4.0)
    samples = pd.DataFrame({"variant": "a", "bench": "ipc", "space": "cross",
                            "metric": "call", "len": 0, "value": list(range(1, 101))})
    v = verdict.evaluate('p99("a", "ipc/cross/call/len0") > 98', ST, samples)
    assert v.state == "agrees"
    assert verdict.evaluate('p99("a", "ipc/cross/call/len0") > 1', ST).state == "not measured"


def test_a_missing_case_is_not_measured_never_agrees():
    v = verdict.evaluate('median("c", "ipc/cross/call/len0") > 0 or 1 < 2', ST)
    assert v.state == "not measured" and "no ipc/cross/call/len0 for c" in v.reason
    v = verdict.evaluate('slope("a", "ipc/cross/call") > 0', ST)
    assert v.state == "not measured" and "two lengths" in v.reason


@pytest.mark.parametrize("rule,words", [
    ("__import__('os').system('true')", "not allowed"),
    ("median.__class__", "not allowed"),
    ("x > 1", "name 'x'"),
    ('median("a") > 1', "two strings"),
    ('median("a", "ipc/cross/call") > 1', "bench/space/metric/len"),
    ('median("a", "ipc/cross/call/len0") + 1', "not true or false"),
    ("1 in [1]", "not allowed"),
    ("open('f')", "not in the rule language"),
    ("1 >", "not an expression"),
])
def test_rules_outside_the_language_are_errors(rule, words):
    v = verdict.evaluate(rule, ST)
    assert v.state == "error" and words in v.reason, v.reason


def test_variants_named():
    assert verdict.variants_named('median("a", "x/y/z/len0") < slope("b", "x/y/z") + '
                                  'ratio(1, 2)') == ["a", "b"]


# ------------------------------------------------------------------ FIGURE

def test_figure_specs():
    s = figspec.parse("lines bench=notify space=cross metric=per_event logx")
    assert s.kind == "lines" and s.flags == {"logx"} and s.stat == "median"
    s = figspec.parse("waterfall case=ipc/cross/call/len0 stat=min "
                      "reference=seL4_published:245,other:1.5")
    assert s.cases == ["ipc/cross/call/len0"]
    assert s.references == [("seL4 published", 245.0), ("other", 1.5)]
    assert figspec.parse("bars cases=a/self/b/len0,a/cross/b/len2").cases == [
        "a/self/b/len0", "a/cross/b/len2"]


@pytest.mark.parametrize("text,words", [
    ("", "kind must come first"), ("pie cases=x", "kind must come first"),
    ("lines bench=a space=cross", "needs metric="),
    ("lines bench=a space=far metric=b", "space= must be"),
    ("bars cases=ipc/cross/call", "not bench/space/metric/len"),
    ("bars cases=ipc/cross/call/len0 logx", "not 'logx'"),
    ("waterfall case=ipc/cross/call/len0 reference=seL4", "label:value"),
    ("waterfall case=ipc/cross/call/len0 stat=p50", "stat=p50"),
    ("lines bench=a space=self metric=b colour=red", "not colour="),
])
def test_bad_figure_specs(text, words):
    with pytest.raises(UsageError, match=words):
        figspec.parse(text)


# ------------------------------------------------------------------ experiment files

def write_exp(repo, name, text):
    d = repo / "variants" / "experiments"
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{name}.conf").write_text(textwrap.dedent(text))
    return d / f"{name}.conf"


def test_every_experiment_of_the_tree_loads():
    good, broken = config.scan_experiments()
    assert not broken, broken
    lessons = [e for e in good.values() if e.verdict]
    assert lessons, "no experiment carries a verdict"
    for e in lessons:
        assert e.claim and e.verdict_text and e.figure


def test_continuation_lines_and_fields(fake_repo):
    (fake_repo / "bench" / "guest" / "workloads").mkdir(parents=True, exist_ok=True)
    (fake_repo / "bench" / "guest" / "workloads" / "toy.c").write_text("/* */\n")
    p = write_exp(fake_repo, "toy", """\
        # A toy lesson.
        TITLE    = Toy
        AXIS     = DEST
        VARIANTS = l4-classic sel4-like
        WORKLOAD = toy
        ARGS     = rounds=3 burst=8
        CLAIM    = The paper says
                   something long.   # a comment
        VERDICT  = median("sel4-like", "toy/self/cost/len1") <
                   median("l4-classic", "toy/self/cost/len1")
        VERDICT_TEXT = sel4 wins
        FIGURE   = lines bench=toy space=self metric=cost
        XLABEL   = sources
        LESSON   = sync-ipc
        """)
    e = config.load_experiment(p, fake_repo)
    assert e.description == "A toy lesson."
    assert e.claim == "The paper says something long."
    assert e.verdict.startswith('median("sel4-like"') and e.verdict.endswith('len1")')
    assert e.args == {"rounds": "3", "burst": "8"}
    assert e.boot_words() == {"mode": "toy", "rounds": "3", "burst": "8"}
    assert e.as_meta()["xlabel"] == "sources"
    assert e.lesson == "sync-ipc" and e.as_meta()["lesson"] == "sync-ipc"


@pytest.mark.parametrize("body,words", [
    ("VARIANTS = l4-classic\nCOLOUR = red\n", "unknown key 'COLOUR'"),
    ("VARIANTS = l4-classic\nWORKLOAD = nope\n", "WORKLOAD = nope is not a workload"),
    ("VARIANTS = l4-classic\nCLAIM = x\nVERDICT = median(\"sel4-like\", \"a/self/b/len0\") > 1"
     "\nVERDICT_TEXT = y\n", "reads variant 'sel4-like'"),
    ("VARIANTS = l4-classic\nCLAIM = x\nVERDICT = 1 < 2\n", "VERDICT_TEXT"),
    ("VARIANTS = l4-classic\nVERDICT = 1 < 2\nVERDICT_TEXT = y\n", "CLAIM"),
    ("VARIANTS = l4-classic\nVERDICT_TEXT = y\n", "without a VERDICT"),
    ("VARIANTS = l4-classic\nCLAIM = x\nVERDICT = os.system(1)\nVERDICT_TEXT = y\n",
     "not allowed"),
    ("VARIANTS = l4-classic\nARGS = samples=5\n", "may not set samples="),
    ("VARIANTS = l4-classic\nARGS = a b\n", "not key=value"),
    ("VARIANTS = l4-classic\nFIGURE = pie\n", "kind must come first"),
    ("VARIANTS = l4-classic\nVARIANTS = sel4-like\n", "given twice"),
    ("VARIANTS = l4-classic\nLESSON = speed\n", "LESSON = speed is not a lesson"),
    ("# a comment\n   VARIANTS = l4-classic\n", "no KEY = value line is above it"),
])
def test_bad_experiment_files_name_the_problem(fake_repo, body, words):
    p = write_exp(fake_repo, "bad", body)
    with pytest.raises(UsageError, match=words) as e:
        config.load_experiment(p, fake_repo)
    assert "bad.conf" in str(e.value)


def test_a_workload_needs_a_figure(fake_repo):
    (fake_repo / "bench" / "guest" / "workloads").mkdir(parents=True, exist_ok=True)
    (fake_repo / "bench" / "guest" / "workloads" / "toy.c").write_text("")
    p = write_exp(fake_repo, "nofig", "VARIANTS = l4-classic\nWORKLOAD = toy\n")
    with pytest.raises(UsageError, match="needs a FIGURE"):
        config.load_experiment(p, fake_repo)


# ------------------------------------------------------------------ workload logs

def workload_log(variant="l4-classic", workload="toy", plan=2, cases=2, values=None,
                 plan_after=False):
    head = log_text(variant).split("\n")[:4]
    head[2] = head[2] + f" workload={workload}"
    out = head[:]
    body = []
    for i in range(cases):
        vals = values[i] if values else [10 * (i + 1)] * 4
        body += [f"IPCLAB 2 CASE id={i} bench=toy space=self len={1 << i} metric=cost "
                 f"overhead=0 samples=4",
                 "IPCLAB 2 DATA id=%d %s" % (i, " ".join(map(str, vals))),
                 f"IPCLAB 2 CASE-END id={i} count=4 sum={sum(vals)}"]
    if plan is not None:
        if plan_after:
            body.insert(3, f"IPCLAB 2 PLAN cases={plan}")
        else:
            body.insert(0, f"IPCLAB 2 PLAN cases={plan}")
    out += body
    out += ["IPCLAB 2 CHECK name=toy_ok expect=1 got=1 result=pass",
            f"IPCLAB 2 END status=ok cases={cases} checks=1 failed=0", ""]
    return "\n".join(out)


def judge_text(text, workload="toy"):
    log = logparse.parse(text)
    return log, logparse.validate(log, exit_code=1, variant=config.load_variant(
        "l4-classic"), clock="icount", samples=4, warmup=1, workload=workload)


def test_workload_log_with_its_plan_is_good():
    log, p = judge_text(workload_log())
    assert p == [] and log.plan == 2 and len(log.cases) == 2


@pytest.mark.parametrize("kw,kind,words", [
    (dict(cases=1), "missing-case", "PLAN cases=2 but 1 CASE"),
    (dict(plan=None), "missing-case", "no PLAN line"),
    (dict(plan_after=True), "malformed", "PLAN after the first CASE"),
    (dict(workload="other"), "config", "workload=other but workload=toy"),
])
def test_workload_log_faults(kw, kind, words):
    log, p = judge_text(workload_log(**kw))
    assert any(x.kind == kind and words in x.message for x in p), p


def test_an_ipc_log_is_still_judged_by_its_fixed_cases():
    log, p = judge_text(log_text("l4-classic"), workload="ipc")
    assert p == []
    log, p = judge_text(log_text("l4-classic"), workload="toy")
    assert any("workload=ipc but workload=toy" in x.message for x in p)


# ------------------------------------------------------------------ a whole run

def test_experiment_run_stores_verdict_figure_and_reanalyses_the_same(fake_repo):
    (fake_repo / "bench" / "guest" / "workloads").mkdir(parents=True, exist_ok=True)
    (fake_repo / "bench" / "guest" / "workloads" / "toy.c").write_text("")
    write_exp(fake_repo, "toy", """\
        TITLE    = Toy lesson
        AXIS     = DEST
        VARIANTS = l4-classic sel4-like
        WORKLOAD = toy
        ARGS     = rounds=3
        CLAIM    = endpoints are cheaper here
        VERDICT  = median("sel4-like", "toy/self/cost/len1") <
                   median("l4-classic", "toy/self/cost/len1")
        VERDICT_TEXT = sel4-like costs less
        FIGURE   = lines bench=toy space=self metric=cost
        XLABEL   = sources
        """)
    fake_repo.make_image("l4-classic", text=workload_log("l4-classic"))
    fake_repo.make_image("sel4-like", text=workload_log(
        "sel4-like", values=[[7, 7, 7, 7], [9, 9, 9, 9]]))
    exp = config.resolve_experiment("toy", fake_repo)
    lines = []
    path, meta, ok = bench.run_bench(
        config.resolve_variants(exp.variants, fake_repo), ICOUNT, samples=4, warmup=1,
        build=False, repo=fake_repo, results_dir=fake_repo / "results", experiment=exp,
        progress=lines.append)
    assert ok, "\n".join(lines)
    v = meta["verdicts"]["toy"]
    assert v["state"] == "agrees"
    assert v["values"] == {"median(sel4-like, toy/self/cost/len1)": 7,
                           "median(l4-classic, toy/self/cost/len1)": 10}
    # the boots were asked for the workload and its args
    boot_cmd = meta["variants"]["sel4-like"]["boot_cmd"]
    assert "mode=toy" in boot_cmd and "rounds=3" in boot_cmd
    summary = (path / "summary.md").read_text()
    assert "## Verdicts against the paper" in summary and "**agrees**" in summary
    assert "endpoints are cheaper here" in summary and "## Workload toy" in summary
    assert (path / "figures" / "experiment-toy.png").stat().st_size > 1000
    assert not (path / "figures" / "oneway-len0.png").exists()   # no IPC cases to draw
    stored = json.loads((path / "meta.json").read_text())
    assert stored["experiment"]["verdict"].startswith('median("sel4-like"')
    # reanalyse from the logs: the same verdict from the stored rule, even after the
    # experiment file changed
    write_exp(fake_repo, "toy", "VARIANTS = l4-classic\n")
    (path / "meta.json").chmod(0o644)
    reanalyse.reanalyse(path, repo=fake_repo, progress=lambda *_: None)
    again = json.loads((path / "meta.json").read_text())
    assert again["verdicts"]["toy"] == v


def test_matrix_run_judges_every_lesson_it_covers(fake_repo):
    fake_repo.make_image("l4-classic", "good-l4-classic.log")
    fake_repo.make_image("classic-nofast", text=log_text("classic-nofast", base=900))
    write_exp(fake_repo, "fast", """\
        TITLE = fast
        AXIS = FASTPATH
        VARIANTS = l4-classic classic-nofast
        CLAIM = the fast path matters
        VERDICT = median("classic-nofast", "ipc/cross/call/len0") >
                  median("l4-classic", "ipc/cross/call/len0")
        VERDICT_TEXT = slower without
        """)
    path, meta, ok = bench.run_bench(
        config.resolve_variants(["l4-classic", "classic-nofast"], fake_repo), ICOUNT,
        samples=4, warmup=1, build=False, repo=fake_repo,
        results_dir=fake_repo / "results", figures=False, progress=lambda *_: None)
    assert ok
    assert meta["verdicts"]["fast"]["state"] == "agrees"
    # lessons whose variants the run did not ask for are not judged
    assert "destinations" not in meta["verdicts"]


def test_a_workload_case_may_have_fewer_samples_but_not_more():
    text = workload_log().replace("len=2 metric=cost overhead=0 samples=4",
                                  "len=2 metric=cost overhead=0 samples=1")
    text = text.replace("IPCLAB 2 DATA id=1 20 20 20 20", "IPCLAB 2 DATA id=1 20")
    text = text.replace("CASE-END id=1 count=4 sum=80", "CASE-END id=1 count=1 sum=20")
    log, p = judge_text(text)
    assert p == [], p
    text = workload_log().replace("len=2 metric=cost overhead=0 samples=4",
                                  "len=2 metric=cost overhead=0 samples=5")
    text = text.replace("IPCLAB 2 DATA id=1 20 20 20 20", "IPCLAB 2 DATA id=1 20 20 20 20 20")
    text = text.replace("CASE-END id=1 count=4 sum=80", "CASE-END id=1 count=5 sum=100")
    log, p = judge_text(text)
    assert any("samples=5, BEGIN says 4" in x.message for x in p), p


# ------------------------------------------------------------------ the time lessons' additions

def test_lines_may_draw_several_statistics():
    s = figspec.parse("lines bench=preempt space=self metric=latency stat=median,p99,max "
                      "logx logy")
    assert s.stats == ["median", "p99", "max"] and s.stat == "median"
    with pytest.raises(UsageError, match="only lines draws several"):
        figspec.parse("bars cases=a/self/b/len0 stat=median,max")
    with pytest.raises(UsageError, match="stat=p50"):
        figspec.parse("lines bench=a space=self metric=b stat=median,p50")


def test_a_count_may_be_zero_a_time_may_not():
    text = workload_log(values=[[0, 0, 1, 0], [5, 6, 7, 8]]).replace(
        "len=1 metric=cost", "len=1 metric=count_picks")
    log = logparse.parse(text)
    p = logparse.validate(log, exit_code=1, variant=config.load_variant("l4-classic"),
                          clock="icount", samples=4, warmup=1, workload="toy", min_value=1)
    assert p == [], p
    log = logparse.parse(workload_log(values=[[0, 0, 1, 0], [5, 6, 7, 8]]))
    p = logparse.validate(log, exit_code=1, variant=config.load_variant("l4-classic"),
                          clock="icount", samples=4, warmup=1, workload="toy", min_value=1)
    assert any(x.kind == "implausible" and "below 1" in x.message for x in p), p


def test_ylabel_and_note_reach_the_run(fake_repo):
    (fake_repo / "bench" / "guest" / "workloads").mkdir(parents=True, exist_ok=True)
    (fake_repo / "bench" / "guest" / "workloads" / "toy.c").write_text("")
    p = write_exp(fake_repo, "toy", """\
        VARIANTS = l4-classic
        WORKLOAD = toy
        FIGURE   = lines bench=toy space=self metric=cost stat=median,p99,max
        YLABEL   = interrupt latency
        NOTE     = Latencies are guest instructions under icount.
        """)
    meta = config.load_experiment(p, fake_repo).as_meta()
    assert meta["ylabel"] == "interrupt latency"
    assert meta["note"] == "Latencies are guest instructions under icount."


def test_lines_panels_take_p99_and_max_from_the_samples(tmp_path):
    from ipclab import expfigures
    samples = pd.DataFrame([{"variant": "a", "bench": "w", "space": "self",
                             "metric": "lat", "len": 1, "value": float(v)}
                            for v in list(range(1, 101))])
    st = pd.DataFrame([{"variant": "a", "bench": "w", "space": "self", "metric": "lat",
                        "len": 1, "median": 50.5, "mean": 50.5, "min": 1.0, "ci95": 0.0,
                        "raw_max": 100.0}])
    assert expfigures._stat(st, samples, "a", "w", "self", "lat", 1, "max") == 100.0
    assert expfigures._stat(st, samples, "a", "w", "self", "lat", 1, "p99") == \
        pytest.approx(99.01)
    assert expfigures._stat(st, None, "a", "w", "self", "lat", 1, "median") == 50.5
    exp = {"name": "t", "title": "t", "variants": ["a"], "figure":
           "lines bench=w space=self metric=lat stat=median,p99,max",
           "ylabel": "latency", "note": "Guest instructions under icount."}
    meta = {"clock": "icount", "unit": "guest instructions", "run_id": "r",
            "git": {"short": "abc"}}
    files = expfigures.draw(exp, st, meta, tmp_path, formats=["png"], samples=samples)
    dat = (tmp_path / "experiment-t.dat").read_text()
    assert "# median a" in dat and "# p99 a" in dat and "# max a" in dat
    assert "1 100 0" in dat
    assert files and files[0].stat().st_size > 1000


def test_several_figures_and_free_text():
    specs = figspec.parse_all("lines bench=a space=self metric=b title=cost_per_event; "
                              "bars cases=a/self/b/len0 ylabel=kernel_bytes")
    assert [s.kind for s in specs] == ["lines", "bars"]
    assert specs[0].words("title") == "cost per event"
    with pytest.raises(UsageError, match="figure 2"):
        figspec.parse_all("lines bench=a space=self metric=b; pie")
    with pytest.raises(UsageError, match="empty figure"):
        figspec.parse_all("lines bench=a space=self metric=b;")


def test_lines_with_several_benches_draw_a_line_per_variant_and_bench(tmp_path):
    """bench=a,b: one line for each variant and bench the run has (the modes a workload
    runs in each variant), labelled 'variant: bench'; pairs without data are left out."""
    import pandas as pd
    from ipclab import expfigures
    spec = figspec.parse("lines bench=block,zero space=cross metric=throughput")
    assert spec.benches == ["block", "zero"]
    rows = [("v1", "block", 0, 10.0), ("v1", "block", 1, 0.0), ("v1", "zero", 0, 10.0),
            ("v1", "zero", 1, 9.0), ("v2", "zero", 0, 8.0), ("v2", "zero", 1, 7.0)]
    st = pd.DataFrame([{"variant": v, "bench": b, "space": "cross", "metric": "throughput",
                        "len": n, "median": y, "mean": y, "min": y, "ci95": 0.0}
                       for v, b, n, y in rows])
    meta = {"clock": "icount", "git": {"short": "abc"}, "run_id": "r"}
    files = expfigures.draw({"name": "toy", "figure": "lines bench=block,zero space=cross "
                                                      "metric=throughput",
                             "variants": ["v1", "v2"]}, st, meta, tmp_path, formats=["svg"])
    dat = (tmp_path / "experiment-toy.dat").read_text()
    # a block per statistic (one here: the median) and line, statistic-major
    assert [l for l in dat.splitlines() if l.startswith("#")] == [
        "# median v1: block", "# median v1: zero", "# median v2: zero"]
    assert all(f.exists() for f in files)
    with pytest.raises(UsageError, match="or a list of names"):
        figspec.parse("lines bench=a,B space=cross metric=m")


def test_metrics_with_their_own_units_are_not_held_to_instruction_bounds():
    """A rate that may be 0 (no honest call got through) or a count of calls is not a
    counter reading: an experiment's UNITS exempt it from the icount plausibility
    bounds, which still hold for every other metric."""
    from ipclab import limits
    text = workload_log().replace("IPCLAB 2 DATA id=1 20 20 20 20", "IPCLAB 2 DATA id=1 0 0 0 0")
    text = text.replace("CASE-END id=1 count=4 sum=80", "CASE-END id=1 count=4 sum=0")
    log = logparse.parse(text)
    kw = dict(exit_code=1, variant=config.load_variant("l4-classic"), clock="icount",
              samples=4, warmup=1, workload="toy", min_value=1)
    assert any("below 1" in p.message for p in logparse.validate(log, **kw))
    assert logparse.validate(log, own_unit_metrics=frozenset({"cost"}), **kw) == []
    assert limits.implausible(log, "icount", 1e-9, "guest instructions")
    assert limits.implausible(log, "icount", 1e-9, "guest instructions",
                              frozenset({"cost"})) == []


def test_lines_with_several_benches_and_statistics_draw_a_panel_per_statistic(tmp_path):
    """bench=a,b with stat=median,max: the same lines in each statistic's panel, the
    blocks statistic-major, so the gnuplot script's nvar x npanel blocks line up."""
    import pandas as pd
    from ipclab import expfigures
    rows = [("v1", "block", 0, 10.0), ("v1", "zero", 0, 9.0), ("v2", "zero", 0, 8.0)]
    st = pd.DataFrame([{"variant": v, "bench": b, "space": "cross", "metric": "throughput",
                        "len": n, "median": y, "mean": y, "min": y, "max": y + 1,
                        "raw_max": y + 1, "ci95": 0.0} for v, b, n, y in rows])
    meta = {"clock": "icount", "git": {"short": "abc"}, "run_id": "r"}
    files = expfigures.draw({"name": "toy2", "figure": "lines bench=block,zero space=cross "
                                                       "metric=throughput stat=median,max",
                             "variants": ["v1", "v2"]}, st, meta, tmp_path, formats=["svg"])
    dat = (tmp_path / "experiment-toy2.dat").read_text()
    heads = [l for l in dat.splitlines() if l.startswith("#")]
    assert heads == [f"# {s} {n}" for s in ("median", "max")
                     for n in ("v1: block", "v1: zero", "v2: zero")]
    assert all(f.exists() for f in files)
