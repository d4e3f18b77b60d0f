"""Linux beside ipclab in one run: the pseudo-variants `linux-pti-on`, `linux-pti-off`.

`harness bench --linux` (what `make bench` passes) boots Debian's kernel with the
project's /init (bench/linux/, ipclab/linuxguest.py) once per kernel configuration of
CONFIGS, after the ipclab variants and under the same clock (icount only) with the
run's samples and warmup, and stores what they print as pseudo-variants of the run:

- their samples go into samples.csv.gz and stats.csv like any variant's, with every
  axis column `-` (not applicable) and the Linux cases' own bench names (pipe,
  eventfd, futex, unix_socket, sched_yield; null_syscall and counter as ipclab's);
- their logs are logs/linux-<config>.log; `meta.json` -> `linux` records the kernel
  (package, version, SHA-256 of every file, /init's compile line), each boot's command
  line, status, problems and configuration (pti, mitigations, policy, uname -r,
  version). They are not in `variant_order` or `variants`, which name the kernel's own
  builds (reanalyse rebuilds them from their logs through reanalyse_frames here);
- the summary gets a section of ratios and the run a figure (plots.py calls
  linux_figure), both computed from stats.csv: Linux's median one-way cost per
  mechanism over the anchors' cross-address-space call of the same message length.

Without the kernel package (not root and nothing cached), on another architecture or
another clock the step is skipped with the reason, recorded in meta.json and printed;
the run goes on. A Linux boot that fails is recorded with its problems and makes the
run's exit status 3 (like the host benchmarks: not a fault of ipclab's kernel).
"""
from __future__ import annotations

import concurrent.futures as cf
import math
import time
from pathlib import Path

import pandas as pd

from . import integrity, linuxguest, stats, store

NA = "-"            # axis columns of a pseudo-variant: not applicable (pandas reads
                    # "n/a" and "NA" as missing values, so neither can mark it)
PREFIX = "linux-"
CONFIGS = (linuxguest.BootConfig("on"), linuxguest.BootConfig("off"))
ANCHORS = ("l4-classic", "sel4-like")
# (label, Linux case) and the ipclab case it stands beside: same message length.
MECHANISMS = [
    ("null system call", ("null_syscall", "self", "round", 0), ("null_syscall", "self", "round", 0)),
    ("sched_yield one way", ("sched_yield", "cross", "call", 0), ("ipc", "cross", "call", 0)),
    ("pipe one way", ("pipe", "cross", "call", 1), ("ipc", "cross", "call", 1)),
    ("eventfd one way", ("eventfd", "cross", "call", 1), ("ipc", "cross", "call", 1)),
    ("futex one way", ("futex", "cross", "call", 1), ("ipc", "cross", "call", 1)),
    ("unix_socket one way", ("unix_socket", "cross", "call", 1), ("ipc", "cross", "call", 1)),
]


def pseudo_name(cfg: linuxguest.BootConfig) -> str:
    return PREFIX + cfg.name


def pseudo_variants(meta: dict) -> list[str]:
    """The Linux pseudo-variants a run recorded, in order."""
    return list(((meta.get("linux") or {}).get("variants") or {}))


def skip_reason(arch: str, clock: str) -> str | None:
    if arch != "x86_64":
        return f"the Linux guest is x86_64 only (this run is {arch})"
    if clock != "icount":
        return f"the Linux guest is measured under icount only (this run is clock={clock})"
    return None


def samples_frame(log: linuxguest.GuestLog, name: str, run_id: str, commit: str,
                  arch: str, clock) -> pd.DataFrame:
    """Tidy rows of one judged Linux boot, in store.sample_cols() order."""
    axes = [NA] * len(store.axis_cols())
    rows = [[run_id, commit, name, *axes, arch, clock.name, clock.unit, c.bench, c.space,
             c.metric, c.len, "hot", linuxguest.case_name(c.key), c.id, i, v, c.overhead, 0]
            for c in log.cases for i, v in enumerate(c.values)]
    df = pd.DataFrame(rows, columns=store.sample_cols())
    return stats.mark_outliers(df) if len(df) else df


