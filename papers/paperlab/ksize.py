"""Kernel size per variant, for the minimality lesson: how many source lines are
actually compiled once the CONFIG_ selection is made, and how many bytes the image
holds.

Lines: every kernel source a configuration compiles (the build's own list, printed by
`make paper-kernel-build`, with its own flags) is run through the C preprocessor; its
line markers say which line of which file each surviving line comes from. A line is
counted once however many files include it, only when it lies under kernel/ and
carries code after preprocessing: comments, blank lines, directives (#define,
#include, #if) and whatever an #if of another axis value removed are not counted. The
generated config.h and the root task the image carries (user_image.S) are left out.
For the published numbers (which count whole files, sloccount style) the same files
are also counted whole: non-blank lines outside comments.

Bytes: `size -A` of the linked kernel (kernel.elf, before the x86_64 image is repacked
for the loader): executable sections as text, writable ones as data and bss; read-only
data are summed over the kernel's own objects, since the image's .rodata also holds
the root task.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

LINEMARK = re.compile(r'^# (\d+) "([^"]*)"')
ROOT_TASK = "user_image.S"


class SizeError(Exception):
    """The kernel of a variant could not be configured, preprocessed or built."""


@dataclass
class KernelSize:
    variant: str
    arch: str
    lines: int = 0              # distinct kernel source lines left after preprocessing
    lines_core: int = 0         # of which under kernel/core and kernel/include
    lines_arch: int = 0         # of which under kernel/arch/<arch>
    files: int = 0              # kernel files those lines come from
    sloc_files: int = 0         # non-blank, non-comment lines of those files, whole
    text: int = 0               # executable bytes of kernel.elf
    rodata: int = 0             # read-only data of the kernel's objects (root task excluded)
    data: int = 0
    bss: int = 0
    image: str = ""             # build/<arch>/<v>/ipclab.elf
    image_sha256: str = ""
    per_file: dict = field(default_factory=dict)   # file -> lines after preprocessing

    def as_dict(self) -> dict:
        return asdict(self)


def build_settings(repo: Path, variant: str, arch: str, jobs: int = 2) -> dict:
    """Builds the image (make image: nothing when it is up to date) and returns the
    compile settings of the configuration, from the build itself."""
    # one make: the image (in parallel) and the settings, printed as KEY=value lines
    # among the build's own output
    r = subprocess.run(["make", "-s", "--no-print-directory", f"-j{max(1, jobs)}",
                        f"VARIANT={variant}", f"ARCH={arch}", "image", "paper-kernel-build"],
                       cwd=repo, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise SizeError(f"{variant} on {arch}: the image does not build: "
                        f"{' '.join(r.stdout.strip().splitlines()[-2:])}")
    out = {}
    for line in r.stdout.splitlines():
        k, eq, v = line.partition("=")
        if eq and k in ("KCC", "SIZE", "BUILD", "CPPFLAGS", "CFLAGS", "ASFLAGS", "SRCS",
                        "OBJS"):
            out[k] = v.strip()
    for k in ("KCC", "SIZE", "BUILD", "CPPFLAGS", "CFLAGS", "ASFLAGS", "SRCS", "OBJS"):
        if k not in out:
            raise SizeError(f"{variant} on {arch}: make paper-kernel-build gave no {k}")
    return out


def _strip_comments(text: str) -> str:
    """C and assembler source without /* */ and // comments (strings kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def sloc(path: Path) -> int:
    """Non-blank lines outside comments (sloccount's physical SLOC, roughly)."""
    text = _strip_comments(Path(path).read_text(errors="replace"))
    return sum(1 for line in text.splitlines() if line.strip())


def surviving_lines(cpp_output: str, repo: Path) -> dict[str, set]:
    """file (relative to repo, under kernel/) -> line numbers that carry code after
    preprocessing, from gcc -E's line markers."""
    out: dict[str, set] = {}
    cur, lineno = None, 0
    for raw in cpp_output.splitlines():
        m = LINEMARK.match(raw)
        if m:
            lineno, name = int(m.group(1)), m.group(2)
            p = Path(name)
            if not p.is_absolute():
                p = repo / p
            try:
                rel = p.resolve().relative_to(repo.resolve()).as_posix()
            except ValueError:
                rel = None
            cur = rel if rel and rel.startswith("kernel/") else None
            continue
        if cur is not None and raw.strip():
            out.setdefault(cur, set()).add(lineno)
        lineno += 1
    return out


