"""Build a variant with the top-level Makefile and boot it under QEMU.

A boot writes the serial console (QEMU's stdout) straight into its log file, and QEMU's
own stderr into a `.stderr` file beside it, so that whatever happens (hang, crash,
kill) the log on disk is exactly what the guest printed. A boot that outlives its
timeout is killed (its whole process group, by id) and reported as a timeout.
"""
from __future__ import annotations

import os
import shlex
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .arches import get_arch
from .clock import Clock, qemu_command
from .config import REPO, axes


def qemu_binary(arch: str) -> str:
    """The arch's QEMU (arches.py); $IPCLAB_QEMU overrides it (the tests point it at a
    fake)."""
    return os.environ.get("IPCLAB_QEMU") or get_arch(arch).qemu


_live: dict = {}          # pid -> Popen of the QEMU processes this harness started
_live_lock = threading.Lock()


def kill_live() -> None:
    """Kill every QEMU process group this harness started and is still running (by id)."""
    with _live_lock:
        procs = list(_live.values())
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def make_env() -> dict:
    """The environment for `make ... image`: a VARIANT=, ARCH=, DEBUG= or axis override
    (TRANSFER=...) inherited through MAKEFLAGS (e.g. `make bench VARIANT=a,b`) must not
    override the variant we build, or the image would not be that variant."""
    env = dict(os.environ)
    flags = env.get("MAKEFLAGS")
    own = tuple(f"{k}=" for k in ["VARIANT", "ARCH", "DEBUG"] + [a.name for a in axes()])
    if flags:
        toks = [t for t in flags.split(" ") if not t.startswith(own)]
        env["MAKEFLAGS"] = " ".join(toks).rstrip(" -") if toks else ""
    env.pop("MAKEOVERRIDES", None)
    return env


def elf_path(variant: str, arch: str, repo: Path = None, debug: bool = False) -> Path:
    """The bootable image make builds (a debug build has its own directory)."""
    return Path(repo or REPO) / "build" / arch / (variant + ("-debug" if debug else "")) / \
        "ipclab.elf"


@dataclass
class BuildResult:
    variant: str
    ok: bool
    seconds: float
    cmd: list
    output: str = ""
    elf: Path | None = None


def build(variant: str, arch: str, repo: Path = None, make: str = None,
          debug: bool = False) -> BuildResult:
    """`make -s VARIANT=<v> ARCH=<arch> [DEBUG=1] image` in the repository root."""
    repo = Path(repo or REPO)
    make = make or os.environ.get("IPCLAB_MAKE", "make")
    cmd = [make, "-s", f"VARIANT={variant}", f"ARCH={arch}", f"DEBUG={int(debug)}", "image"]
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=repo, stdout=subprocess.PIPE, env=make_env(),
                              stderr=subprocess.STDOUT, text=True, errors="replace")
        ok, out = proc.returncode == 0, proc.stdout
    except OSError as e:
        ok, out = False, str(e)
    elf = elf_path(variant, arch, repo, debug)
    if ok and not elf.is_file():
        ok, out = False, out + f"\nbuild succeeded but {elf} does not exist"
    return BuildResult(variant, ok, time.monotonic() - t0, cmd, out, elf if ok else None)


@dataclass
class BootResult:
    variant: str
    cmd: list
    log_path: Path
    stderr_path: Path
    exit_code: int | None = None
    timed_out: bool = False
    seconds: float = 0.0
    start_error: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def cmdline(self) -> str:
        return shlex.join(str(c) for c in self.cmd)


def boot(variant: str, elf: Path, clock: Clock, log_path: Path, *, arch: str = "x86_64",
         samples: int | None = None, warmup: int | None = None, timeout: float = 120.0,
         qemu: str | None = None, extra: dict | None = None) -> BootResult:
    """Boot one image; returns when QEMU exits or the timeout kills it. `extra`: more
    key=value words for the guest's command line."""
    qemu = qemu or qemu_binary(arch)
    cmd = qemu_command(qemu, elf, clock, samples, warmup, arch, extra)
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    err_path = log_path.with_suffix(".stderr")
    res = BootResult(variant, cmd, log_path, err_path)
    t0 = time.monotonic()
    with open(log_path, "wb") as out, open(err_path, "wb") as err:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                    start_new_session=True)
        except OSError as e:
            res.start_error = f"cannot start {qemu}: {e}"
            res.exit_code = None
            err.write(res.start_error.encode() + b"\n")
            return res
        with _live_lock:
            _live[proc.pid] = proc
        try:
            res.exit_code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            res.timed_out = True
            try:
                os.killpg(proc.pid, signal.SIGKILL)   # the group we started, by its id
            except ProcessLookupError:
                pass
            res.exit_code = proc.wait()
        except BaseException:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            raise
        finally:
            with _live_lock:
                _live.pop(proc.pid, None)
    res.seconds = time.monotonic() - t0
    return res


def tool_version(cmd: list) -> str:
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=20).stdout
        return out.strip().splitlines()[0] if out.strip() else ""
    except (OSError, subprocess.SubprocessError):
        return ""
