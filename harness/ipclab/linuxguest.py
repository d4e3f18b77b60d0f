"""Linux beside the microkernel: Debian's kernel booted under QEMU with the project's
own /init (bench/linux/), measured in the same unit and by the same method as
bench/guest/, printed in the serial format of bench/FORMAT.md with format version 2.

    PYTHONPATH=harness /usr/bin/python3 -m ipclab.linuxguest prepare
    PYTHONPATH=harness /usr/bin/python3 -m ipclab.linuxguest boot --pti on --log x.log
    PYTHONPATH=harness /usr/bin/python3 -m ipclab.linuxguest verify
    PYTHONPATH=harness /usr/bin/python3 -m ipclab.linuxguest summary x.log [y.log ...]

prepare: fetch Debian's kernel package (apt-get download, never installed), take
vmlinuz and its config out of it and the kernel ELF out of vmlinuz, build /init
(gcc -static) and the initramfs (a newc cpio written here) into build/linux/. boot:
one QEMU run with the harness's icount flags. verify: each configuration booted twice;
both must be good runs with identical numbers. summary: medians of stored logs.
bench/linux/README.md says what is measured, how, and what was found.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import lzma
import os
import shlex
import statistics
import subprocess
import sys
import tarfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from . import proc as harness_proc
from .clock import Clock, get_clock
from .config import REPO

FORMAT_VERSION = 2
MAGIC = "IPCLAB"
META_PACKAGE = "linux-image-amd64"
EXIT_OK, EXIT_FAIL = 1, 3          # isa-debug-exit: (value << 1) | 1
PTI_MODES = ("on", "off")
MITIGATION_MODES = ("auto", "off")
POLICIES = ("other", "fifo")      # scheduling policy of the cross-process cases
DEFAULT_SAMPLES, DEFAULT_WARMUP = 1000, 100
DEFAULT_TIMEOUT = 300.0

# /init: C11, warnings are errors, static (the initramfs has no libc).
CC = "gcc"
CFLAGS = ["-static", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror"]
INIT_SOURCES = ["main.c", "report.c", "system.c", "pingpong.c", "mechanisms.c", "stub.S"]
INIT_HEADERS = ["linuxbench.h", "pingpong.h"]

# Kernel parameters of every boot, and why (bench/linux/README.md, "Determinism").
# Everything on the measured path stays Debian's default (mitigations, per-syscall
# kernel stack randomization, address-space randomization): under icount they are
# deterministic too, since their randomness comes from rdtsc or from a pool seeded by
# a boot that is itself deterministic. What is added only ends the run cleanly, makes
# the boot short, or stops periodic checkers from firing while samples are taken.
BASE_CMDLINE = [
    "console=ttyS0",              # results on the serial port, as the microkernel's
    "quiet",                      # no boot messages: they cost time and none are read
    "panic=-1",                   # a panic ends the run (QEMU -no-reboot) instead of hanging
    "oops=panic",
    "noapictimer",                # skip the 100 ms busy-wait calibration of the local APIC
                                  # timer (5.6 s of the boot under TCG); the tick comes
                                  # from the HPET instead
    "nowatchdog",                 # no soft/hard lockup detector timers
    "tsc=reliable",               # no clocksource watchdog timer checking the TSC
    "rdinit=/init",
]


class PrepareError(Exception):
    """prepare cannot go on; the message says what to do (e.g. the apt-get line)."""


# --------------------------------------------------------------------------- paths

@dataclass(frozen=True)
class GuestPaths:
    """Where prepare puts everything (build/linux/ under the repository)."""
    root: Path

    @property
    def cache(self) -> Path:
        return self.root / "cache"        # downloaded .deb files

    @property
    def vmlinuz(self) -> Path:
        return self.root / "vmlinuz"      # as shipped: compressed bzImage

    @property
    def vmlinux(self) -> Path:
        return self.root / "vmlinux"      # the ELF inside it: what QEMU boots (PVH)

    @property
    def kconfig(self) -> Path:
        return self.root / "kernel.config"

    @property
    def init(self) -> Path:
        return self.root / "init"

    @property
    def initramfs(self) -> Path:
        return self.root / "initramfs.cpio"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"  # package name, version, hashes

    def kernel_info(self) -> dict:
        try:
            return json.loads(self.manifest.read_text())
        except (OSError, ValueError):
            return {}


def guest_paths(repo: Path | None = None) -> GuestPaths:
    return GuestPaths(Path(repo or REPO) / "build" / "linux")


# --------------------------------------------------------------------------- cpio (newc)

@dataclass(frozen=True)
class CpioEntry:
    """One member of a newc archive. mode carries the file type bits (S_IF*)."""
    name: str
    mode: int
    data: bytes = b""
    rdev_major: int = 0
    rdev_minor: int = 0


S_IFDIR, S_IFREG, S_IFCHR = 0o040000, 0o100000, 0o020000


def _pad4(n: int) -> bytes:
    return b"\0" * (-n % 4)


def newc_member(ino: int, entry: CpioEntry) -> bytes:
    """One newc header + name + data, each padded to 4 bytes. Owner root, mtime 0,
    one link: the archive depends on nothing but the entries, so it is reproducible."""
    name = entry.name.encode() + b"\0"
    fields = [ino, entry.mode, 0, 0, 1, 0, len(entry.data), 0, 0,
              entry.rdev_major, entry.rdev_minor, len(name), 0]
    header = b"070701" + b"".join(b"%08X" % f for f in fields)
    return header + name + _pad4(len(header) + len(name)) + entry.data + _pad4(len(entry.data))


def newc_archive(entries: list[CpioEntry]) -> bytes:
    """A complete newc archive (the format the kernel unpacks as initramfs)."""
    out = bytearray()
    for ino, entry in enumerate(entries, 1):
        out += newc_member(ino, entry)
    out += newc_member(0, CpioEntry("TRAILER!!!", 0))
    out += _pad4(len(out))
    return bytes(out)


def initramfs_entries(init: bytes) -> list[CpioEntry]:
    """/init and what it needs before it mounts anything: /dev/console (the kernel
    opens it as init's stdin/out/err) and the mount points of /proc and /sys."""
    return [
        CpioEntry("dev", S_IFDIR | 0o755),
        CpioEntry("dev/console", S_IFCHR | 0o600, rdev_major=5, rdev_minor=1),
        CpioEntry("proc", S_IFDIR | 0o555),
        CpioEntry("sys", S_IFDIR | 0o555),
        CpioEntry("init", S_IFREG | 0o755, init),
    ]


# --------------------------------------------------------------------------- kernel package

@dataclass(frozen=True)
class KernelPackage:
    name: str          # e.g. linux-image-6.1.0-57-amd64
    version: str       # e.g. 6.1.192-3

    @property
    def spec(self) -> str:
        return f"{self.name}={self.version}"

    @property
    def deb_name(self) -> str:
        # apt-get download names the file <name>_<version with ':' as %3a>_amd64.deb
        return f"{self.name}_{self.version.replace(':', '%3a')}_amd64.deb"


def parse_depends(text: str, meta: str = META_PACKAGE) -> str | None:
    """The real kernel package behind the meta package, from `apt-cache depends`."""
    for line in text.splitlines():
        word = line.strip()
        if word.startswith("Depends:"):
            dep = word.split(":", 1)[1].strip().strip("<>")
            if dep.startswith("linux-image-") and dep != meta:
                return dep
    return None


def parse_candidate(text: str) -> str | None:
    """The candidate version from `apt-cache policy NAME`."""
    for line in text.splitlines():
        word = line.strip()
        if word.startswith("Candidate:"):
            v = word.split(":", 1)[1].strip()
            return None if v in ("", "(none)") else v
    return None


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          **kw)