def _record(j: linuxguest.Judged, work: Path) -> dict:
    cfg = j.log.config or {}
    return {"status": "ok" if not j.problems else "failed", "problems": j.problems[:20],
            "log": str(j.result.log_path.relative_to(work)), "boot_cmd": j.result.cmdline,
            "boot_s": round(j.result.seconds, 2), "exit_code": j.result.exit_code,
            "timed_out": j.result.timed_out,
            "config": {"pti": j.config.pti, "mitigations": j.config.mitigations,
                       "policy": j.config.policy, "kernel": cfg.get("kernel"),
                       "version": cfg.get("version")}}


def bench_step(work: Path, meta: dict, clock, *, timeout: float, jobs: int,
               progress=print, repo=None) -> list[pd.DataFrame]:
    """Boot every configuration of CONFIGS into work/logs/, record meta['linux'] and
    return the tidy frames of the good boots (module docstring)."""
    t0 = time.monotonic()
    rec: dict = {"configs": [c.name for c in CONFIGS], "variants": {}}
    meta["linux"] = rec
    reason = skip_reason(meta.get("arch", ""), clock.name)
    paths = None
    if reason is None:
        try:
            paths = linuxguest.prepare(repo)
        except (linuxguest.PrepareError, OSError) as e:
            reason = f"the Linux guest could not be prepared: {e}"
    if reason is not None:
        rec.update(status="skipped", reason=reason)
        progress(f"linux: skipped: {reason}")
        return []
    rec["kernel"] = paths.kernel_info()
    progress(f"linux: booting {rec['kernel'].get('package')} "
             f"{rec['kernel'].get('version')} ({', '.join(rec['configs'])}), samples="
             f"{meta['samples']} warmup={meta['warmup']}")
    with cf.ThreadPoolExecutor(max_workers=max(1, min(jobs, len(CONFIGS)))) as pool:
        futs = [pool.submit(linuxguest.boot_and_check, paths, cfg, meta["samples"],
                            meta["warmup"], work / "logs" / f"{pseudo_name(cfg)}.log",
                            timeout, clock.name) for cfg in CONFIGS]
        judged = [f.result() for f in futs]
    frames = []
    for j in judged:
        name = pseudo_name(j.config)
        rec["variants"][name] = _record(j, work)
        if not j.problems:
            frames.append(samples_frame(j.log, name, meta["run_id"],
                                        (meta.get("git") or {}).get("commit", ""),
                                        meta["arch"], clock))
            progress(f"linux: {name} ok {j.result.seconds:.1f} s  {headline(j.log)}")
        else:
            progress(f"linux: {name} FAILED: {j.problems[0]} (log: {j.result.log_path})")
    bad = [n for n, v in rec["variants"].items() if v["status"] != "ok"]
    rec.update(status="failed" if bad else "ok", failed=bad,
               seconds=round(time.monotonic() - t0, 2))
    return frames


def headline(log: linuxguest.GuestLog) -> str:
    m = log.case_map()
    parts = []
    for label, key, _ in MECHANISMS[:3]:
        c = m.get(key)
        if c and c.values:
            parts.append(f"{label} {stats.describe(c.values, median_interval=False)['median']:.0f}")
    return ", ".join(parts) + " (median)"


