"""`harness reanalyse RUN`: rebuild a run's derived files from its raw logs.

The raw console logs (logs/<v>.log, or .log.gz in the baseline) and meta.json (how
each variant was built and booted: its configuration, QEMU's exit status, timeout
flag and boot time) are the measurement; samples.csv.gz, stats.csv, summary.md and
figures/ are derived from them by the very code `harness bench` runs
(bench.judge + analysis). So a run whose derived files are damaged, or a run cut short
before it was published (disk full, killed: a results/.partial-<id>/ folder), can be
finished from what it stored:

- each variant that finished its boot is judged again from its log (a log whose
  checksum no longer matches the manifest is refused, not trusted);
- a variant that never finished, or failed on the host side, stays failed;
- the run is sealed (manifest, COMPLETE) and published under its own id: a partial
  run becomes results/<id>/, a complete run is replaced atomically. A run with no
  successful variant is not published.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from . import analysis, integrity, linuxrun, logparse, model, proc, runner, store
from .bench import Outcome, judge
from .clock import get_clock
from .config import Variant
from .errors import EXIT_INFRA, EXIT_OK, EXIT_REGRESSION, UsageError

PARTIAL = ".partial-"
DERIVED_FILES = ("samples.csv.gz", "samples.csv", "stats.csv", "summary.md")


def _read_meta(path: Path) -> dict:
    if store.is_complete(path):
        return store.load_meta(path)
    import json
    try:
        meta = json.loads((path / "meta.json").read_text())
    except (OSError, ValueError) as e:
        raise store.RunError(f"{path}: meta.json cannot be read ({e}); "
                             f"{integrity.recovery(path, 'meta.json')}")
    problems = integrity.check_meta(meta)
    if problems:
        raise store.RunError(f"{path}: {problems[0]}")
    return meta


def reanalyse(path: Path, *, figures: bool = True, repo=None,
              progress=print) -> tuple[Path, dict, bool]:
    """Returns (run path, meta, all variants ok); meta['published'] and
    meta['exit_status'] as for bench.run_bench."""
    path = Path(path)
    if not path.is_dir():
        raise UsageError(f"no such run directory: {path}")
    partial = path.name.startswith(PARTIAL)
    if partial:
        owner = proc.owner_alive(path)
        if owner:
            raise UsageError(f"{path} is still being written by pid {owner.get('pid')} "
                             f"(`{owner.get('command')}`); wait for it to finish")
    elif not store.is_complete(path):
        raise UsageError(f"{path} is neither a complete run nor a {PARTIAL}* folder")
    meta = _read_meta(path)
    manifest = meta.get(integrity.MANIFEST_KEY) or {}
    final = path.parent / (path.name[len(PARTIAL):] if partial else path.name)
    if partial and final.exists():
        raise UsageError(f"{final} exists already; move it away to publish {path}")
    # Anything not derived (logs, host results) must be intact to be sealed again.
    kept = [n for n in manifest if not n.startswith(("figures/",)) and
            n not in DERIVED_FILES and not n.startswith("logs/")]
    damaged = integrity.check_files(path, manifest, kept)
    if damaged:
        name, why = damaged[0]
        raise store.RunError(f"{path}: {why}\nrecover: {integrity.recovery(path, name)}")
    work = path if partial else path.parent / f"{PARTIAL}{path.name}.reanalyse"
    if not partial:
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(path, work, ignore=shutil.ignore_patterns(
            *DERIVED_FILES, "figures", store.COMPLETE))
        # The host part's figures live in figures/ too: keep them.
        if (path / "figures").is_dir():
            for f in (path / "figures").rglob("host-*"):
                dst = work / f.relative_to(path)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, dst)
        proc.write_owner(work)
    else:
        for name in DERIVED_FILES:
            (work / name).unlink(missing_ok=True)
        for f in work.glob("*.tmp"):
            f.unlink()
    progress(f"reanalyse {path}: {len(meta['variant_order'])} variant(s) from {work}/logs")
    clock = get_clock(meta["clock"])
    samples, warmup = meta["samples"], meta["warmup"]
    frames, failed, infra = [], [], []
    for name in meta["variant_order"]:
        info = meta["variants"].get(name)
        if info is None:
            meta["variants"][name] = {"status": "not-run", "problems": [
                "not-run: the run ended before this variant finished"]}
            failed.append(name)
            progress(f"  {name:<18} not run (the run ended before it finished)")
            continue
        if not info.get("boot_cmd") or not info.get("log"):
            failed.append(name)
            if info.get("status") in ("host-tool",):
                infra.append(name)
            progress(f"  {name:<18} {info.get('status')} (kept as stored)")
            continue
        log = work / info["log"]
        rel = info["log"]
        if not log.is_file() and (work / (rel + ".gz")).is_file():
            rel += ".gz"
        bad = integrity.check_file(work, manifest, rel)
        rec = model.stored_records(work / info["log"])
        if not bad and clock.name == "model" and rec is not None:
            rel = str(rec.relative_to(work))      # the model's records are raw data too
            bad = integrity.check_file(work, manifest, rel)
        v = Variant(name, dict(info.get("config") or {}))
        boot = runner.BootResult(name, [], work / info["log"],
                                 (work / info["log"]).with_suffix(".stderr"),
                                 exit_code=info.get("exit_code"),
                                 timed_out=bool(info.get("timed_out")),
                                 seconds=float(info.get("boot_s") or 0.0),
                                 host_error=info.get("host_error"))
        boot.extra["timeout"] = meta.get("timeout_s")
        out = Outcome(v, runner.BuildResult(name, True, info.get("build_s", 0.0), []),
                      boot)
        if bad:
            out.problems = [logparse.Problem("host-io", f"{bad}; "
                                             f"{integrity.recovery(work, rel)}")]
        else:
            judge(out, clock, samples, warmup, arch=meta.get("arch", "x86_64"),
                  workload=(meta.get("experiment") or {}).get("workload", "ipc"))
        info.update(status=out.status, problems=[str(p) for p in out.problems])
        if out.model is not None:
            info["model"] = out.model
        if out.log is not None and out.log.skips:
            info["skips"] = [dict(s) for s in out.log.skips]
        if out.ok:
            frames.append(store.samples_frame(out.log, v, meta["run_id"],
                                              (meta.get("git") or {}).get("commit", ""),
                                              meta["arch"], clock))
        else:
            failed.append(name)
            if out.infra:
                infra.append(name)
        progress(f"  {name:<18} {'ok' if out.ok else out.problems[0]}")
    frames += linuxrun.reanalyse_frames(work, meta, clock, progress)
    if (meta.get("linux") or {}).get("status") == "failed":
        infra.append("linux guest")
    meta.update(failed_variants=failed, infra_failures=infra,
                reanalysed={"at_utc": store.utc_stamp(), "from": str(path)})
    if len(failed) == len(meta["variant_order"]):
        meta.update(published=False, exit_status=EXIT_INFRA if infra else EXIT_REGRESSION)
        store.write_json(work / "meta.json", meta)
        if not partial:
            shutil.rmtree(work)
        progress(f"NOT PUBLISHED: no variant succeeded; {path} is left as it was")
        return path, meta, False
    st = analysis.write_derived(work, meta, frames, figures=figures, repo=repo,
                                progress=progress)
    hb = meta.get("host_bench") or {}
    meta.update(complete=True, published=True,
                exit_status=EXIT_INFRA if (infra or hb.get("status") == "failed")
                else (EXIT_REGRESSION if failed else EXIT_OK))
    analysis.write_summary(work, meta, st)
    final = store.publish(work, final, meta)
    progress(f"reanalysed: {final} ({len(meta['variant_order']) - len(failed)}/"
             f"{len(meta['variant_order'])} variants ok)")
    return final, meta, not failed