def resolve_kernel_package(meta: str = META_PACKAGE) -> KernelPackage | None:
    """Ask apt which package and version linux-image-amd64 stands for today."""
    name = parse_depends(_run(["apt-cache", "depends", meta]).stdout, meta)
    if not name:
        return None
    version = parse_candidate(_run(["apt-cache", "policy", name]).stdout)
    return KernelPackage(name, version) if version else None


def download_command(pkg: KernelPackage | None) -> str:
    """The exact command prepare runs (or asks a root user to run) to fetch the .deb."""
    what = pkg.spec if pkg else f"$(apt-cache depends {META_PACKAGE} | " \
        "sed -n 's/^ *Depends: //p' | head -n1)"
    return f"apt-get update && apt-get download {what}"


def is_root() -> bool:
    return os.geteuid() == 0


def _cached_deb(paths: GuestPaths, pkg: KernelPackage | None) -> Path | None:
    if pkg is not None:
        p = paths.cache / pkg.deb_name
        return p if p.is_file() else None
    debs = sorted(paths.cache.glob("linux-image-*_amd64.deb"))
    return debs[-1] if debs else None


def parse_package_spec(spec: str) -> KernelPackage:
    """NAME=VERSION, as apt-get takes it."""
    name, eq, version = spec.partition("=")
    if not eq or not name.startswith("linux-image-") or not version:
        raise ValueError(f"expected linux-image-...=VERSION, not {spec!r}")
    return KernelPackage(name, version)


