"""The target architectures: everything the harness must know to boot one, in one table.

| arch    | QEMU                | machine             | CPU (tcg/icount) | counter      | how the run ends                     |
|---------|---------------------|---------------------|------------------|--------------|--------------------------------------|
| x86_64  | qemu-system-x86_64  | pc                  | qemu64           | tsc          | isa-debug-exit port 0xf4             |
| aarch64 | qemu-system-aarch64 | virt,gic-version=2  | cortex-a53       | pmccntr_el0  | semihosting SYS_EXIT                 |
| riscv64 | qemu-system-riscv64 | virt                | rv64             | instret      | sifive_test finisher (FINISHER_FAIL) |

Every kernel ends QEMU with the same statuses, chosen so that 0 keeps meaning "QEMU
stopped by itself": 1 after `END status=ok`, 3 after `END status=fail`, 5 after a
kernel panic (isa-debug-exit makes them as (value << 1) | 1; the other two kernels
hand QEMU that number: kernel/arch/<arch>/power.c). Each entry still carries its own
mapping, which is what logparse.validate() reads, so an architecture whose device
cannot make these numbers only changes its row.

clock.py builds the QEMU command line from an entry and runner.py picks the binary; the
in-guest profile (bench/profile/) reads the same table. The x86_64 command line is the
one the harness always used, option for option.
"""
from __future__ import annotations

from dataclasses import dataclass

from .config import UsageError


@dataclass(frozen=True)
class Arch:
    name: str
    qemu: str                   # the QEMU binary
    machine: str                # -M
    cpu: str                    # -cpu under tcg and icount
    memory: str                 # -m
    counter: str                # the counter the guest reads (BEGIN counter=, the KIP's)
    exit_device: str            # how the kernel ends the run, for people
    exit_status: dict           # outcome (ok, fail, panic) -> QEMU exit status
    extra: tuple = ()           # options after the console's (devices, semihosting)
    toolchain: str = ""         # binutils prefix for the kernel's ELF (nm, addr2line)
    kvm: bool = False           # whether -accel kvm can run it (a guest of the host's ISA)
    boot_note: str = ""

    def outcome(self, exit_code: int | None) -> str | None:
        """'ok', 'fail' or 'panic' for a QEMU exit status the kernel makes, else None."""
        for what, code in self.exit_status.items():
            if code == exit_code:
                return what
        return None


STATUSES = {"ok": 1, "fail": 3, "panic": 5}

ARCHES = {
    "x86_64": Arch(
        "x86_64", "qemu-system-x86_64", "pc", "qemu64", "256M", "tsc",
        "isa-debug-exit at I/O port 0xf4: QEMU exits with (value << 1) | 1",
        dict(STATUSES), ("-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"),
        toolchain="", kvm=True,
        boot_note="multiboot: QEMU's -kernel loader, 32-bit protected mode"),
    "aarch64": Arch(
        "aarch64", "qemu-system-aarch64", "virt,gic-version=2", "cortex-a53", "256M",
        "pmccntr_el0",
        "Arm semihosting SYS_EXIT (hlt #0xf000), subcode (status << 1) | 1",
        dict(STATUSES), ("-semihosting-config", "enable=on,target=native"),
        toolchain="aarch64-linux-gnu-",
        boot_note="ELF at EL1, device tree at the start of RAM"),
    "riscv64": Arch(
        "riscv64", "qemu-system-riscv64", "virt", "rv64", "256M", "instret",
        "sifive_test finisher at 0x100000: FINISHER_FAIL with code (status << 1) | 1",
        dict(STATUSES), ("-bios", "default"),
        toolchain="riscv64-linux-gnu-",
        boot_note="QEMU's OpenSBI (fw_dynamic) starts the ELF in S-mode, a1 = device tree"),
}


def get_arch(name: str) -> Arch:
    if name not in ARCHES:
        raise UsageError(f"unsupported arch: {name}\nsupported by the harness: "
                         f"{', '.join(ARCHES)}")
    return ARCHES[name]
