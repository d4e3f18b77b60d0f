"""The architecture as a dimension of runs (multiarch.py): one run per architecture and
a report across them, a baseline per architecture, variants an axis value forbids on an
architecture, the host benchmarks only with the run of the host's ISA."""
import json
import shutil

import pandas as pd
import pytest

from make_fixtures import log_text
from ipclab import arches, bench, cli, clock, config, multiarch, store
from ipclab.config import UsageError, configure

ICOUNT = clock.CLOCKS["icount"]
ALL = ["x86_64", "aarch64", "riscv64"]
# invented per-arch offsets, so that a cell of the report can be traced to its arch
BASE = {"x86_64": 300, "aarch64": 400, "riscv64": 500}
needs_gnuplot = pytest.mark.skipif(shutil.which("gnuplot") is None, reason="no gnuplot")


def arch_log(name, arch):
    """A fixture log of `name` as a boot of `arch` prints it (its counter, its numbers)."""
    return log_text(name, base=BASE[arch]).replace("arch=x86_64", f"arch={arch}") \
        .replace("counter=tsc", f"counter={arches.get_arch(arch).counter}")


def make_arch_image(repo, name, arch, text=None):
    d = repo / "build" / arch / name
    d.mkdir(parents=True, exist_ok=True)
    fx = repo / "fixtures" / f"{arch}-{name}.log"
    fx.parent.mkdir(exist_ok=True)
    fx.write_text(text if text is not None else arch_log(name, arch))
    (d / "ipclab.elf").write_text(json.dumps({"fixture": str(fx), "exit": 1}))


@pytest.fixture
def three(cli_repo):
    for a in ALL:
        for v in ("l4-classic", "sel4-like"):
            make_arch_image(cli_repo, v, a)
    return cli_repo


def cli_run(argv, capsys):
    rc = cli.main(argv)
    o = capsys.readouterr()
    return rc, o.out, o.err


SMALL = ["--samples", "4", "--warmup", "1", "--no-build"]
PAIR = ["--variants", "l4-classic,sel4-like"]


# ------------------------------------------------------------------ selection

def test_parse_arches():
    assert multiarch.parse_arches("x86_64,aarch64 riscv64") == ALL
    assert multiarch.parse_arches(["aarch64", "aarch64,x86_64"]) == ["aarch64", "x86_64"]
    with pytest.raises(UsageError, match="(?s)unsupported arch: mips.*x86_64, aarch64, riscv64"):
        multiarch.parse_arches("x86_64,mips")
    with pytest.raises(UsageError, match="no architecture given"):
        multiarch.parse_arches(" , ")


def axes_fastpath_off_x86_only() -> str:
    """kernel/axes.conf with one more value that names ARCH: FASTPATH=off only on
    x86_64 (so classic-nofast, which every architecture builds today, is left out)."""
    text = configure.AXES_FILE.read_text()
    anchor = "requires =\n    asm: ARCH=x86_64"
    assert anchor in text
    return text.replace(anchor, "requires =\n    off: ARCH=x86_64\n    asm: ARCH=x86_64")


def test_a_value_that_cannot_exist_on_an_arch_leaves_the_variant_out(tmp_path):
    # This declares one more value that names ARCH (fast path off only on x86_64), so
    # that a variant every architecture builds today is left out, and checks what the
    # harness does with it.
    f = tmp_path / "axes.conf"
    f.write_text(axes_fastpath_off_x86_only())
    axes = configure.load_axes(f)
    vs = config.resolve_variants(["l4-classic", "classic-nofast"])
    why = multiarch.not_applicable(vs[1], "aarch64", axes)
    assert "FASTPATH=off cannot exist on ARCH=aarch64" in why
    assert multiarch.not_applicable(vs[1], "x86_64", axes) is None
    assert multiarch.not_applicable(vs[0], "aarch64", axes) is None
    keep, left = multiarch.applicable(vs, "riscv64", axes)
    assert [v.name for v in keep] == ["l4-classic"] and list(left) == ["classic-nofast"]
    # the real declaration: every variant exists on x86_64; one left out elsewhere is
    # exactly one the default matrix leaves out (one test, config.arch_refusal), and
    # its reason names an x86_64-only value
    every = list(config.variants().values())
    assert multiarch.applicable(every, "x86_64")[1] == {}
    for a in ALL:
        keep, left = multiarch.applicable(every, a)
        assert [v.name for v in keep] == [v.name for v in config.resolve_variants([], arch=a)]
        assert all(f"cannot exist on ARCH={a}" in why for why in left.values())
    assert "sel4-faithful" in multiarch.applicable(every, "aarch64")[1]