def fetch_kernel_deb(paths: GuestPaths, pin: KernelPackage | None = None) -> tuple[Path, KernelPackage]:
    """The kernel .deb in build/linux/cache/, downloading it as root if it is missing:
    `pin` if given, else whatever linux-image-amd64 stands for now. Not root and
    missing: PrepareError with the exact apt-get line."""
    paths.cache.mkdir(parents=True, exist_ok=True)
    pkg = pin or resolve_kernel_package()
    if pkg is None and is_root():
        _run(["apt-get", "update"])
        pkg = resolve_kernel_package()
    deb = _cached_deb(paths, pkg)
    if deb is not None:
        if pkg is None:        # offline, but a cached package: take name and version from it
            info = _run(["dpkg-deb", "-f", str(deb), "Package", "Version"]).stdout
            fields = dict(l.split(": ", 1) for l in info.splitlines() if ": " in l)
            pkg = KernelPackage(fields.get("Package", "?"), fields.get("Version", "?"))
        return deb, pkg
    if not is_root():
        raise PrepareError(
            f"the Debian kernel package is not in {paths.cache} and fetching it needs root "
            f"(apt); run as root:\n  cd {paths.cache} && {download_command(pkg)}")
    if pkg is None:
        raise PrepareError(f"apt cannot resolve {META_PACKAGE} even after apt-get update")
    proc = _run(["apt-get", "download", pkg.spec], cwd=paths.cache)
    if proc.returncode != 0:
        # Stale package lists name a version the mirror no longer has: refresh them,
        # and unless a version was pinned, ask again which one is current.
        _run(["apt-get", "update"])
        pkg = pin or resolve_kernel_package() or pkg
        proc = _run(["apt-get", "download", pkg.spec], cwd=paths.cache)
    deb = paths.cache / pkg.deb_name
    if proc.returncode != 0 or not deb.is_file():
        raise PrepareError(f"`apt-get download {pkg.spec}` failed in {paths.cache}:\n"
                           f"{proc.stderr.strip()}")
    return deb, pkg


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def extract_kernel(deb: Path, paths: GuestPaths) -> None:
    """vmlinuz and config out of the .deb, without installing it or unpacking its
    ~400 MB of modules: dpkg-deb streams the data tar, only ./boot/ is kept."""
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    found = {}
    assert proc.stdout is not None
    with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
        for member in tar:
            base = member.name.rsplit("/", 1)[-1]
            if not member.isfile() or "/boot/" not in member.name:
                continue
            for prefix, dest in (("vmlinuz-", paths.vmlinuz), ("config-", paths.kconfig)):
                if base.startswith(prefix):
                    f = tar.extractfile(member)
                    assert f is not None
                    dest.write_bytes(f.read())
                    found[prefix] = base
    if proc.wait() != 0 or "vmlinuz-" not in found:
        raise PrepareError(f"no /boot/vmlinuz-* in {deb}")
    paths.vmlinux.write_bytes(vmlinux_from_bzimage(paths.vmlinuz.read_bytes()))


XZ_MAGIC = b"\xfd7zXZ\x00"
GZIP_MAGIC = b"\x1f\x8b\x08\x00"
ELF_MAGIC = b"\x7fELF"


def vmlinux_from_bzimage(image: bytes) -> bytes:
    """The uncompressed kernel ELF inside a bzImage: the payload is the first stream
    (xz, as Debian builds it, or gzip) that decompresses to an ELF file. Booting it
    directly (QEMU's PVH entry) skips the in-guest decompressor, which takes ~7 s of
    the boot under TCG; the kernel that then runs is the very same code."""
    for magic, decompress in ((XZ_MAGIC, lambda d: lzma.LZMADecompressor(
            format=lzma.FORMAT_XZ).decompress(d)),
                              (GZIP_MAGIC, lambda d: zlib.decompressobj(31).decompress(d))):
        at = image.find(magic)
        while at >= 0:
            try:
                out = decompress(image[at:])
            except (lzma.LZMAError, zlib.error):
                out = b""
            if out.startswith(ELF_MAGIC):
                return out
            at = image.find(magic, at + 1)
    raise PrepareError("no xz or gzip stream holding an ELF kernel in the bzImage")


# --------------------------------------------------------------------------- build

def build_init(repo: Path, paths: GuestPaths) -> list[str]:
    """gcc the /init program; returns the command line. Rebuilt only when a source or
    header is newer than the binary."""
    src_dir = Path(repo) / "bench" / "linux"
    sources = [src_dir / s for s in INIT_SOURCES]
    deps = sources + [src_dir / h for h in INIT_HEADERS]
    cmd = [CC] + CFLAGS + ["-o", str(paths.init)] + [str(s) for s in sources]
    if paths.init.is_file() and all(d.stat().st_mtime <= paths.init.stat().st_mtime
                                    for d in deps):
        return cmd
    proc = _run(cmd)
    if proc.returncode != 0:
        raise PrepareError(f"building /init failed:\n$ {shlex.join(cmd)}\n{proc.stderr}")
    return cmd