def _preprocess(repo: Path, s: dict, src: str) -> str:
    flags = s["ASFLAGS"] if src.endswith(".S") else s["CFLAGS"]
    cmd = [s["KCC"], "-E", *s["CPPFLAGS"].split(), *flags.split(), src]
    r = subprocess.run(cmd, cwd=repo, text=True, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise SizeError(f"preprocessing {src} failed: {r.stderr.strip()[:300]}")
    return r.stdout


def _section_sizes(size_tool: str, path: Path) -> dict[str, int]:
    r = subprocess.run([size_tool, "-A", str(path)], text=True, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise SizeError(f"{size_tool} -A {path} failed: {r.stderr.strip()}")
    out = {}
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].startswith(".") and parts[1].isdigit():
            out[parts[0]] = out.get(parts[0], 0) + int(parts[1])
    return out


def _readelf_flags(path: Path, readelf: str) -> dict[str, str]:
    """section name -> (type, flags) of the alloc sections, from readelf -SW."""
    r = subprocess.run([readelf, "-SW", str(path)], text=True, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+\S+\s+\S+\s+\S+\s+\S+\s*(\S*)\s", line)
        if m:
            out[m.group(1)] = (m.group(2), m.group(3))
    return out


def image_bytes(repo: Path, s: dict) -> dict[str, int]:
    """text, data and bss of the linked kernel; rodata of its own objects."""
    elf = repo / s["BUILD"] / "kernel.elf"
    size_tool = s["SIZE"]
    readelf = size_tool[:-len("size")] + "readelf"
    secs = _section_sizes(size_tool, elf)
    flags = _readelf_flags(elf, readelf)
    text = data = bss = 0
    for name, n in secs.items():
        typ, fl = flags.get(name, ("", ""))
        if "A" not in fl:
            continue
        if "X" in fl:
            text += n
        elif "W" in fl and typ == "NOBITS":
            bss += n
        elif "W" in fl:
            data += n
    rodata = 0
    for obj in s["OBJS"].split():
        if Path(obj).name.startswith(ROOT_TASK):
            continue
        rodata += sum(n for k, n in _section_sizes(size_tool, repo / obj).items()
                      if k.startswith(".rodata"))
    return {"text": text, "rodata": rodata, "data": data, "bss": bss}


def tree_digest(repo: Path) -> str:
    """What every size depends on: the kernel's files (its tests aside), the variant
    files and this module."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    files = [p for p in (repo / "kernel").rglob("*") if p.is_file() and
             "tests" not in p.relative_to(repo / "kernel").parts[:1]]
    files += list((repo / "variants").glob("*.conf"))
    for p in sorted(files):
        h.update(p.relative_to(repo).as_posix().encode() + b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def measure(repo: Path, variant: str, arch: str, cache_dir: Path | None = None,
            jobs: int = 2, digest: str | None = None) -> KernelSize:
    """One configuration's size. Cached under cache_dir by the digest of the kernel
    tree: a cached size is used while the tree is unchanged and the image on disk is
    still the one it was measured with; otherwise the image is built (make) and the
    sources preprocessed again."""
    repo = Path(repo)
    digest = digest or tree_digest(repo)
    cache = Path(cache_dir) / f"{variant}--{arch}--{digest[:20]}.json" if cache_dir else None
    if cache and cache.is_file():
        d = json.loads(cache.read_text())
        image = repo / d.get("image", "")
        if image.is_file() and _sha(image) == d.get("image_sha256"):
            return KernelSize(**d)
    s = build_settings(repo, variant, arch, jobs)
    image = repo / s["BUILD"] / "ipclab.elf"
    sha = _sha(image)
    srcs = [x for x in s["SRCS"].split() if Path(x).name != ROOT_TASK]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        outputs = list(ex.map(lambda src: _preprocess(repo, s, src), srcs))
    lines: dict[str, set] = {}
    for o in outputs:
        for f, ls in surviving_lines(o, repo).items():
            lines.setdefault(f, set()).update(ls)
    arch_dir = f"kernel/arch/{arch}/"
    per_file = {f: len(v) for f, v in sorted(lines.items())}
    ks = KernelSize(variant, arch,
                    lines=sum(per_file.values()),
                    lines_arch=sum(n for f, n in per_file.items() if f.startswith(arch_dir)),
                    files=len(per_file),
                    sloc_files=sum(sloc(repo / f) for f in per_file),
                    image=str(image.relative_to(repo)), image_sha256=sha,
                    per_file=per_file, **image_bytes(repo, s))
    ks.lines_core = ks.lines - ks.lines_arch
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.glob(f"{variant}--{arch}--*.json"):
            old.unlink()
        cache.write_text(json.dumps(ks.as_dict(), indent=1))
    return ks