def test_host_benchmarks_only_with_the_host_isa(monkeypatch):
    monkeypatch.setattr(multiarch.platform, "machine", lambda: "x86_64")
    assert multiarch.host_skip_reason("x86_64") is None
    why = multiarch.host_skip_reason("riscv64")
    assert "this x86_64 host" in why and "this run is riscv64" in why
    monkeypatch.setattr(multiarch.platform, "machine", lambda: "arm64")
    assert multiarch.host_skip_reason("aarch64") is None
    assert multiarch.host_skip_reason("x86_64") is not None


def test_host_step_is_skipped_on_another_arch(cli_repo, monkeypatch):
    monkeypatch.setattr(multiarch.platform, "machine", lambda: "x86_64")
    make_arch_image(cli_repo, "sel4-like", "aarch64")

    def must_not_run(*a, **k):
        raise AssertionError("the host benchmarks ran in an aarch64 run")
    monkeypatch.setattr(bench, "_host_step", must_not_run)
    lines = []
    path, meta, ok = bench.run_bench(
        config.resolve_variants(["sel4-like"], cli_repo), ICOUNT, arch="aarch64", samples=4,
        warmup=1, build=False, repo=cli_repo, results_dir=cli_repo / "results",
        figures=False, progress=lines.append,
        host=bench.HostStep(cli_repo / "no-such-bin", [], build=False))
    assert ok and meta["exit_status"] == 0
    assert meta["host_bench"]["status"] == "skipped"
    assert "this run is aarch64" in meta["host_bench"]["reason"]
    assert any(l.startswith("host benchmarks: skipped:") for l in lines)
    assert store.load_meta(path)["host_bench"]["status"] == "skipped"


# ------------------------------------------------------------------ baselines

def test_a_baseline_per_arch(three, capsys):
    assert multiarch.baseline_name("x86_64") == "baseline"
    assert multiarch.baseline_name("riscv64") == "baseline-riscv64"
    results = three / "results"
    rc, out, err = cli_run(["bench", "--variants", "l4-classic,sel4-like", "--arch",
                            "aarch64", *SMALL, "--no-figures"], capsys)
    assert rc == 0, err
    run = store.complete_runs(results)[-1]
    rc, out, err = cli_run(["baseline", "--from", str(run)], capsys)
    assert rc == 0, err
    assert "baseline of aarch64" in out and "git add results/baseline-aarch64" in out
    assert store.load_meta(results / "baseline-aarch64")["arch"] == "aarch64"
    assert not (results / "baseline").exists()
    # a baseline is never a run: not 'latest', listed as a baseline
    assert all(not store.is_baseline(p) for p in store.complete_runs(results))
    assert store.is_baseline(results / "baseline-aarch64")
    assert cli.resolve_run("latest", results) == run
    rc, out, err = cli_run(["runs"], capsys)
    assert "| baseline-aarch64 | baseline |" in out
    # regress of aarch64 is against the aarch64 baseline; x86_64 has none yet
    rc, out, err = cli_run(["regress", "--arch", "aarch64", *PAIR, "--no-build"], capsys)
    assert rc == 0, err + out
    assert f"against {results / 'baseline-aarch64'}" in out and "70 same" in out
    rc, out, err = cli_run(["regress", "--arch", "x86_64", *PAIR, "--no-build"], capsys)
    assert rc == 2 and f"no baseline at {results / 'baseline'}" in err
    assert "make harness-baseline ARCH=x86_64" in err
    # a regression on aarch64 is found against its own baseline
    slower = log_text("sel4-like", base=BASE["aarch64"], bump=7) \
        .replace("arch=x86_64", "arch=aarch64").replace("counter=tsc", "counter=pmccntr_el0")
    make_arch_image(three, "sel4-like", "aarch64", slower)
    rc, out, err = cli_run(["regress", "--arch", "aarch64", *PAIR, "--no-build"], capsys)
    assert rc == 1 and "REGRESSION" in out