def prepare(repo: Path | None = None, pin: KernelPackage | None = None) -> GuestPaths:
    """Everything a boot needs, in build/linux/: vmlinuz, vmlinux, kernel.config, init,
    initramfs.cpio and manifest.json (package, version, SHA-256 of each file). The
    kernel is fetched once and kept; `pin` (NAME=VERSION) replaces it by that one."""
    repo = Path(repo or REPO)
    paths = guest_paths(repo)
    paths.root.mkdir(parents=True, exist_ok=True)
    info = paths.kernel_info()
    pinned_other = pin is not None and (info.get("package"), info.get("version")) != \
        (pin.name, pin.version)
    if not paths.vmlinux.is_file() or not info.get("package") or pinned_other:
        deb, pkg = fetch_kernel_deb(paths, pin)
        extract_kernel(deb, paths)
        info = {"meta_package": META_PACKAGE, "package": pkg.name, "version": pkg.version,
                "deb": deb.name, "deb_sha256": sha256(deb),
                "vmlinuz_sha256": sha256(paths.vmlinuz),
                "vmlinux_sha256": sha256(paths.vmlinux)}
    cc_cmd = build_init(repo, paths)
    paths.initramfs.write_bytes(newc_archive(initramfs_entries(paths.init.read_bytes())))
    info.update({"init_cmd": shlex.join(cc_cmd), "init_sha256": sha256(paths.init),
                 "initramfs_sha256": sha256(paths.initramfs)})
    paths.manifest.write_text(json.dumps(info, indent=2) + "\n")
    return paths


# --------------------------------------------------------------------------- boot

def kernel_cmdline(pti: str, samples: int, warmup: int, clock: str = "icount",
                   mitigations: str = "auto", policy: str = "other") -> str:
    """The kernel command line of one boot. pti is forced either way (the kernel
    would otherwise decide from the CPU model); mitigations=auto is the kernel's
    default and is left off the line. policy= is read by /init alone."""
    for what, value, allowed in (("pti", pti, PTI_MODES),
                                 ("mitigations", mitigations, MITIGATION_MODES),
                                 ("policy", policy, POLICIES)):
        if value not in allowed:
            raise ValueError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
    if samples < 1 or warmup < 0:
        raise ValueError("samples must be at least 1 and warmup at least 0")
    words = list(BASE_CMDLINE) + [f"pti={pti}"]
    if mitigations != "auto":
        words.append(f"mitigations={mitigations}")
    words += [f"clock={clock}", f"policy={policy}", f"samples={samples}",
              f"warmup={warmup}"]
    return " ".join(words)


def qemu_command(paths: GuestPaths, cmdline: str, clock: Clock,
                 qemu: str = "qemu-system-x86_64") -> list[str]:
    """The harness's QEMU line (clock.qemu_command) with Linux's kernel (the ELF, which
    QEMU enters through its PVH note), initramfs and command line, plus what a Linux
    boot needs to be repeatable: one vCPU, no NIC and an RTC that starts at a fixed
    date and runs on the virtual (icount) clock."""
    return ([qemu, "-M", "pc", "-m", "256M", "-smp", "1"] + clock.qemu_accel_args() +
            ["-kernel", str(paths.vmlinux), "-initrd", str(paths.initramfs),
             "-append", cmdline,
             "-rtc", "base=2020-01-01T00:00:00,clock=vm", "-nic", "none",
             "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
             "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"])


@dataclass
class BootResult:
    cmd: list[str]
    log_path: Path
    stderr_path: Path
    exit_code: int | None = None
    timed_out: bool = False
    seconds: float = 0.0
    start_error: str | None = None     # QEMU could not be started (the host's fault)
    host_error: str | None = None      # the log could not be written (the host's fault)

    @property
    def cmdline(self) -> str:
        return shlex.join(self.cmd)


def boot(paths: GuestPaths, pti: str, samples: int, warmup: int, log_path: Path,
         timeout: float = DEFAULT_TIMEOUT, *, mitigations: str = "auto",
         policy: str = "other", clock: str = "icount", stderr_path: Path | None = None,
         qemu: str | None = None) -> BootResult:
    """One boot. The serial console goes byte for byte into log_path, QEMU's stderr
    into stderr_path (default: log_path with .stderr). A boot that outlives timeout is
    killed (its process group, by id) and marked timed_out."""
    c = get_clock(clock)
    qemu = qemu or os.environ.get("IPCLAB_QEMU") or "qemu-system-x86_64"
    cmd = qemu_command(paths, kernel_cmdline(pti, samples, warmup, c.name, mitigations,
                                             policy), c, qemu)
    log_path = Path(log_path)
    stderr_path = Path(stderr_path) if stderr_path else log_path.with_suffix(".stderr")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    res = BootResult(cmd, log_path, stderr_path)
    # The harness's own runner: QEMU in a process group of its own, registered so that
    # SIGINT/SIGTERM/SIGHUP to the harness kill it; the console copied by the harness.
    r = harness_proc.run_logged(cmd, log_path, stderr_path, timeout)
    res.exit_code, res.timed_out, res.seconds = r.exit_code, r.timed_out, r.seconds
    res.start_error, res.host_error = r.start_error, r.host_error
    return res


