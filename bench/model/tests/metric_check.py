#!/usr/bin/python3
"""The model as the harness's `model` metric, on real boots (make test runs it).

For each variant (default: the anchors), through the harness's own build, boot and
judge (harness/ipclab/bench.py): one boot under icount and two under clock=model,
samples=20 warmup=5. Checks, each of which fails the run:
  1. every model boot passes the harness's judgement, which includes finding a model
     record at both ends of every sample's window and the overhead window, and the
     model's instruction count equal to the guest's counter in every sample;
  2. the two model boots give identical numbers, every event of every case;
  3. every hot case's median instructions equal the icount boot's;
  4. every sample's modelled cycles = instructions + misses x latencies + serialising
     x cost, with the constants from the record file's header;
  5. after the flush, every cold IPC sample misses L1I and L3 at least once (kernel
     code must come from memory) and every cold case costs more modelled cycles than
     its hot twin.
Logs in results/verify/model/. Prints "N passed, M failed" last.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "harness"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from ipclab import bench, clock, config, logparse, model, proc, stats  # noqa: E402
from smoke_test import Checks  # noqa: E402

SAMPLES, WARMUP = 20, 5
LATENCY_OF = {"l1i_misses": "l1i_miss_latency", "l1d_misses": "l1d_miss_latency",
              "l2_misses": "l2_miss_latency", "l3_misses": "l3_miss_latency",
              "itlb_misses": "itlb_miss_latency", "dtlb_misses": "dtlb_miss_latency",
              "serializing": "serialize_cost"}


def boots(variants, clk, logdir: Path, n: int, checks: Checks) -> dict:
    """variant -> [Outcome] of n boots each, judged by the harness."""
    out = {}
    m = bench.Matrix(variants, clk, "x86_64", SAMPLES, WARMUP, None, 120.0, True, REPO,
                     progress=lambda *_: None)

    def on_done(v, b, results):
        outs = []
        for r in results:
            o = bench.Outcome(v, b, r)
            bench.judge(o, clk, SAMPLES, WARMUP, arch="x86_64")
            outs.append(o)
        if not b.ok:
            outs = [bench.Outcome(v, b, None, problems=[bench.build_problem(b, logdir)])]
        out[v.name] = outs
    m.run(lambda v, i: logdir / f"{v.name}.{clk.name}{i + 1}.log", on_done,
          boots_per_variant=n)
    for name, outs in out.items():
        for i, o in enumerate(outs):
            checks.check(o.ok, f"{name}: {clk.name} boot {i + 1} judged ok by the harness"
                         + (" (every sample found in the model's records)"
                            if clk.name == "model" else ""),
                         "; ".join(str(p) for p in o.problems[:3]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("variants", nargs="*", default=["l4-classic", "sel4-like"])
    args = ap.parse_args()
    checks = Checks()
    variants = config.resolve_variants(args.variants)
    logdir = REPO / "results" / "verify" / "model"
    logdir.mkdir(parents=True, exist_ok=True)
    bench.preflight(clock.CLOCKS["model"], "x86_64", True, REPO)
    with proc.locked(*bench.tree_locks(REPO), wait=True, progress=lambda *_: None):
        icount = boots(variants, clock.CLOCKS["icount"], logdir, 1, checks)
        modelled = boots(variants, clock.CLOCKS["model"], logdir, 2, checks)
    for v in variants:
        ms = modelled.get(v.name, [])
        if len(ms) != 2 or not all(o.ok for o in ms) or not icount[v.name][0].ok:
            continue
        a, b = ms
        params = model.read(model.stored_records(a.boot.log_path)).params
        # 2. determinism
        same = all(ca.values == cb.values and
                   all(np.array_equal(ca.events[e], cb.events[e]) for e in ca.events)
                   for ca, cb in zip(a.log.cases, b.log.cases)) and \
            [c.name for c in a.log.cases] == [c.name for c in b.log.cases]
        checks.check(same, f"{v.name}: two model boots give identical numbers, every event "
                     f"of all {len(a.log.cases)} cases")
        # 3. instructions: the model's hot cases against icount
        ic = icount[v.name][0].log.case_map()
        hot = a.log.case_map()
        differ = [k for k in ic if k not in hot or
                  stats.describe(ic[k].values)["median"] !=
                  stats.describe(hot[k].values)["median"]]
        checks.check(not differ, f"{v.name}: the median instructions of all {len(ic)} hot "
                     f"cases equal icount's", f"differ: {differ[:3]}")
        # 4. the cycle identity, sample by sample
        bad = []
        for c in a.log.cases:
            want = np.asarray(c.values, dtype=np.int64) + sum(
                c.events[e] * int(params[p]) for e, p in LATENCY_OF.items())
            if not np.array_equal(c.events["cycles"], want):
                bad.append(c.name)
        checks.check(not bad, f"{v.name}: modelled cycles = instructions + misses x "
                     f"latency in every sample (latencies from the record header)",
                     f"not in {bad[:3]}")
        # 5. cold cases
        cold = [c for c in a.log.cases if c.cold and c.bench == "ipc"]
        checks.check(bool(cold) and all((c.events["l1i_misses"] >= 1).all() and
                                        (c.events["l3_misses"] >= 1).all() for c in cold),
                     f"{v.name}: every sample of the {len(cold)} cold IPC cases misses L1I "
                     f"and L3 (the flush emptied them)")
        worse = [c.name for c in a.log.cases if c.cold and
                 np.median(c.events["cycles"]) <= np.median(hot[c.key].events["cycles"])]
        checks.check(not worse, f"{v.name}: every cold case costs more modelled cycles than "
                     f"its hot twin", f"not {worse[:3]}")
    print(f"model metric check: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