def reanalyse_frames(work: Path, meta: dict, clock, progress=print) -> list[pd.DataFrame]:
    """The Linux pseudo-variants judged again from their stored logs (reanalyse)."""
    rec = meta.get("linux") or {}
    manifest = meta.get(integrity.MANIFEST_KEY) or {}
    frames = []
    for name, info in (rec.get("variants") or {}).items():
        rel = info.get("log", "")
        bad = integrity.check_file(work, manifest, rel) if rel else "no log recorded"
        problems = [bad] if bad else []
        log = None
        if not problems:
            try:
                log = linuxguest.parse_log(store.read_log(work / rel))
            except OSError as e:
                problems = [f"cannot read {rel}: {e.strerror}"]
        if log is not None:
            cfg = info.get("config") or {}
            problems = linuxguest.check_log(
                log, info.get("exit_code"), timed_out=bool(info.get("timed_out")),
                pti=cfg.get("pti"), mitigations=cfg.get("mitigations"),
                policy=cfg.get("policy"), clock=clock.name, samples=meta["samples"],
                warmup=meta["warmup"], version=cfg.get("version"))
        info.update(status="ok" if not problems else "failed", problems=problems[:20])
        if not problems:
            frames.append(samples_frame(log, name, meta["run_id"],
                                        (meta.get("git") or {}).get("commit", ""),
                                        meta["arch"], clock))
        progress(f"  {name:<18} {'ok' if not problems else problems[0]}")
    if rec.get("variants"):
        bad = [n for n, v in rec["variants"].items() if v["status"] != "ok"]
        rec.update(status="failed" if bad else "ok", failed=bad)
    return frames


# ------------------------------------------------------------------ ratios

def _median(st: pd.DataFrame, variant: str, key: tuple) -> float:
    bench, space, metric, length = key
    r = st[(st.variant == variant) & (st.bench == bench) & (st.space == space) &
           (st.metric == metric) & (st["len"].astype(int) == length)]
    return float(r["median"].iloc[0]) if len(r) else math.nan


def linux_in(st: pd.DataFrame) -> list[str]:
    return [v for v in dict.fromkeys(st.variant) if str(v).startswith(PREFIX)]


def anchors_in(st: pd.DataFrame) -> list[str]:
    """The anchors the run has; else its first two ipclab variants."""
    have = [v for v in dict.fromkeys(st.variant) if not str(v).startswith(PREFIX)]
    chosen = [a for a in ANCHORS if a in have]
    return chosen or have[:2]


def ratio_table(st: pd.DataFrame) -> pd.DataFrame:
    """One row per (mechanism, Linux pseudo-variant, anchor): both medians and their
    ratio, all from stats.csv."""
    rows = []
    for lv in linux_in(st):
        for label, lkey, akey in MECHANISMS:
            lm = _median(st, lv, lkey)
            for a in anchors_in(st):
                am = _median(st, a, akey)
                if math.isnan(am):            # an anchor without len1: its len0
                    am = _median(st, a, akey[:3] + (0,))
                rows.append({"mechanism": label, "linux": lv,
                             "linux_case": linuxguest.case_name(lkey), "linux_median": lm,
                             "anchor": a, "anchor_case": linuxguest.case_name(akey),
                             "anchor_median": am,
                             "ratio": lm / am if am and not math.isnan(am) else math.nan})
    return pd.DataFrame(rows, columns=["mechanism", "linux", "linux_case", "linux_median",
                                       "anchor", "anchor_case", "anchor_median", "ratio"])


