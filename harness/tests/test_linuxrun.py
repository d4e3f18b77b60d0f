"""Linux as pseudo-variants of a run (linuxrun.py), booted by the fake QEMU from the
stored real logs of bench/linux/results/ (Debian 6.1.192-3, samples=1000 warmup=100)."""
import json
import math
import shutil

import pandas as pd
import pytest

from conftest import REPO
from make_fixtures import log_text
from ipclab import bench, clock, config, export, linuxguest, linuxrun, reanalyse, store

ICOUNT = clock.CLOCKS["icount"]
LOGS = REPO / "bench" / "linux" / "results"


@pytest.fixture
def linux_repo(cli_repo, monkeypatch):
    """The anchors from generated logs; the Linux guest 'prepared' as a fake image that
    prints the real pti=on / pti=off logs."""
    for v in ("l4-classic", "sel4-like"):
        cli_repo.make_image(v, text=log_text(v, samples=1000, warmup=100))
    paths = linuxguest.GuestPaths(cli_repo / "build" / "linux")
    paths.root.mkdir(parents=True)
    paths.vmlinux.write_text(json.dumps({"exit": 1, "by_append": {
        "pti=on": str(LOGS / "pti-on.log"), "pti=off": str(LOGS / "pti-off.log")}}))
    paths.initramfs.write_text("")
    paths.manifest.write_text(json.dumps({"package": "linux-image-6.1.0-57-amd64",
                                          "version": "6.1.192-3"}))
    monkeypatch.setattr(linuxguest, "prepare", lambda repo=None, pin=None: paths)
    cli_repo.linux_paths = paths
    return cli_repo


def run(repo, **kw):
    """One run; its progress lines are kept in repo.progress_lines so that a failed
    assertion can say what the run printed."""
    kw.setdefault("figures", False)
    repo.progress_lines = []
    return bench.run_bench(config.resolve_variants(["l4-classic", "sel4-like"], repo),
                           ICOUNT, samples=1000, warmup=100, build=False, repo=repo,
                           results_dir=repo / "results",
                           progress=lambda *a: repo.progress_lines.append(" ".join(map(str, a))),
                           linux=True, **kw)


def test_linux_is_stored_figured_exported_and_reanalysed(linux_repo):
    """One run (a run at 1000 samples takes a while): stored, ratios, figure, exports,
    reanalyse."""
    path, meta, ok = run(linux_repo, figures=shutil.which("gnuplot") is not None)
    assert ok and meta["exit_status"] == 0, "\n".join(linux_repo.progress_lines + [
        json.dumps(meta.get("linux"), indent=1, default=str)])
    r = store.load_run(path)
    check_stored(path, r)
    check_ratios(path, r)
    if shutil.which("gnuplot"):
        check_figure(path, meta)
    check_exports(r)
    reanalyse.reanalyse(path, figures=False, progress=lambda *_: None)
    after = store.load_run(path)
    pd.testing.assert_frame_equal(r.samples, after.samples)
    pd.testing.assert_frame_equal(r.stats, after.stats)
    assert after.meta["linux"]["status"] == "ok"


def check_stored(path, r):
    assert list(dict.fromkeys(r.samples.variant)) == ["l4-classic", "sel4-like",
                                                      "linux-pti-on", "linux-pti-off"]
    lin = r.samples[r.samples.variant == "linux-pti-on"]
    for axis in store.axis_cols():
        assert set(lin[axis]) == {linuxrun.NA}
    assert set(lin.bench) == {"counter", "null_syscall", "sched_yield", "pipe", "eventfd",
                              "futex", "unix_socket"}
    assert len(lin) == 12 * 1000
    # the pseudo-variants are not kernel builds: not in variant_order or variants
    assert "linux-pti-on" not in r.meta["variant_order"] + list(r.meta["variants"])
    rec = r.meta["linux"]
    assert rec["status"] == "ok" and rec["kernel"]["version"] == "6.1.192-3"
    on = rec["variants"]["linux-pti-on"]
    assert on["config"] == {"pti": "on", "mitigations": "auto", "policy": "other",
                            "kernel": "6.1.0-57-amd64", "version": "6.1.192-3"}
    assert "pti=on" in on["boot_cmd"] and (path / on["log"]).is_file()
    # the medians are those of the real logs
    st = r.stats.set_index(["variant", "case"])
    assert st.loc[("linux-pti-on", "null_syscall/self/round/len0"), "median"] == 329
    assert st.loc[("linux-pti-off", "pipe/cross/call/len1"), "median"] == 5556


