"""Build a variant with the top-level Makefile and boot it under QEMU.

A boot's serial console (QEMU's stdout) is copied byte for byte into its log file by
the harness (proc.run_logged), and QEMU's own stderr goes into a `.stderr` file beside
it, so that whatever happens (hang, crash, kill) the log on disk is exactly what the
guest printed, and a host-side write error (disk full) is reported as such, never as a
guest that stopped printing. A boot that outlives its timeout is killed (its whole
process group, by id) and reported as a timeout.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from .arches import get_arch
from . import model, proc
from .clock import Clock, qemu_command
from .config import REPO, axes


def qemu_binary(arch: str) -> str:
    """The arch's QEMU (arches.py); $IPCLAB_QEMU overrides it (the tests point it at a
    fake)."""
    return os.environ.get("IPCLAB_QEMU") or get_arch(arch).qemu


def make_env() -> dict:
    """The environment for `make ... image`: a VARIANT=, ARCH=, DEBUG= or axis override
    (TRANSFER=...) inherited through MAKEFLAGS (e.g. `make bench VARIANT=a,b`) must not
    override the variant we build, or the image would not be that variant."""
    env = dict(os.environ)
    flags = env.get("MAKEFLAGS")
    own = tuple(f"{k}=" for k in ["VARIANT", "VARIANT_FILE", "ARCH", "DEBUG"] +
                [a.name for a in axes()])
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
    tool_error: str | None = None   # make itself could not run (infrastructure)

    @property
    def reason(self) -> str:
        """make's own one-line reason for a failed build (its first error line)."""
        return build_reason(self.output)


def build(variant: str, arch: str, repo: Path = None, make: str = None,
          debug: bool = False, variant_file: Path | None = None) -> BuildResult:
    """`make -s VARIANT=<v> ARCH=<arch> [DEBUG=1] image` in the repository root
    (VARIANT_FILE=<file> for a configuration that is not a named variant)."""
    repo = Path(repo or REPO)
    make = make or os.environ.get("IPCLAB_MAKE", "make")
    select = f"VARIANT_FILE={variant_file}" if variant_file else f"VARIANT={variant}"
    cmd = [make, "-s", select, f"ARCH={arch}", f"DEBUG={int(debug)}", "image"]
    t0 = time.monotonic()
    tool_error = None
    try:
        status, out = proc.run(cmd, cwd=repo, env=make_env())
        ok = status == 0
    except OSError as e:
        ok, out = False, f"cannot run {make}: {e.strerror or e}"
        tool_error = out
    elf = elf_path(variant, arch, repo, debug)
    if ok and not elf.is_file():
        ok, out = False, out + f"\nbuild succeeded but {elf} does not exist"
    return BuildResult(variant, ok, time.monotonic() - t0, cmd, out, elf if ok else None,
                       tool_error)


@dataclass
class BootResult:
    variant: str
    cmd: list
    log_path: Path
    stderr_path: Path
    exit_code: int | None = None
    timed_out: bool = False
    seconds: float = 0.0
    start_error: str | None = None     # QEMU could not be started (infrastructure)
    host_error: str | None = None      # writing the log failed on the host (not the guest)
    extra: dict = field(default_factory=dict)

    @property
    def cmdline(self) -> str:
        return shlex.join(str(c) for c in self.cmd)


def boot(variant: str, elf: Path, clock: Clock, log_path: Path, *, arch: str = "x86_64",
         samples: int | None = None, warmup: int | None = None, timeout: float = 120.0,
         qemu: str | None = None, extra: dict | None = None,
         model_args: list[str] | None = None) -> BootResult:
    """Boot one image; returns when QEMU exits or the timeout kills it. `extra`: more
    key=value words for the guest's command line. Under clock=model the model plugin
    writes its records beside the log (model.records_path), with `model_args`."""
    qemu = qemu or qemu_binary(arch)
    log_path = Path(log_path)
    plugin = None
    if clock.name == "model":
        rec = model.records_path(log_path)
        for old in (rec, Path(str(rec) + ".gz")):    # never judge a stale file
            try:
                old.unlink(missing_ok=True)
            except OSError:
                pass
        plugin = model.qemu_args(rec, model_args)
    cmd = qemu_command(qemu, elf, clock, samples, warmup, arch, extra, plugin)
    err_path = log_path.with_suffix(".stderr")
    res = BootResult(variant, cmd, log_path, err_path)
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        res.host_error = f"cannot create {log_path.parent}: {e.strerror}"
        return res
    r = proc.run_logged(cmd, log_path, err_path, timeout)
    res.exit_code, res.timed_out, res.seconds = r.exit_code, r.timed_out, r.seconds
    res.start_error, res.host_error = r.start_error, r.host_error
    return res


_ERROR_LINE = re.compile(r"(\*\*\*|\berror\b|\bError\b|: fatal|undefined reference|"
                         r"No rule to make target|is invalid|unknown)")


def build_reason(output: str) -> str:
    """The line of make's output that says why the build failed: the first line that
    looks like an error (compiler error, make's *** line, a configuration refusal),
    else the last non-empty line."""
    lines = [l.strip() for l in (output or "").splitlines() if l.strip()]
    for l in lines:
        if _ERROR_LINE.search(l):
            return l[:300]
    return lines[-1][:300] if lines else "no output"


def tool_version(cmd: list) -> str:
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=20).stdout
        return out.strip().splitlines()[0] if out.strip() else ""
    except (OSError, subprocess.SubprocessError):
        return ""