# --------------------------------------------------------------------------- the log

# key=value fields each record carries (format version 2), and which are integers.
# harness/ipclab/logparse.py reads version 1 only, hence this small reader.
SPEC = {
    "BEGIN": (("variant", "arch", "clock", "build", "samples", "warmup", "counter",
               "reg_words", "max_words"), ("samples", "warmup", "reg_words", "max_words")),
    "CONFIG": (("kernel", "pti"), ()),
    "CASE": (("id", "bench", "space", "len", "metric", "overhead", "samples"),
             ("id", "len", "overhead", "samples")),
    "CASE-END": (("id", "count", "sum"), ("id", "count", "sum")),
    "SKIP": (("bench", "space", "len", "reason"), ("len",)),
    "CHECK": (("name", "expect", "got", "result"), ("expect", "got")),
    "END": (("status", "cases", "checks", "failed"), ("cases", "checks", "failed")),
}
MAX_DATA_PER_LINE = 16

# The cases every Linux boot prints: (bench, space, metric, len).
CROSS_BENCHES = (("sched_yield", 0), ("pipe", 1), ("eventfd", 1), ("futex", 1),
                 ("unix_socket", 1))
EXPECTED_CASES = ([("counter", "self", "read", 0), ("null_syscall", "self", "round", 0)] +
                  [(b, "cross", m, n) for b, n in CROSS_BENCHES for m in ("call", "round")])


def case_name(key: tuple) -> str:
    bench, space, metric, length = key
    return f"{bench}/{space}/{metric}/len{length}"


@dataclass
class GuestCase:
    id: int
    bench: str
    space: str
    len: int
    metric: str
    overhead: int
    samples: int
    values: list[int] = field(default_factory=list)
    closed: bool = False

    @property
    def key(self) -> tuple:
        return (self.bench, self.space, self.metric, self.len)


@dataclass
class GuestLog:
    begin: dict | None = None
    config: dict | None = None
    cases: list[GuestCase] = field(default_factory=list)
    skips: list[dict] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    end: dict | None = None
    errors: list[str] = field(default_factory=list)

    def case_map(self) -> dict[tuple, GuestCase]:
        return {c.key: c for c in self.cases}


def _fields(kind: str, rest: str) -> dict | str:
    """key=value fields of one record, or an error message."""
    need, ints = SPEC[kind]
    out: dict = {}
    for tok in rest.split(" ") if rest else []:
        key, eq, value = tok.partition("=")
        if not eq or not key or not value or key in out:
            return f"{kind}: bad field {tok!r}"
        out[key] = value
    missing = [k for k in need if k not in out]
    if missing:
        return f"{kind}: missing {', '.join(missing)}"
    for k in ints:
        try:
            out[k] = int(out[k])
        except ValueError:
            return f"{kind}: {k}={out[k]!r} is not an integer"
    return out


def parse_log(text: str) -> GuestLog:
    """Every `IPCLAB 2` line of a console log; any other line is log text. Protocol
    errors (a malformed line, a count or sum that does not add up, a record out of
    order) go to .errors, never into the data."""
    log = GuestLog()
    open_case: GuestCase | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r")
        if not line.startswith(MAGIC + " "):
            continue
        parts = line.split(" ", 3)
        if len(parts) < 3 or parts[1] != str(FORMAT_VERSION):
            log.errors.append(f"line {lineno}: not a format {FORMAT_VERSION} line: {line!r}")
            continue
        kind, rest = parts[2], parts[3] if len(parts) > 3 else ""

        def err(msg: str) -> None:
            log.errors.append(f"line {lineno}: {msg}")

        if log.end is not None:
            err(f"{kind} after END")
            continue
        if kind != "BEGIN" and log.begin is None:
            err(f"{kind} before BEGIN")
            continue
        if kind == "DATA":
            toks = rest.split(" ")
            if open_case is None or toks[0] != f"id={open_case.id}":
                err(f"DATA {toks[0]} for a case that is not open")
                continue
            vals = toks[1:]
            if not vals or len(vals) > MAX_DATA_PER_LINE:
                err(f"{len(vals)} values on one DATA line (1 to {MAX_DATA_PER_LINE})")
                continue
            try:
                open_case.values.extend(int(v) for v in vals)
            except ValueError:
                err(f"DATA value that is not an integer: {rest!r}")
            continue
        if kind not in SPEC:
            err(f"unknown record {kind!r}")
            continue
        f = _fields(kind, rest)
        if isinstance(f, str):
            err(f)
            continue
        if kind == "BEGIN":
            if log.begin is not None:
                err("second BEGIN")
            else:
                log.begin = f
        elif kind == "CONFIG":
            if log.config is not None:
                err("second CONFIG")
            log.config = f
        elif kind == "CASE":
            if open_case is not None:
                err(f"CASE id={f['id']} while case id={open_case.id} is open")
            c = GuestCase(f["id"], f["bench"], f["space"], f["len"], f["metric"],
                          f["overhead"], f["samples"])
            if c.key in log.case_map():
                err(f"case {case_name(c.key)} printed twice")
            log.cases.append(c)
            open_case = c
        elif kind == "CASE-END":
            if open_case is None or f["id"] != open_case.id:
                err(f"CASE-END id={f['id']} for a case that is not open")
                continue
            c, open_case = open_case, None
            c.closed = True
            if f["count"] != len(c.values) or f["count"] != c.samples:
                err(f"case {case_name(c.key)}: count={f['count']}, samples={c.samples}, "
                    f"{len(c.values)} values printed")
            elif f["sum"] != sum(c.values):
                err(f"case {case_name(c.key)}: sum={f['sum']} but the values sum to "
                    f"{sum(c.values)}")
        elif kind == "SKIP":
            log.skips.append(f)
        elif kind == "CHECK":
            if f["result"] != ("pass" if f["expect"] == f["got"] else "fail"):
                err(f"CHECK {f['name']}: result={f['result']} contradicts expect/got")
            log.checks.append(f)
        elif kind == "END":
            if open_case is not None:
                err(f"END while case {case_name(open_case.key)} is open")
                open_case = None
            log.end = f
    if open_case is not None:
        log.errors.append(f"case {case_name(open_case.key)} never closed: output truncated")
    return log


