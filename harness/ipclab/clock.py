"""Clock modes: how QEMU runs the guest, and what one counter tick then means.

| mode   | QEMU                                              | unit of a tick                           |
|--------|---------------------------------------------------|------------------------------------------|
| icount | -accel tcg -icount shift=0,align=off,sleep=off     | guest instructions (exact, deterministic) |
| kvm    | -accel kvm -cpu host                               | cycles (host TSC; real only on real KVM)  |
| tcg    | -accel tcg                                         | emulated ticks (not a real cost)          |
| model  | icount's, plus -plugin build/model/libipclab_model.so | guest instructions, and per sample the  |
|        |                                                    | cache/TLB model's modelled cycles and     |
|        |                                                    | misses per level, hot and cold (model.py) |

KVM trust: on a nested or paravirtual host (as the development machines, which run
`kvm_pvm`), rdtsc traps and ring 0 is emulated, so guest "cycles" are thousands of
times too large. `kvm_host_checks()` looks at the host; `kvm_guest_verdict()` looks
at the numbers a guest produced. Both are described in harness/README.md.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from .arches import Arch, get_arch
from .config import UsageError


@dataclass(frozen=True)
class Clock:
    name: str
    unit: str               # what one tick is, used on every axis and table
    short_unit: str         # compact form for tables
    parallel: bool          # may boots run concurrently without disturbing the numbers?
    deterministic: bool     # same image -> same numbers?
    real_cost: bool         # is a tick a real cost on real hardware?
    note: str

    def qemu_accel_args(self, arch: Arch | None = None) -> list[str]:
        """-cpu and -accel for this mode; the CPU model under TCG is the arch's."""
        arch = arch or get_arch("x86_64")
        if self.name in ("icount", "model"):
            return ["-cpu", arch.cpu, "-accel", "tcg", "-icount",
                    "shift=0,align=off,sleep=off"]
        if self.name == "kvm":
            if not arch.kvm:
                raise UsageError(f"clock=kvm cannot run arch {arch.name} on this host "
                                 f"(KVM runs guests of the host's own ISA); use icount")
            # $IPCLAB_KVM_CPU overrides the CPU model (default host): on the nested
            # kvm_pvm machines `-cpu host` makes QEMU 7.2 abort ("failed to set MSR
            # 0x10a"), `-cpu host,-arch-capabilities` gets past that.
            return ["-accel", "kvm", "-cpu", os.environ.get("IPCLAB_KVM_CPU") or "host"]
        return ["-cpu", arch.cpu, "-accel", "tcg"]

    def axis_label(self, what: str) -> str:
        """e.g. 'one-way IPC cost [guest instructions] (clock=icount)'."""
        return f"{what} [{self.unit}] (clock={self.name})"


CLOCKS = {
    "icount": Clock("icount", "guest instructions", "instr", True, True, False,
                    "TSC counts retired guest instructions exactly; deterministic, "
                    "comparable across machines, not cycles."),
    "kvm": Clock("kvm", "cycles", "cycles", False, False, True,
                 "host TSC cycles under KVM; real only where KVM is not nested/paravirtual."),
    "tcg": Clock("tcg", "emulated ticks (not a real cost)", "ticks", False, False, False,
                 "emulated time under plain TCG: NOT a measure of real cost."),
    "model": Clock("model", "guest instructions", "instr", True, True, False,
                   "icount, with the cache/TLB model plugin (bench/model/): each sample "
                   "also has modelled cycles and L1I/L1D/L2/L3/ITLB/DTLB misses, hot and "
                   "cold; deterministic, a model of a Skylake core, not a measurement."),
}


def counts_instructions(name: str) -> bool:
    """Does a tick count retired guest instructions exactly (icount, and model, which is
    icount with the model plugin)?"""
    return name in ("icount", "model")


def get_clock(name: str) -> Clock:
    if name not in CLOCKS:
        raise UsageError(f"unknown clock mode: {name}\nvalid clock modes: {', '.join(CLOCKS)}")
    return CLOCKS[name]


def qemu_command(qemu: str, elf: Path, clock: Clock, samples: int | None,
                 warmup: int | None, arch: str = "x86_64",
                 extra: dict | None = None, plugin: list[str] | None = None) -> list[str]:
    """The full QEMU command line for one boot of `arch` (harness/ipclab/arches.py;
    FORMAT.md, 'Exit status'); `extra` adds key=value words to the guest's command line
    (e.g. mode=fuzz seed=1); `plugin` the -plugin option (clock=model, model.py)."""
    a = get_arch(arch)
    append = [f"clock={clock.name}"]
    if samples is not None:
        append.append(f"samples={samples}")
    if warmup is not None:
        append.append(f"warmup={warmup}")
    append += [f"{k}={v}" for k, v in (extra or {}).items()]
    return ([qemu, "-M", a.machine, "-m", a.memory] + clock.qemu_accel_args(a) +
            ["-kernel", str(elf), "-append", " ".join(append),
             "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot"] +
            list(a.extra) + list(plugin or []))


