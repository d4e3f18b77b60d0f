"""Runner, store, compare and figures against the fake QEMU (nothing is booted)."""
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import fixture_text
from ipclab import bench, clock, compare, config, plots, store

ICOUNT = clock.CLOCKS["icount"]


def run(repo, names, **kw):
    variants = config.resolve_variants(names, repo)
    lines = []
    kw.setdefault("samples", 4)
    kw.setdefault("warmup", 1)
    path, meta, ok = bench.run_bench(variants, kw.pop("clk", ICOUNT), build=False,
                                     repo=repo, results_dir=repo / "results",
                                     progress=lines.append, **kw)
    return path, meta, ok, "\n".join(lines)


def test_good_run_is_stored_complete(fake_repo):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    fake_repo.make_image("l4-classic", "good-l4-classic.log")
    path, meta, ok, out = run(fake_repo, ["sel4-like", "l4-classic"], figures=False)
    assert ok, out
    assert store.is_complete(path) and not list((fake_repo / "results").glob(".partial-*"))
    r = store.load_run(path)
    assert set(r.samples.variant) == {"sel4-like", "l4-classic"}
    assert list(r.samples.columns) == store.sample_cols()
    row = r.samples.iloc[0]
    assert row.unit == "guest instructions" and row.clock == "icount"
    assert (path / "logs" / "sel4-like.log").read_text().startswith("SeaBIOS")
    assert meta["variants"]["sel4-like"]["boot_cmd"].count("-icount shift=0") == 1
    assert "[1/2]" in out and "[2/2]" in out and "ok" in out
    assert (path / "summary.md").read_text().count("| sel4-like |") >= 1
    assert r.meta["timings_s"]["total_wall"] > 0


def test_failures_do_not_stop_the_matrix(fake_repo):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    fake_repo.make_image("sel4-tid", "truncated.log", sleep=30)    # hangs
    fake_repo.make_image("sel4-mem", "panic.log", exit=5)
    fake_repo.make_image("sel4-regs", None, exit=-1 & 0xff,               # crash (255)
                         stderr="qemu: failed to set MSR 0x10a")
    fake_repo.make_image("sel4-lazy", "malformed.log")
    # classic-mem: no image at all -> build failure
    names = ["sel4-like", "sel4-tid", "sel4-mem", "sel4-regs", "sel4-lazy", "classic-mem"]
    path, meta, ok, out = run(fake_repo, names, timeout=2, figures=False)
    assert not ok
    st = {v: i["status"] for v, i in meta["variants"].items()}
    assert st == {"sel4-like": "ok", "sel4-tid": "timeout", "sel4-mem": "panic",
                  "sel4-regs": "qemu-exit", "sel4-lazy": "malformed",
                  "classic-mem": "build-failed"}
    r = store.load_run(path)
    assert set(r.samples.variant) == {"sel4-like"}       # nothing unmeasured recorded
    assert "logs/sel4-tid.log" in out and "FAIL" in out
    assert "failed to set MSR 0x10a" in out                 # QEMU's own complaint shown
    assert "FAILED:" in out
    assert "sel4-tid" in (path / "summary.md").read_text()