def check_log(log: GuestLog, exit_code: int | None, *, timed_out: bool = False,
              pti: str | None = None, mitigations: str | None = None,
              policy: str | None = None, clock: str | None = None,
              samples: int | None = None, warmup: int | None = None,
              version: str | None = None) -> list[str]:
    """Judge one boot: the problems found (empty = a good run). The same rules as
    logparse.validate for the microkernel: exit status, protocol errors, END and
    CHECK lines, every expected case present and full, values >= 1 under icount, and
    BEGIN/CONFIG echoing what the boot asked for (version: the package version of the
    kernel prepare fetched, build/linux/manifest.json)."""
    p: list[str] = []
    if timed_out:
        p.append("timeout: the guest was killed")
    elif exit_code not in (EXIT_OK, EXIT_FAIL):
        p.append(f"QEMU exit status {exit_code} (1 = ok, 3 = fail): QEMU stopped, the "
                 "kernel panicked (panic=-1 reboots, -no-reboot exits 0) or it was killed")
    p += [f"malformed: {e}" for e in log.errors]
    if log.begin is None:
        p.append("no BEGIN line")
    if log.config is None:
        p.append("no CONFIG line")
    if log.end is None:
        p.append("no END line: output truncated")
    else:
        e = log.end
        nfail = sum(c["result"] != "pass" for c in log.checks)
        if e["status"] != "ok":
            p.append(f"END status={e['status']}")
        if (exit_code == EXIT_OK) != (e["status"] == "ok") and not timed_out:
            p.append(f"END status={e['status']} but QEMU exit status {exit_code}")
        if e["cases"] != len(log.cases) or e["checks"] != len(log.checks) or \
                e["failed"] != nfail:
            p.append(f"END cases={e['cases']} checks={e['checks']} failed={e['failed']} "
                     f"but {len(log.cases)} cases, {len(log.checks)} checks, {nfail} failed "
                     "were printed")
    p += [f"CHECK {c['name']} expect={c['expect']} got={c['got']}" for c in log.checks
          if c["result"] != "pass"]
    b, cfg = log.begin or {}, log.config or {}
    for key, want, have in (("clock", clock, b.get("clock")),
                            ("samples", samples, b.get("samples")),
                            ("warmup", warmup, b.get("warmup")),
                            ("pti", pti, cfg.get("pti")),
                            ("mitigations", mitigations, cfg.get("mitigations")),
                            ("policy", policy, cfg.get("policy")),
                            ("version", version, cfg.get("version"))):
        if want is not None and have is not None and have != want:
            p.append(f"config: {key}={have} printed, {want} asked")
    if b and b.get("variant") != "linux":
        p.append(f"config: BEGIN variant={b.get('variant')}, expected linux")
    have = log.case_map()
    missing = [case_name(k) for k in EXPECTED_CASES if k not in have]
    if missing:
        p.append(f"missing case(s): {', '.join(missing)}")
    for c in log.cases:
        if b and c.samples != b.get("samples"):
            p.append(f"case {case_name(c.key)}: samples={c.samples}, BEGIN says "
                     f"{b.get('samples')}")
        low = [v for v in c.values if v < 1]
        if low and (clock or b.get("clock")) == "icount":
            p.append(f"case {case_name(c.key)}: {len(low)} value(s) below 1 under icount")
    return p