# --------------------------------------------------------------------------- KVM trust

# Guest-side thresholds (cycles). On real hardware a serialized rdtsc pair costs tens of
# cycles and a null system call a few hundred at most; where rdtsc traps to a software
# hypervisor each read costs ~4400 cycles (DESIGN.md), so these limits separate the two
# cases by an order of magnitude on either side.
KVM_MAX_COUNTER_READ = 1000
KVM_MAX_NULL_SYSCALL = 5000
# Host loop: a fixed pure-Python loop of HOST_LOOP_ITERS iterations. Any x86 host built
# in the last decade runs it in well under HOST_LOOP_MAX_S; a host that takes longer is
# too slow or too loaded to produce trustworthy cycle counts.
HOST_LOOP_ITERS = 2_000_000
HOST_LOOP_MAX_S = 2.0


def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def time_host_loop(iters: int = HOST_LOOP_ITERS) -> float:
    t0 = time.perf_counter()
    x = 0
    for i in range(iters):
        x = (x + i * 7) & 0xFFFF
    return time.perf_counter() - t0


def kvm_host_checks(proc: str = "/proc", sys: str = "/sys", dev: str = "/dev/kvm",
                    loop: bool = True) -> dict:
    """Look at the host. Returns {'usable': bool, 'trusted': bool, 'reasons': [...],
    'facts': {...}}. usable=False: KVM cannot run at all; trusted=False: it runs, but
    its cycle counts are not real (nested/paravirtual host, or a slow host)."""
    facts, reasons, usable = {}, [], True
    facts["dev_kvm"] = os.path.exists(dev)
    facts["dev_kvm_rw"] = facts["dev_kvm"] and os.access(dev, os.R_OK | os.W_OK)
    if not facts["dev_kvm"]:
        usable = False
        reasons.append(f"{dev} does not exist: no KVM on this host")
    elif not facts["dev_kvm_rw"]:
        usable = False
        reasons.append(f"{dev} is not readable and writable by this user")
    cpuinfo = _read(f"{proc}/cpuinfo")
    flags = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    facts["cpu_hypervisor_flag"] = "hypervisor" in flags
    if facts["cpu_hypervisor_flag"]:
        reasons.append("/proc/cpuinfo has the 'hypervisor' flag: this host is itself a "
                       "virtual machine, so KVM here is nested (rdtsc and ring 0 may trap)")
    modules = _read(f"{proc}/modules")
    pvm = os.path.isdir(f"{sys}/module/kvm_pvm") or any(
        l.split()[0] == "kvm_pvm" for l in modules.splitlines() if l.strip())
    facts["kvm_pvm"] = pvm
    if pvm:
        reasons.append("kvm_pvm is loaded (/sys/module/kvm_pvm or /proc/modules): KVM is "
                       "a software paravirtual hypervisor; rdtsc traps (~4400 cycles each)")
    if loop:
        secs = time_host_loop()
        facts["host_loop_s"] = round(secs, 4)
        facts["host_loop_iters"] = HOST_LOOP_ITERS
        if secs > HOST_LOOP_MAX_S:
            reasons.append(f"a {HOST_LOOP_ITERS}-iteration host loop took {secs:.2f} s "
                           f"(limit {HOST_LOOP_MAX_S} s): host too slow or overloaded")
    return {"usable": usable, "trusted": usable and not reasons, "reasons": reasons,
            "facts": facts}


def kvm_guest_verdict(counter_read_median: float | None,
                      null_syscall_median: float | None) -> list[str]:
    """Reasons (empty = none) why a KVM guest's numbers are not real cycles."""
    out = []
    if counter_read_median is not None and counter_read_median > KVM_MAX_COUNTER_READ:
        out.append(f"counter read costs {counter_read_median:.0f} cycles "
                   f"(> {KVM_MAX_COUNTER_READ}): rdtsc traps to the hypervisor")
    if null_syscall_median is not None and null_syscall_median > KVM_MAX_NULL_SYSCALL:
        out.append(f"null syscall costs {null_syscall_median:.0f} cycles "
                   f"(> {KVM_MAX_NULL_SYSCALL}): ring 0 or rdtsc is emulated")
    return out