def test_regress_and_baseline_take_a_list_of_arches(three, capsys):
    # baseline --run and a plain regress measure every variant: a tree of two
    for f in (three / "variants").glob("*.conf"):
        if f.stem not in ("l4-classic", "sel4-like"):
            f.unlink()
    for f in (three / "variants" / "experiments").glob("*.conf"):
        f.unlink()
    rc, out, err = cli_run(["baseline", "--run", "--arch", "x86_64,riscv64", *SMALL],
                           capsys)
    assert rc == 0, err
    results = three / "results"
    assert store.load_meta(results / "baseline")["arch"] == "x86_64"
    assert store.load_meta(results / "baseline-riscv64")["arch"] == "riscv64"
    assert "== architecture riscv64 (2/2) ==" in out
    rc, out, err = cli_run(["regress", "--arch", "x86_64,riscv64", "--no-build"], capsys)
    assert rc == 0, err
    assert out.count(f"against {results / 'baseline'} ") == 1
    assert out.count(f"against {results / 'baseline-riscv64'} ") == 1
    rc, out, err = cli_run(["regress", "--arch", "x86_64,riscv64", "--baseline",
                            str(results / "baseline")], capsys)
    assert rc == 2 and "give one --arch" in err


# ------------------------------------------------------------------ the matrix