def compare_logs(a: GuestLog, b: GuestLog) -> list[str]:
    """Where two boots' numbers differ (empty = identical): per case, the overhead and
    every sample in order."""
    out = []
    ma, mb = a.case_map(), b.case_map()
    for key in sorted(set(ma) | set(mb)):
        ca, cb = ma.get(key), mb.get(key)
        if ca is None or cb is None:
            out.append(f"{case_name(key)}: only in boot {'2' if ca is None else '1'}")
        elif ca.overhead != cb.overhead or ca.values != cb.values:
            diff = sum(x != y for x, y in zip(ca.values, cb.values))
            spread = max((abs(x - y) for x, y in zip(ca.values, cb.values)), default=0)
            out.append(f"{case_name(key)}: {diff} of {len(ca.values)} samples differ "
                       f"(largest difference {spread}), overhead {ca.overhead} vs "
                       f"{cb.overhead}")
    return out


def summary_rows(log: GuestLog) -> list[dict]:
    """One row per case: median, minimum, maximum and how many distinct values."""
    return [{"case": case_name(c.key), "overhead": c.overhead, "samples": len(c.values),
             "median": statistics.median(c.values) if c.values else None,
             "min": min(c.values, default=None), "max": max(c.values, default=None),
             "distinct": len(set(c.values))} for c in log.cases]


# --------------------------------------------------------------------------- verify

@dataclass(frozen=True)
class BootConfig:
    """One kernel configuration a boot measures."""
    pti: str = "on"
    mitigations: str = "auto"
    policy: str = "other"

    @property
    def name(self) -> str:
        parts = [f"pti-{self.pti}"]
        if self.mitigations != "auto":
            parts.append(f"mitigations-{self.mitigations}")
        if self.policy != "other":
            parts.append(f"policy-{self.policy}")
        return "_".join(parts)


@dataclass
class Judged:
    config: BootConfig
    result: BootResult
    log: GuestLog
    problems: list[str]


def boot_and_check(paths: GuestPaths, cfg: BootConfig, samples: int, warmup: int,
                   log_path: Path, timeout: float = DEFAULT_TIMEOUT,
                   clock: str = "icount") -> Judged:
    res = boot(paths, cfg.pti, samples, warmup, log_path, timeout,
               mitigations=cfg.mitigations, policy=cfg.policy, clock=clock)
    host = [f"host: {e} (a fault of the host, not of the guest)"
            for e in (res.start_error, res.host_error) if e]
    try:
        text = log_path.read_text(errors="replace")
    except OSError as e:
        text, host = "", host + [f"host: cannot read {log_path}: {e.strerror}"]
    log = parse_log(text)
    problems = host + check_log(log, res.exit_code, timed_out=res.timed_out, pti=cfg.pti,
                                mitigations=cfg.mitigations, policy=cfg.policy,
                                clock=clock, samples=samples, warmup=warmup,
                                version=paths.kernel_info().get("version"))
    return Judged(cfg, res, log, problems)


def verify(paths: GuestPaths, configs: list[BootConfig], out_dir: Path,
           samples: int = DEFAULT_SAMPLES, warmup: int = DEFAULT_WARMUP,
           jobs: int = 2, timeout: float = DEFAULT_TIMEOUT) -> list[tuple[BootConfig, list[str], list[Judged]]]:
    """Boot every configuration twice under icount (up to `jobs` boots at once); a
    configuration passes when both boots are good runs and print identical numbers.
    Returns (config, problems, the two judged boots) per configuration."""
    from concurrent.futures import ThreadPoolExecutor
    runs = [(cfg, n) for cfg in configs for n in (1, 2)]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {run: pool.submit(boot_and_check, paths, run[0], samples, warmup,
                                    out_dir / f"{run[0].name}.boot{run[1]}.log", timeout)
                   for run in runs}
        judged = {run: f.result() for run, f in futures.items()}
    results = []
    for cfg in configs:
        one, two = judged[(cfg, 1)], judged[(cfg, 2)]
        problems = [f"boot 1: {x}" for x in one.problems] + \
                   [f"boot 2: {x}" for x in two.problems]
        if not problems:
            problems = [f"not deterministic: {x}" for x in compare_logs(one.log, two.log)]
        results.append((cfg, problems, [one, two]))
    return results


# --------------------------------------------------------------------------- CLI

def _print_summary(log: GuestLog, title: str) -> None:
    cfg = log.config or {}
    print(f"{title}: kernel={cfg.get('kernel')} version={cfg.get('version')} "
          f"pti={cfg.get('pti')} "
          f"mitigations={cfg.get('mitigations')} policy={cfg.get('policy')} "
          f"clock={(log.begin or {}).get('clock')}")
    print(f"  {'case':34} {'median':>9} {'min':>8} {'max':>8} {'distinct':>8}")
    for r in summary_rows(log):
        print(f"  {r['case']:34} {r['median']!s:>9} {r['min']!s:>8} {r['max']!s:>8} "
              f"{r['distinct']:>8}")


