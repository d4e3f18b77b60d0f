#!/usr/bin/python3
"""The plugin's cost: wall-clock time of a full benchmark boot (the harness default,
samples=1000 warmup=100) under plain -icount and with the model plugin writing
records, best of --repeat runs each. Also checks the guest printed the same thing.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qemu_run import boot  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cmdline = f"clock=icount samples={args.samples} warmup={args.warmup}"
    with tempfile.TemporaryDirectory(prefix="model_slowdown_") as tmp:
        rec = os.path.join(tmp, "run.rec")
        plain = [boot(args.image, cmdline) for _ in range(args.repeat)]
        model = [boot(args.image, cmdline, args.plugin, [f"records={rec}"])
                 for _ in range(args.repeat)]
        same = all(b.stdout == plain[0].stdout and b.status == 1 for b in plain + model)
        size = os.path.getsize(rec)
    t_plain = min(b.seconds for b in plain)
    t_model = min(b.seconds for b in model)
    summary = next((l for l in model[0].stderr.splitlines() if l.startswith("ipclab-model:")), "")
    print(f"image {args.image}, {cmdline}, best of {args.repeat}")
    print(f"plain icount:  {t_plain:.2f} s")
    print(f"with plugin:   {t_model:.2f} s  (slowdown x{t_model / t_plain:.2f})")
    print(f"record file:   {size} bytes")
    print(f"plugin totals: {summary}")
    print(f"guest output identical in all runs: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
