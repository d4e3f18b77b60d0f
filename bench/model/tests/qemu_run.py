"""Booting an ipclab image (or the model's test guest) under QEMU the way the harness
does, with or without the model plugin: shared by smoke_test.py and slowdown.py."""
from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

QEMU = "qemu-system-x86_64"
ICOUNT = ["-accel", "tcg", "-icount", "shift=0,align=off,sleep=off"]


@dataclass
class Boot:
    status: int
    stdout: bytes
    stderr: str
    seconds: float


def qemu_command(image: str, cmdline: str, plugin: str | None = None,
                 plugin_args: list[str] | None = None, extra: list[str] | None = None) -> list[str]:
    cmd = [QEMU, "-M", "pc", "-m", "256M", "-cpu", "qemu64", *ICOUNT, "-kernel", image,
           "-append", cmdline, "-display", "none", "-monitor", "none", "-serial", "stdio",
           "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if plugin:
        cmd += ["-plugin", ",".join([plugin, *(plugin_args or [])])]
    return cmd + (extra or [])


def boot(image: str, cmdline: str, plugin: str | None = None,
         plugin_args: list[str] | None = None, extra: list[str] | None = None,
         timeout: float = 600) -> Boot:
    cmd = qemu_command(image, cmdline, plugin, plugin_args, extra)
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return Boot(done.returncode, done.stdout, done.stderr.decode(errors="replace"),
                time.monotonic() - start)