def _configs(args: argparse.Namespace) -> list[BootConfig]:
    return [BootConfig(p, args.mitigations, args.policy) for p in args.pti.split(",")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m ipclab.linuxguest", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", type=Path, default=REPO, help="repository root")
    sub = ap.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("prepare", help="fetch the kernel, build /init and the initramfs")
    pp.add_argument("--package", metavar="NAME=VERSION",
                    help="this kernel package instead of what linux-image-amd64 names "
                    "now (e.g. linux-image-6.1.0-57-amd64=6.1.192-3)")

    def knobs(p: argparse.ArgumentParser, pti_default: str) -> None:
        p.add_argument("--pti", default=pti_default,
                       help=f"pti mode(s), comma separated, of {PTI_MODES}")
        p.add_argument("--mitigations", choices=MITIGATION_MODES, default="auto")
        p.add_argument("--policy", choices=POLICIES, default="other",
                       help="scheduling policy of the cross-process cases")
        p.add_argument("--samples", type=int, default=DEFAULT_SAMPLES)
        p.add_argument("--warmup", type=int, default=DEFAULT_WARMUP)
        p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)

    b = sub.add_parser("boot", help="one boot: serial log and QEMU stderr to files")
    knobs(b, "on")
    b.add_argument("--clock", default="icount", help="icount (default), kvm or tcg")
    b.add_argument("--log", type=Path, required=True, help="serial console log")
    b.add_argument("--stderr", type=Path, help="QEMU's stderr (default: LOG.stderr)")
    v = sub.add_parser("verify", help="boot each configuration twice; pass if both are "
                       "good and identical")
    knobs(v, "on,off")
    v.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    v.add_argument("--out", type=Path, help="log directory (default build/linux/verify)")
    s = sub.add_parser("summary", help="median/min/max per case of stored logs")
    s.add_argument("logs", type=Path, nargs="+")
    args = ap.parse_args(argv)

    if args.cmd == "summary":
        for path in args.logs:
            _print_summary(parse_log(path.read_text(errors="replace")), str(path))
        return 0
    try:
        pin = parse_package_spec(args.package) if getattr(args, "package", None) else None
        paths = prepare(args.repo, pin)
    except ValueError as e:
        ap.error(str(e))
    except PrepareError as e:
        print(f"linuxguest: {e}", file=sys.stderr)
        return 2
    info = paths.kernel_info()
    if args.cmd == "prepare":
        print(f"kernel   {info.get('package')} {info.get('version')} "
              f"({paths.vmlinux}, from {info.get('deb')})")
        print(f"init     {paths.init}\ninitramfs {paths.initramfs}\nmanifest {paths.manifest}")
        return 0
    for p in args.pti.split(","):
        if p not in PTI_MODES:
            ap.error(f"--pti: {p!r} is not one of {', '.join(PTI_MODES)}")
    if args.cmd == "boot":
        if "," in args.pti:
            ap.error("boot takes one --pti mode")
        res = boot(paths, args.pti, args.samples, args.warmup, args.log, args.timeout,
                   mitigations=args.mitigations, policy=args.policy, clock=args.clock,
                   stderr_path=args.stderr)
        log = parse_log(args.log.read_text(errors="replace"))
        problems = check_log(log, res.exit_code, timed_out=res.timed_out, pti=args.pti,
                             mitigations=args.mitigations, policy=args.policy,
                             clock=args.clock, samples=args.samples, warmup=args.warmup,
                             version=info.get("version"))
        print(f"$ {res.cmdline}")
        print(f"QEMU exit status {res.exit_code}{' (timed out)' if res.timed_out else ''}, "
              f"{res.seconds:.1f} s; log {args.log}")
        _print_summary(log, "result")
        for p in problems:
            print(f"PROBLEM {p}")
        return 0 if not problems else 1
    out = args.out or paths.root / "verify"
    t0 = time.monotonic()
    results = verify(paths, _configs(args), out, args.samples, args.warmup, args.jobs,
                     args.timeout)
    bad = 0
    for cfg, problems, boots in results:
        secs = ", ".join(f"{j.result.seconds:.1f}" for j in boots)
        if problems:
            bad += 1
            print(f"FAIL {cfg.name} ({secs} s): {problems[0]}  [{boots[0].result.log_path}]")
            for p in problems[1:]:
                print(f"     {p}")
        else:
            print(f"PASS {cfg.name}: two good boots, identical numbers ({secs} s)")
    print(f"{len(results) - bad} of {len(results)} configurations passed in "
          f"{time.monotonic() - t0:.1f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