def check_ratios(path, r):
    t = linuxrun.ratio_table(r.stats)
    assert set(t.anchor) == {"l4-classic", "sel4-like"}
    assert len(t) == 2 * 6 * 2
    st = r.stats.set_index(["variant", "case"])
    for row in t.itertuples():
        lm = st.loc[(row.linux, row.linux_case), "median"]
        am = st.loc[(row.anchor, row.anchor_case), "median"]
        assert (row.linux_median, row.anchor_median) == (lm, am)
        assert row.ratio == pytest.approx(lm / am)
    pipe = t[(t.mechanism == "pipe one way") & (t.linux == "linux-pti-on") &
             (t.anchor == "l4-classic")].iloc[0]
    assert pipe.anchor_case == "ipc/cross/call/len1"
    summary = (path / "summary.md").read_text()
    assert "## Linux beside ipclab" in summary
    assert f"{pipe.ratio:.1f}x" in summary


def check_figure(path, meta):
    assert "figures/linux-oneway.png" in meta["figures"]
    dat = (path / "figures" / "linux-oneway.dat").read_text()
    assert '329 "linux-pti-on"' in dat and '5556 "linux-pti-off pipe"' in dat
    # the ordinary figures keep to the kernel's variants
    assert "linux" not in (path / "figures" / "oneway-len0.dat").read_text()


def check_exports(r):
    names = {b["name"] for b in export.gbench(r)["benchmarks"]}
    assert "linux-pti-on/futex/cross/call/len1" in names
    sets = {s["Benchmark"]: s for s in export.sel4bench(r)}
    row = next(x for x in sets["ipclab linux-pti-off"]["Results"]
               if x["Case"] == "eventfd/cross/call/len1")
    assert row["Samples"] == 1000 and row["Median"] == 4642
    assert not math.isnan(row["Mean"])


def test_linux_skipped_with_the_reason(linux_repo, monkeypatch):
    def refuse(repo=None, pin=None):
        raise linuxguest.PrepareError("the Debian kernel package is not in x and "
                                      "fetching it needs root")
    monkeypatch.setattr(linuxguest, "prepare", refuse)
    path, meta, ok = run(linux_repo)
    assert ok and meta["exit_status"] == 0
    assert meta["linux"]["status"] == "skipped" and "needs root" in meta["linux"]["reason"]
    assert "not measured: the Linux guest could not be prepared" in \
        (path / "summary.md").read_text()
    assert not store.load_run(path).samples.variant.str.startswith("linux").any()
    assert linuxrun.skip_reason("aarch64", "icount") and \
        linuxrun.skip_reason("x86_64", "tcg") and not linuxrun.skip_reason("x86_64", "icount")


def test_a_failed_linux_boot_is_recorded_not_stored(linux_repo):
    spec = json.loads(linux_repo.linux_paths.vmlinux.read_text())
    spec["by_append"]["pti=off"] = str(LOGS / "pti-on.log")     # says pti=on: refused
    linux_repo.linux_paths.vmlinux.write_text(json.dumps(spec))
    path, meta, ok = run(linux_repo)
    assert meta["exit_status"] == 3 and "linux guest" in meta["infra_failures"]
    off = meta["linux"]["variants"]["linux-pti-off"]
    assert off["status"] == "failed" and any("pti=on printed, off asked" in p
                                             for p in off["problems"])
    vs = set(store.load_run(path).samples.variant)
    assert "linux-pti-on" in vs and "linux-pti-off" not in vs
    assert "linux-pti-off FAILED" in (path / "summary.md").read_text()