def summary_section(st: pd.DataFrame, meta: dict) -> str:
    """Markdown: Linux's medians beside the anchors' and the ratios ('' without Linux)."""
    from .report import fmt, md_table
    rec = meta.get("linux") or {}
    failed = [f"- **{n} FAILED** (no results recorded): "
              f"{'; '.join(v.get('problems', [])[:2])} (log: {v.get('log')})"
              for n, v in (rec.get("variants") or {}).items() if v.get("status") != "ok"]
    if not linux_in(st):
        if rec.get("status") == "skipped":
            return f"## Linux beside ipclab\n\nnot measured: {rec.get('reason')}\n"
        return "## Linux beside ipclab\n\n" + "\n".join(failed) + "\n" if failed else ""
    t = ratio_table(st)
    anchors = list(dict.fromkeys(t.anchor))
    lvs = list(dict.fromkeys(t.linux))
    header = ["mechanism (Linux case)"] + [f"{lv} median" for lv in lvs]
    for a in anchors:
        header += [f"{a} median", f"ratio to {a}"]
    rows = []
    for label, lkey, akey in MECHANISMS:
        sub = t[t.mechanism == label]
        row = [f"{label} ({linuxguest.case_name(lkey)})"]
        row += [fmt(sub[sub.linux == lv].linux_median.iloc[0]) for lv in lvs]
        for a in anchors:
            s = sub[sub.anchor == a]
            row.append(fmt(s.anchor_median.iloc[0]))
            row.append(" / ".join(f"{x:.1f}x" if not math.isnan(x) else "-"
                                  for x in s.ratio))
        rows.append(row)
    k = rec.get("kernel") or {}
    unit = meta.get("unit", "")
    note = (f"Debian {k.get('package')} {k.get('version')} booted with bench/linux/'s "
            f"/init under the same QEMU and clock; medians after the outlier policy "
            f"[{unit}]. Ratio = Linux median / the anchor's median of the ipclab case of "
            f"the same message length (ipc/cross/call/len1 beside the data-carrying "
            f"mechanisms, len0 beside sched_yield, the null system call beside "
            f"ipclab's), one per Linux configuration ({' / '.join(lvs)}). A Linux one "
            f"way is two system calls on the sender's side and a scheduler run; an "
            f"ipclab call is one entry (bench/linux/README.md, 'Like for like').")
    return "## Linux beside ipclab\n\n" + note + "\n\n" + md_table(header, rows) + "\n" + \
        ("\n" + "\n".join(failed) + "\n" if failed else "")


# ------------------------------------------------------------------ figure

def linux_figure(st: pd.DataFrame, meta: dict, outdir: Path, formats) -> list[Path]:
    """figures/linux-oneway.*: two log-scale panels, the null system call and one-way
    IPC, the anchors beside every Linux mechanism (plots/linux-oneway.gp)."""
    from . import plots
    lvs = linux_in(st)
    if not lvs:
        return []
    anchors = anchors_in(st)
    unit, tag = plots._clock_words(meta)
    null = ["# null system call: index colour median label"]
    for i, v in enumerate(anchors + lvs):
        colour = 1 if v in anchors else 2 + lvs.index(v)
        null.append(f'{i} {colour} {plots._num(_median(st, v, MECHANISMS[0][1]))} "{v}"')
    oneway = ["# one way: index colour median label"]
    for a in anchors:
        oneway.append(f'{len(oneway) - 1} 1 '
                      f'{plots._num(_median(st, a, ("ipc", "cross", "call", 1)))} "{a}"')
    for k, lv in enumerate(lvs):
        for label, lkey, _ in MECHANISMS[1:]:
            oneway.append(f'{len(oneway) - 1} {2 + k} {plots._num(_median(st, lv, lkey))} '
                          f'"{lv} {lkey[0]}"')
    rows = null + ["", ""] + oneway
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    base = outdir / "linux-oneway"
    dat = base.with_suffix(".dat")
    dat.write_text("\n".join(rows) + "\n")
    plots.gnuplot(plots.PLOTS_DIR / "linux-oneway.gp",
                  {"datafile": plots.quote(dat.name), "outbase": plots.quote(base.name),
                   "ylabel": plots.quote(f"median [{unit}], log scale ({tag})"),
                   "figtitle": plots.quote("ipclab beside Linux: null system call and "
                                           "one-way IPC (cross address space)"),
                   "caption": plots.quote(plots.caption(
                       meta, "bars = median; ipclab: ipc/cross/call/len1; Linux: one way "
                       "(call) of each mechanism")),
                   "formats": plots.quote(" ".join(formats))}, cwd=outdir)
    return plots._files(base, formats)
