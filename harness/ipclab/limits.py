"""What the guest accepts, and what a boot can possibly have measured.

Guest limits, read from the guest's own sources so that they follow it:

- `MAX_SAMPLES` (bench/guest/runtime.h): samples and warmup are each clamped to it by
  the guest, silently;
- `MAX_ITERATIONS` (bench/guest/ipc_bench.c): an IPC case runs warmup + samples
  iterations and carries the iteration number in the message label, so
  warmup + samples + 1 must not exceed it (else the guest lowers warmup, silently).

The harness refuses such a request before anything is built or booted
(`check_request`), naming the limit, instead of storing numbers of a run that was not
the one asked for.

Plausibility: a value the guest printed must fit the signed 64-bit integer it
printed (logparse refuses anything else), and no counter can have advanced by more
than the boot had time for. Under icount one tick is one retired guest instruction,
and TCG retires far fewer than ICOUNT_MAX_RATE instructions per wall-clock second
(measured on the development machine: the samples a 1.1 s boot prints add up to about
4e6 instructions, so the bound leaves a margin of over 100x); a sample, or the sum of
every sample of a boot, above `boot seconds x ICOUNT_MAX_RATE` cannot have been
executed in that boot and is a fault of the run. Under kvm and tcg the counter is a
clock: no counter runs faster than TICK_MAX_RATE ticks per second.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .errors import UsageError

GUEST_DIR = Path(__file__).resolve().parents[2] / "bench" / "guest"
# Fallbacks (the values when this was written) if the guest's sources are not there.
DEFAULT_MAX_SAMPLES = 16384
DEFAULT_MAX_ITERATIONS = 0x8000
GUEST_DEFAULT_SAMPLES = 1000     # what the guest uses when samples= is not given
GUEST_DEFAULT_WARMUP = 100

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
ICOUNT_MAX_RATE = 5e8            # guest instructions per wall-clock second, upper bound
TICK_MAX_RATE = 1e10             # counter ticks per second (kvm cycles, tcg ticks)


def _define(path: Path, name: str, default: int) -> tuple[int, str]:
    try:
        m = re.search(rf"^\s*#\s*define\s+{name}\s+(0[xX][0-9a-fA-F]+|[0-9]+)[uU]?\b",
                      path.read_text(), re.M)
    except OSError:
        m = None
    if not m:
        return default, f"{name} (default {default}; not found in {path})"
    return int(m.group(1), 0), f"{name} in {path.relative_to(GUEST_DIR.parents[1])}"


@lru_cache(maxsize=None)
def guest_limits(guest_dir: str = str(GUEST_DIR)) -> dict:
    d = Path(guest_dir)
    ms, ms_src = _define(d / "runtime.h", "MAX_SAMPLES", DEFAULT_MAX_SAMPLES)
    mi, mi_src = _define(d / "ipc_bench.c", "MAX_ITERATIONS", DEFAULT_MAX_ITERATIONS)
    return {"max_samples": ms, "max_samples_source": ms_src,
            "max_iterations": mi, "max_iterations_source": mi_src}


def check_request(samples: int | None, warmup: int | None) -> None:
    """Refuse (UsageError) a samples/warmup the guest would clamp or cannot run."""
    lim = guest_limits()
    s = GUEST_DEFAULT_SAMPLES if samples is None else samples
    w = GUEST_DEFAULT_WARMUP if warmup is None else warmup
    if s < 1:
        raise UsageError(f"--samples {s}: at least 1 sample per case")
    if w < 0:
        raise UsageError(f"--warmup {w}: must be >= 0")
    if s > lim["max_samples"]:
        raise UsageError(f"--samples {s} is above the guest's limit of {lim['max_samples']} "
                         f"({lim['max_samples_source']}); the guest would silently measure "
                         f"only {lim['max_samples']}: ask for at most that many")
    if w > lim["max_samples"]:
        raise UsageError(f"--warmup {w} is above the guest's limit of {lim['max_samples']} "
                         f"({lim['max_samples_source']}); the guest would silently clamp it")
    if w + s + 1 > lim["max_iterations"]:
        raise UsageError(
            f"--samples {s} with --warmup {w}: warmup + samples + 1 = {w + s + 1} exceeds "
            f"the guest's {lim['max_iterations']} IPC iterations per case "
            f"({lim['max_iterations_source']}: the message label carries the iteration "
            f"number); the guest would silently cut the warmup. Keep warmup + samples "
            f"<= {lim['max_iterations'] - 1}")


def value_bound(clock: str, boot_seconds: float | None) -> float | None:
    """The largest count a boot of that length can have produced (None: unknown)."""
    if boot_seconds is None or boot_seconds <= 0:
        return None
    rate = ICOUNT_MAX_RATE if clock in ("icount", "model") else TICK_MAX_RATE
    return boot_seconds * rate


def implausible(log, clock: str, boot_seconds: float | None, unit: str) -> list[str]:
    """Reasons why the values of a parsed boot cannot be real (empty: plausible)."""
    bound = value_bound(clock, boot_seconds)
    if bound is None:
        return []
    out = []
    what = ("instructions (icount: QEMU retires fewer than "
            f"{ICOUNT_MAX_RATE:.0e} guest instructions per second)"
            if clock in ("icount", "model")
            else f"ticks (no counter runs faster than {TICK_MAX_RATE:.0e} per second)")
    for c in log.cases:
        big = [(i, v) for i, v in enumerate(c.values) if v > bound]
        if big:
            i, v = big[0]
            out.append(f"case {c.name}: sample {i} = {v} {unit}, but the boot lasted "
                       f"{boot_seconds:.2f} s and cannot have counted more than "
                       f"{bound:.3g} {what}" +
                       (f"; {len(big) - 1} more such sample(s)" if len(big) > 1 else ""))
    if not out:
        total = sum(sum(c.values) for c in log.cases)
        if total > bound:
            out.append(f"the samples of this boot add up to {total} {unit}, but the boot "
                       f"lasted {boot_seconds:.2f} s and cannot have counted more than "
                       f"{bound:.3g} {what}")
    return out