@needs_gnuplot
def test_bench_across_arches_stores_a_run_each_and_a_report(three, capsys):
    # the runs' own figures are the single-arch ones (tested elsewhere): not drawn here
    rc, out, err = cli_run(["bench", "--variants", "l4-classic,sel4-like", "--arch",
                            "riscv64,x86_64,aarch64", *SMALL, "--no-figures", "--results",
                            str(three / "results")], capsys)
    assert rc == 0, err
    runs = store.complete_runs(three / "results")
    assert sorted(store.load_meta(r)["arch"] for r in runs) == sorted(ALL)
    reports = list((three / "results" / "crossarch").iterdir())
    assert len(reports) == 1
    rep = reports[0]
    meta = json.loads((rep / "meta.json").read_text())
    # the report orders the architectures as the harness's table does
    assert [r["arch"] for r in meta["runs"]] == ALL
    assert meta["variants"] == ["l4-classic", "sel4-like"] and meta["warnings"] == []
    summary = (rep / "summary.md").read_text()
    assert "| variant | transfer | sched | dest | x86_64 null syscall |" in summary
    # cross call len0 = base + 200 (make_fixtures), median of v, v+1, v, v+1
    row = next(l for l in summary.splitlines() if l.startswith("| l4-classic | regs"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    # per arch: the null syscall (120.5: the fixture's does not depend on base), cross
    # call and reply (base + 200.5)
    assert cells[-9:] == ["120.5", f"{BASE['x86_64'] + 200.5:g}", f"{BASE['x86_64'] + 200.5:g}",
                          "120.5", f"{BASE['aarch64'] + 200.5:g}", f"{BASE['aarch64'] + 200.5:g}",
                          "120.5", f"{BASE['riscv64'] + 200.5:g}", f"{BASE['riscv64'] + 200.5:g}"]
    ratio_row = next(l for l in summary.split("## cross call: median")[1].splitlines()
                     if l.startswith("| l4-classic |"))
    assert ratio_row.endswith(f"| {(BASE['aarch64'] + 200.5) / (BASE['x86_64'] + 200.5):.2f} "
                              f"| {(BASE['riscv64'] + 200.5) / (BASE['x86_64'] + 200.5):.2f} |")
    csv = pd.read_csv(rep / "crossarch.csv")
    assert set(csv.arch) == set(ALL) and set(csv.variant) == {"l4-classic", "sel4-like"}
    one = csv[(csv.variant == "sel4-like") & (csv.case == "ipc/cross/call/len0")]
    assert dict(zip(one.arch, one["median"])) == {a: BASE[a] + 200.5 for a in ALL}
    assert set(one.run_id) == {r.name for r in runs}
    assert meta["figures"] == [] and "cross-architecture report:" in out
    assert "| l4-classic |" in out
    # the report again from the stored runs (the newest of each arch), with figures
    rc, out, err = cli_run(["crossarch", "--out", str(three / "figs")], capsys)
    assert rc == 0, err
    for name, *_ in multiarch.FIGURES:
        for ext in ("png", "svg", "pdf"):
            assert (three / "figs" / "figures" / f"{name}.{ext}").stat().st_size > 0
    dat = (three / "figs" / "figures" / "arch-cross-call-len0.dat").read_text().splitlines()
    # a group per variant: per arch (x86_64, aarch64, riscv64) mean, ci95, median, mark
    cols = dat[1].split()
    assert cols[:2] == ["0", "l4-classic"] and len(cols) == 2 + 4 * 3
    for k, a in enumerate(ALL):
        mean, ci, median, mark = cols[2 + 4 * k: 6 + 4 * k]
        assert (mean, median, mark) == (f"{BASE[a] + 200.5:g}", f"{BASE[a] + 200.5:g}", '""')
        assert float(ci) > 0
    # a selection of variants, into a folder of one's choice
    rc, out, err = cli_run(["crossarch", "--out", str(three / "again"), "--no-figures",
                            "--variants", "sel4-like"], capsys)
    assert rc == 0, err
    again = (three / "again" / "summary.md").read_text()
    assert "| sel4-like |" in again and "| l4-classic |" not in again


def test_crossarch_marks_what_was_not_measured(three, capsys):
    make_arch_image(three, "sel4-like", "riscv64", arch_log("sel4-like", "riscv64")
                    .replace("result=pass", "result=fail", 1).replace("failed=0", "failed=1"))
    rc, out, err = cli_run(["bench", "--variants", "l4-classic,sel4-like", "--arch",
                            "x86_64,riscv64", *SMALL, "--no-figures"], capsys)
    assert rc == 1                                  # a variant failed on riscv64
    rep = next((three / "results" / "crossarch").iterdir())
    summary = (rep / "summary.md").read_text()
    row = next(l for l in summary.splitlines() if l.startswith("| sel4-like |"))
    assert row.rstrip(" |").endswith("FAIL | FAIL | FAIL")
    assert "- sel4-like on riscv64: FAILED" in summary
    # a variant left out of an arch's run (as an axis value forbidden there would) is n/a
    runs = [store.load_run(p) for p in store.complete_runs(three / "results")]
    rv = next(r for r in runs if r.meta["arch"] == "riscv64")
    rv.meta["not_applicable"] = {"l4-classic": "variant 'l4-classic': option X=y cannot "
                                 "exist on ARCH=riscv64: it requires ARCH=x86_64"}
    rv.meta["variants"].pop("l4-classic")
    rv.stats = rv.stats[rv.stats.variant != "l4-classic"]
    out_dir = three / "na"
    meta = multiarch.write_report(runs, out_dir, figures=shutil.which("gnuplot") is not None,
                                  progress=lambda *_: None)
    text = (out_dir / "summary.md").read_text()
    row = next(l for l in text.splitlines() if l.startswith("| l4-classic |"))
    assert row.rstrip(" |").endswith("n/a | n/a | n/a")
    assert "- l4-classic on riscv64: not applicable: variant 'l4-classic'" in text
    if meta["figures"]:         # the figure marks the missing bars with the reason
        dat = (out_dir / "figures" / "arch-cross-call-len0.dat").read_text().splitlines()
        l4 = next(l for l in dat if " l4-classic " in l).split()
        s4 = next(l for l in dat if " sel4-like " in l).split()
        assert l4[-4:] == ["NaN", "NaN", "NaN", '"n/a"'] and l4[5] == '""'
        assert s4[-1] == '"FAIL"'


def test_crossarch_refusals_and_warnings(three, capsys):
    for a in ("x86_64", "aarch64"):
        assert cli_run(["bench", "--variants", "sel4-like", "--arch", a, *SMALL,
                        "--no-figures"], capsys)[0] == 0
    runs = [store.load_run(p) for p in store.complete_runs(three / "results")]
    with pytest.raises(UsageError, match="two runs of x86_64"):
        multiarch.check_runs([runs[0], runs[0]])
    b = store.Run(runs[1].path, dict(runs[1].meta, clock="tcg", samples=8,
                                     git=dict(runs[1].meta["git"], commit="f" * 40,
                                              short="ffffffff", dirty=True)),
                  runs[1].samples, runs[1].stats)
    with pytest.raises(UsageError, match="different clocks.*--force"):
        multiarch.check_runs([runs[0], b])
    warn = multiarch.check_runs([runs[0], b], force=True)
    text = " ".join(warn)
    assert "FORCED: runs of different clocks" in text and "different samples" in text
    assert "different commits" in text and "DIRTY tree: aarch64" in text
    rc, out, err = cli_run(["crossarch", str(runs[0].path), str(runs[0].path)], capsys)
    assert rc == 2 and "two runs of x86_64" in err
    rc, out, err = cli_run(["crossarch", "--variants", "nope"], capsys)
    assert rc == 2 and "no run has results for nope" in err
    rc, out, err = cli_run(["crossarch", "--out", str(runs[0].path / "x")], capsys)
    assert rc == 2 and "inside the stored run" in err


def test_make_takes_arches(tmp_path):
    import subprocess
    from conftest import REPO
    def dry(*words):
        p = subprocess.run(["make", "-n", "--no-print-directory", *words], cwd=REPO,
                           capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
        return p.returncode, p.stdout + p.stderr
    rc, text = dry("harness-bench", "ARCHES=x86_64 aarch64 riscv64")
    assert rc == 0 and "--arch x86_64,aarch64,riscv64" in text
    rc, text = dry("harness-bench", "ARCHES=all")
    assert rc == 0 and "--arch x86_64,aarch64,riscv64" in text
    rc, text = dry("harness-regress", "ARCH=aarch64")
    assert rc == 0 and "regress" in text and "--arch aarch64" in text
    rc, text = dry("harness-verify", "ARCHES=aarch64 riscv64")
    assert rc == 0 and "--arch aarch64,riscv64" in text
    rc, text = dry("harness-bench", "ARCHES=x86_64 mips")
    assert rc != 0 and "unknown arch 'mips' in ARCHES" in text


def test_bench_leaves_out_what_cannot_exist_on_an_arch(three, capsys, monkeypatch, tmp_path):
    f = tmp_path / "axes.conf"
    f.write_text(axes_fastpath_off_x86_only())
    monkeypatch.setattr(config, "axes", lambda: configure.load_axes(f))
    for a in ("x86_64", "aarch64"):
        make_arch_image(three, "classic-nofast", a)
    rc, out, err = cli_run(["bench", "--variants", "l4-classic,classic-nofast", "--arch",
                            "x86_64,aarch64", *SMALL, "--no-figures"], capsys)
    assert rc == 0, err
    assert "aarch64: classic-nofast left out: variant 'classic-nofast': option " \
           "FASTPATH=off cannot exist on ARCH=aarch64" in out
    runs = {store.load_meta(p)["arch"]: store.load_meta(p)
            for p in store.complete_runs(three / "results")}
    assert runs["aarch64"]["variant_order"] == ["l4-classic"]
    assert "FASTPATH=off" in runs["aarch64"]["not_applicable"]["classic-nofast"]
    assert "not_applicable" not in runs["x86_64"]
    rep = next((three / "results" / "crossarch").iterdir())
    row = next(l for l in (rep / "summary.md").read_text().splitlines()
               if l.startswith("| classic-nofast |"))
    assert row.rstrip(" |").endswith("n/a | n/a | n/a")
    # nothing selected exists on aarch64: a multi-arch run goes on without it ...
    rc, out, err = cli_run(["bench", "--variants", "classic-nofast", "--arch",
                            "x86_64,aarch64", *SMALL, "--no-figures"], capsys)
    assert rc == 0 and "aarch64: left out: none of the selected variants" in out
    # ... a run of that arch alone is refused, with the reason
    rc, out, err = cli_run(["bench", "--variants", "classic-nofast", "--arch", "aarch64",
                            *SMALL, "--no-figures"], capsys)
    assert rc == 2 and "none of the selected variants can exist on aarch64" in err