def test_interrupted_run_never_loads(fake_repo, monkeypatch):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")

    def boom(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(store, "write_tables", boom)
    with pytest.raises(KeyboardInterrupt):
        run(fake_repo, ["sel4-like"], figures=False)
    partial = list((fake_repo / "results").glob(".partial-*"))
    assert len(partial) == 1
    assert store.complete_runs(fake_repo / "results") == []
    with pytest.raises(store.RunError, match="incomplete"):
        store.load_run(partial[0])


def _two_runs(fake_repo, second_fixture):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    a, *_ = run(fake_repo, ["sel4-like"], figures=False)
    fake_repo.make_image("sel4-like", second_fixture)
    b, *_ = run(fake_repo, ["sel4-like"], figures=False)
    return store.load_run(a), store.load_run(b)


def test_identical_runs_pass(fake_repo):
    a, b = _two_runs(fake_repo, "good-sel4-like.log")
    c = compare.compare_runs(a, b)
    assert c.mode == "exact" and not c.regressed
    assert set(c.rows.verdict) == {"same"}
    assert "Every case is identical" in compare.markdown(c)


def test_seeded_change_is_caught(fake_repo, tmp_path):
    a, b = _two_runs(fake_repo, "good-sel4-like-slower.log")      # every case +7
    c = compare.compare_runs(a, b)
    assert c.regressed
    r = c.rows[(c.rows.bench == "ipc") & (c.rows.space == "cross") &
               (c.rows.metric == "call") & (c.rows["len"] == 0)].iloc[0]
    assert r.verdict == "REGRESSION" and r.delta == 7 and r.old_mean == 500.5
    md = compare.markdown(c)
    assert "REGRESSION" in md and "+7" in md
    assert compare.write_report(c, tmp_path / "r.md")[0].read_text() == md
    back = compare.compare_runs(b, a)                            # the other way round
    assert not back.regressed
    assert set(back.rows[back.rows.bench == "ipc"].verdict) == {"improvement"}
    assert set(back.rows[back.rows.bench != "ipc"].verdict) == {"same"}   # not bumped


def _bump_one_sample(fake_repo, case_id, index, by):
    """A copy of good-sel4-like.log with one sample of one case changed by `by`."""
    text = fixture_text("good-sel4-like.log")
    lines = text.splitlines()
    i = next(k for k, l in enumerate(lines) if l.startswith(f"IPCLAB 2 DATA id={case_id} "))
    vals = lines[i].split()
    vals[4 + index] = str(int(vals[4 + index]) + by)
    lines[i] = " ".join(vals)
    j = next(k for k, l in enumerate(lines) if l.startswith(f"IPCLAB 2 CASE-END id={case_id} "))
    s = int(lines[j].split("sum=")[1])
    lines[j] = lines[j].split("sum=")[0] + f"sum={s + by}"
    fx = fake_repo / f"bumped-{case_id}-{by}.log"
    fx.write_text("\n".join(lines) + "\n")
    d = fake_repo / "build" / "x86_64" / "sel4-like" / "ipclab.elf"
    d.write_text(json.dumps({"fixture": str(fx), "exit": 1}))


def test_single_instruction_change_is_caught(fake_repo):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    a, *_ = run(fake_repo, ["sel4-like"], figures=False)
    _bump_one_sample(fake_repo, 9, 0, +1)
    b, *_ = run(fake_repo, ["sel4-like"], figures=False)
    c = compare.compare_runs(store.load_run(a), store.load_run(b))
    changed = c.rows[c.rows.verdict != "same"]
    assert len(changed) == 1 and changed.iloc[0].verdict == "REGRESSION"
    assert changed.iloc[0].delta == 0.25                 # +1 over 4 samples


def test_moved_timer_interrupt_is_changed_not_regression(fake_repo):
    # a timer tick (+131 instructions) landing in another sample after an unrelated
    # change: reported as changed, but the IPC path did not get slower
    from make_fixtures import log_text

    def image(text):
        fx = fake_repo / f"fx{abs(hash(text))}.log"
        fx.write_text(text)
        d = fake_repo / "build" / "x86_64" / "sel4-like"
        d.mkdir(parents=True, exist_ok=True)
        (d / "ipclab.elf").write_text(json.dumps({"fixture": str(fx), "exit": 1}))

    base = log_text("sel4-like", samples=20)
    lines = [l for l in base.splitlines() if not l.startswith("IPCLAB 2 DATA id=9 ")]
    j = next(k for k, l in enumerate(lines) if l.startswith("IPCLAB 2 CASE-END id=9 "))

    def tick_at(idx):
        vals = [300] * 20
        if idx is not None:
            vals[idx] += 131
        out = list(lines)
        out[j:j + 1] = ["IPCLAB 2 DATA id=9 " + " ".join(map(str, vals[:16])),
                        "IPCLAB 2 DATA id=9 " + " ".join(map(str, vals[16:])),
                        f"IPCLAB 2 CASE-END id=9 count=20 sum={sum(vals)}"]
        return "\n".join(out) + "\n"
    base = tick_at(None)
    image(base)
    a, *_ = run(fake_repo, ["sel4-like"], figures=False, samples=20)
    image(tick_at(3))                             # the tick now lands in this case
    b, *_ = run(fake_repo, ["sel4-like"], figures=False, samples=20)
    image(tick_at(7))                             # ... in another sample of it
    d, *_ = run(fake_repo, ["sel4-like"], figures=False, samples=20)
    a, b, d = (store.load_run(x) for x in (a, b, d))
    c = compare.compare_runs(a, b)
    changed = c.rows[c.rows.verdict != "same"]
    assert len(changed) == 1 and changed.iloc[0].verdict == "changed", changed
    assert changed.iloc[0].outliers == "0->1" and not c.regressed
    assert "changed" in compare.markdown(c)
    c = compare.compare_runs(b, a)                # the tick leaves the case
    assert not c.regressed and set(c.rows.verdict) == {"same", "changed"}
    c = compare.compare_runs(b, d)                # sample order does not matter
    assert set(c.rows.verdict) == {"same"}


def test_missing_case_and_failed_variant_are_regressions(fake_repo):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    fake_repo.make_image("l4-classic", "good-l4-classic.log")
    a, *_ = run(fake_repo, ["sel4-like", "l4-classic"], figures=False)
    fake_repo.make_image("sel4-like", "panic.log", exit=5)
    b, *_ = run(fake_repo, ["sel4-like", "l4-classic"], figures=False)
    c = compare.compare_runs(store.load_run(a), store.load_run(b))
    assert c.regressed and c.failed_variants == ["sel4-like"]
    assert (c.rows[c.rows.variant == "sel4-like"].verdict == "MISSING").all()
    assert (c.rows[c.rows.variant == "l4-classic"].verdict == "same").all()


def test_statistical_compare(fake_repo):
    a, b = _two_runs(fake_repo, "good-sel4-like.log")
    rng = __import__("numpy").random.default_rng(3)
    for r in (a, b):
        r.meta["clock"] = "kvm"
    a.samples = pd.concat([a.samples.iloc[:1]] * 200, ignore_index=True)
    a.samples["value"] = rng.normal(1000, 10, 200).round()
    b.samples = a.samples.copy()
    b.samples["value"] = rng.normal(1000, 10, 200).round()
    assert not compare.compare_runs(a, b).regressed               # same distribution
    b.samples["value"] = rng.normal(1100, 10, 200).round()
    c = compare.compare_runs(a, b)
    assert c.regressed and c.mode == "statistical"
    b.samples["value"] = rng.normal(1005, 10, 200).round()        # 0.5%: below threshold
    assert not compare.compare_runs(a, b).regressed


def test_compare_refuses_different_clocks(fake_repo):
    a, b = _two_runs(fake_repo, "good-sel4-like.log")
    b.meta["clock"] = "tcg"
    with pytest.raises(compare.CompareError):
        compare.compare_runs(a, b)


def test_kvm_gate_refuses_on_nested_host(fake_repo, monkeypatch):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    monkeypatch.setattr(clock, "kvm_host_checks", lambda **k: {
        "usable": True, "trusted": False, "reasons": ["kvm_pvm is loaded"], "facts": {}})
    with pytest.raises(config.UsageError, match="refused"):
        run(fake_repo, ["sel4-like"], clk=clock.CLOCKS["kvm"], figures=False)


def test_kvm_host_checks_on_fake_proc(tmp_path):
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc" / "cpuinfo").write_text("flags\t\t: fpu vme hypervisor\n")
    (tmp_path / "proc" / "modules").write_text("kvm_pvm 1234 0 - Live 0x0\n")
    (tmp_path / "dev_kvm").write_text("")
    h = clock.kvm_host_checks(proc=str(tmp_path / "proc"), sys=str(tmp_path / "sys"),
                              dev=str(tmp_path / "dev_kvm"), loop=False)
    assert h["usable"] and not h["trusted"]
    assert h["facts"]["kvm_pvm"] and h["facts"]["cpu_hypervisor_flag"]
    (tmp_path / "proc" / "cpuinfo").write_text("flags\t\t: fpu vme\n")
    (tmp_path / "proc" / "modules").write_text("kvm_amd 1 0 - Live 0x0\n")
    h = clock.kvm_host_checks(proc=str(tmp_path / "proc"), sys=str(tmp_path / "sys"),
                              dev=str(tmp_path / "dev_kvm"), loop=False)
    assert h["trusted"]
    h = clock.kvm_host_checks(proc=str(tmp_path / "proc"), sys=str(tmp_path / "sys"),
                              dev=str(tmp_path / "nope"), loop=False)
    assert not h["usable"]
    assert clock.kvm_guest_verdict(8800, 12000) and not clock.kvm_guest_verdict(40, 300)


@pytest.mark.skipif(shutil.which("gnuplot") is None, reason="gnuplot not installed")
def test_figures_are_made_and_not_empty(fake_repo):
    fake_repo.make_image("sel4-like", "good-sel4-like.log")
    fake_repo.make_image("l4-classic", "good-l4-classic.log")
    path, meta, ok, out = run(fake_repo, ["sel4-like", "l4-classic"])
    assert ok, out
    figs = sorted(p.name for p in (path / "figures").iterdir())
    for base in ("oneway-len0", "length-same", "length-cross"):
        for ext in ("png", "svg"):
            f = path / "figures" / f"{base}.{ext}"
            assert f.is_file() and f.stat().st_size > 1000, figs
    svg = (path / "figures" / "oneway-len0.svg").read_text()
    assert "guest instructions" in svg and "clock=icount" in svg
    assert "null-syscall floor" in svg


def _kvm_fixture(fake_repo, counter_read, null_syscall):
    """good-sel4-like.log as if booted under kvm, with chosen calibration costs."""
    text = fixture_text("good-sel4-like.log")
    out = []
    for line in text.splitlines():
        for cid, v in ((0, null_syscall), (1, counter_read)):
            if line.startswith(f"IPCLAB 2 DATA id={cid} "):
                line = f"IPCLAB 2 DATA id={cid} " + " ".join([str(v)] * 4)
            if line.startswith(f"IPCLAB 2 CASE-END id={cid} "):
                line = f"IPCLAB 2 CASE-END id={cid} count=4 sum={4 * v}"
        out.append(line)
    fx = fake_repo / f"kvm-{counter_read}-{null_syscall}.log"
    fx.write_text("\n".join(out) + "\n")
    d = fake_repo / "build" / "x86_64" / "sel4-like"
    d.mkdir(parents=True, exist_ok=True)
    (d / "ipclab.elf").write_text(json.dumps({"fixture": str(fx), "exit": 1}))


def test_kvm_guest_calibration(fake_repo, monkeypatch):
    monkeypatch.setattr(clock, "kvm_host_checks", lambda **k: {
        "usable": True, "trusted": True, "reasons": [], "facts": {}})
    kvm = clock.CLOCKS["kvm"]
    # a real host: rdtsc pair ~40 cycles, null syscall ~300 -> trusted run
    _kvm_fixture(fake_repo, 40, 300)
    path, meta, ok, out = run(fake_repo, ["sel4-like"], clk=kvm, figures=False)
    assert ok and meta["trusted"] is True and meta["kvm"]["guest"]["counter_read_median"] == 40
    assert store.load_run(path).samples.unit.iloc[0] == "cycles"
    # rdtsc traps (~4400 cycles a read): refused ...
    _kvm_fixture(fake_repo, 8800, 9000)
    with pytest.raises(config.UsageError, match="rdtsc traps"):
        run(fake_repo, ["sel4-like"], clk=kvm, figures=False)
    # ... or, forced, recorded but flagged untrusted everywhere
    path, meta, ok, out = run(fake_repo, ["sel4-like"], clk=kvm, figures=False,
                              force_untrusted_kvm=True)
    assert meta["trusted"] is False and "UNTRUSTED" in out
    assert "UNTRUSTED" in (path / "summary.md").read_text()
