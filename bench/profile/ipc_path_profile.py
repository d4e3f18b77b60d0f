#!/usr/bin/python3
"""Where the instructions of one IPC go: entry, lookup, checks, commit, switch, exit,
and the work of the feature axes (frame, reply, fpu, kpti) where a variant has it.

Boots one variant of one architecture under QEMU with every guest instruction logged
(TCG, one instruction per translation block, `-d exec,nochain`, filtered to the
kernel's text), cuts the trace into kernel entries (from `syscall_entry` to the return
to user mode: sysretq on x86_64, eret on aarch64, sret on riscv64), keeps the ones the
fast path finished, and attributes each executed instruction to the source line the
compiler emitted it for (addr2line of the architecture's toolchain on the kernel's
debug information). QEMU's binary, machine, CPU and options come from the harness's
table (harness/ipclab/arches.py). GCC interleaves code of neighbouring lines, so the
boundaries between categories are approximate to an instruction or two; the totals are
exact, and equal what the benchmark reports as one-way cost under icount.

Categories, from the source line of each instruction:
  entry   syscall_entry.S up to the call into C
  lookup  thread.h (thread IDs), cap.h (capabilities)
  checks  fastpath.c before its "Point of no return", the addressing mode's decline
          checks (dest_fast_*_partner in dest_<mode>.h), sched.h and switch.h
  commit  fastpath.c after it, the addressing mode's commit (dest_fast_*_commit and
          dest_await_reply), transfer.h, endpoint.h queue operations, list.h
  switch  the address-space and current-thread switch (arch inline.h and cpu.h, and the
          lines of fastpath.c's commit_switch() that call it or store `current`)
  exit    syscall_entry.S after the call returns: the receiver's frame and the return
  frame   FRAME=full: the entry's and exit's save and load of the registers past the
          partial frame (SAVE_REST, LOAD_REST) and the fast path's frame-to-frame word
          copy (regframe.h, and transfer_reg_words() of transfer.h that it calls)
  reply   the reply right's creation, check and deletion (reply_pointer.h, reply_cap.h)
  fpu     the lazy FPU's switch check (fpu.h)
  kpti    KPTI=on: the CR3 writes of entry and exit and the user rsp parked around them
          (KPTI_ENTRY, EXIT_USER_RSP)
Lookup includes the CSPACE axis's decoding (cspace_*.h, cnode.h). Categories a
variant does not have print as 0. The assembly fast path (FASTPATH=asm) carries its
categories in labels (fastpath_asm.S: <function>.<category>.<n>).
"""
from __future__ import annotations

import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "harness"))
from ipclab.arches import ARCHES, get_arch  # noqa: E402  (the harness's one arch table)

TRACE_PC = re.compile(r"\[[0-9a-f]+/([0-9a-f]{16})/")
CATEGORIES = ("entry", "lookup", "checks", "commit", "switch", "exit", "frame", "reply", "fpu",
              "kpti")
ASM_CALL, ASM_REPLY = "fastpath_asm_call", "fastpath_asm_reply_wait"   # FASTPATH=asm
LOOKUP_FILES = ("thread.h", "cap.h", "cspace_flat.h", "cspace_guarded.h", "cnode.h")
REPLY_FILES = ("reply_pointer.h", "reply_cap.h")


@dataclass(frozen=True)
class Symbol:
    address: int
    name: str


def symbols(elf: Path, tools: str) -> list[Symbol]:
    out = subprocess.run([tools + "nm", "-n", str(elf)], check=True, capture_output=True,
                         text=True)
    result = []
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT":
            result.append(Symbol(int(parts[0], 16), parts[2]))
    return result


def source_lines(elf: Path, pcs: set[int], tools: str) -> dict[int, tuple[str, int]]:
    """file basename and line of each pc, from the debug information."""
    ordered = sorted(pcs)
    out = subprocess.run([tools + "addr2line", "-e", str(elf)] + [hex(pc) for pc in ordered],
                         check=True, capture_output=True, text=True)
    result = {}
    for pc, line in zip(ordered, out.stdout.splitlines()):
        name, _, number = line.rpartition(":")
        number = number.split()[0]
        result[pc] = (os.path.basename(name), int(number) if number.isdigit() else 0)
    return result


def no_return_lines(fastpath_c: Path) -> list[int]:
    text = fastpath_c.read_text().splitlines()
    return [i + 1 for i, line in enumerate(text) if "Point of no return" in line]


def commit_lines(fastpath_c: Path) -> range:
    """The lines of commit_switch(), which runs only after the point of no return."""
    text = fastpath_c.read_text().splitlines()
    start = next((i + 1 for i, l in enumerate(text) if "*commit_switch(" in l), 0)
    end = next((i + 1 for i, l in enumerate(text)
                if i + 1 > start and l.startswith("struct tcb *fastpath_")), start)
    return range(start, end)


def switch_lines(fastpath_c: Path) -> set[int]:
    text = fastpath_c.read_text().splitlines()
    return {i + 1 for i, line in enumerate(text)
            if "arch_switch_space" in line or "current = to" in line
            or "arch_set_current" in line or "to->space != self->space" in line}


FUNCTION_RE = re.compile(r"^static inline [^(]*?\b(\w+)\(")


def commit_lines_of_dest(header: Path) -> set[int]:
    """Lines of the addressing header's functions that run after the point of no
    return: dest_fast_*_commit() and dest_await_reply(), which they call."""
    lines, current = set(), None
    for i, text in enumerate(header.read_text().splitlines(), 1):
        m = FUNCTION_RE.match(text)
        if m:
            current = m.group(1)
        if current and (current.endswith("_commit") or current == "dest_await_reply"):
            lines.add(i)
        if text.startswith("}"):
            current = None
    return lines


def function_lines(header: Path, function: str) -> set[int]:
    """The lines of one static inline function of a header."""
    lines, inside = set(), False
    for i, text in enumerate(header.read_text().splitlines(), 1):
        m = FUNCTION_RE.match(text)
        if m:
            inside = m.group(1) == function
        if inside:
            lines.add(i)
        if text.startswith("}"):
            inside = False
    return lines


REG_WORD_COPY = function_lines(ROOT / "kernel" / "core" / "transfer.h", "transfer_reg_words")

DEST_COMMIT = {h.name: commit_lines_of_dest(h)
               for h in (ROOT / "kernel" / "core").glob("dest_*.h")}


def entry_macro_lines(entry_s: Path, kpti: bool) -> dict[int, str]:
    """Lines of syscall_entry.S that invoke a feature's macro, and its category (the
    assembler gives a macro's instructions the line of its invocation)."""
    out = {}
    if not entry_s.exists():
        return out
    for i, text in enumerate(entry_s.read_text().splitlines(), 1):
        word = text.split()[0] if text.split() else ""
        if word in ("SAVE_REST", "LOAD_REST"):
            out[i] = "frame"
        elif word == "KPTI_ENTRY" or (word == "EXIT_USER_RSP" and kpti):
            out[i] = "kpti"
    return out


def categorise(pc: int, where: tuple[str, int], call_seen: bool, fp_lines: list[int],
               fp_switch: set[int], fp_commit: range, fn_start: int,
               entry_macros: dict[int, str] | None = None, frame_full: bool = False) -> str:
    name, line = where
    if frame_full and name == "transfer.h" and line in REG_WORD_COPY:
        return "frame"              # the fast path copies register words only under full
    if name == "syscall_entry.S":
        if entry_macros and line in entry_macros:
            return entry_macros[line]
        return "exit" if call_seen else "entry"
    if name in LOOKUP_FILES:
        return "lookup"
    if name == "regframe.h":
        return "frame"
    if name in REPLY_FILES:
        return "reply"
    if name == "fpu.h":
        return "fpu"
    if name in ("inline.h", "cpu.h"):
        return "switch"
    if name in ("endpoint.h", "list.h", "transfer.h"):
        return "commit"
    if name in DEST_COMMIT:
        return "commit" if line in DEST_COMMIT[name] else "checks"
    if name in ("sched.h", "switch.h"):
        return "checks"
    if name == "fastpath.c":
        if line in fp_switch:
            return "switch"
        if line in fp_commit:
            return "commit"
        # The no-return marker of the function this line belongs to: the last marker
        # above the line, if that marker lies below the function's start.
        markers = [m for m in fp_lines if m <= line and m >= fn_start]
        return "commit" if markers else "checks"
    return "commit" if call_seen else "checks"


def trace(arch: str, image: Path, text_start: int, text_end: int, samples: int,
          log: Path) -> None:
    a = get_arch(arch)
    cmd = [a.qemu, "-M", a.machine, "-m", a.memory, "-cpu", a.cpu,
           "-accel", "tcg", "-icount", "shift=0,align=off,sleep=off",
           "-display", "none", "-monitor", "none", "-serial", f"file:{log}.serial",
           "-no-reboot", *a.extra,
           "-kernel", str(image), "-append", f"clock=icount samples={samples} warmup=1",
           "-singlestep", "-d", "exec,nochain",
           "-dfilter", f"{text_start:#x}..{text_end:#x}", "-D", str(log)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if result.returncode != a.exit_status["ok"]:
        sys.exit(f"ipc-path-profile: the traced boot failed (QEMU exit {result.returncode});"
                 f" console: {log}.serial")


# A kernel entry that touched any of these did not finish on the fast path (or was an
# interrupt or fault): general path, and the trap handlers of every architecture.
SLOW_OR_TRAP = {"slow_path", "fast_declined", "syscall_slowpath", "trap_handler",
                "user_irq_handler", "user_fault_handler", "user_trap_handler"}


# Where each architecture switches address spaces: a kernel entry that executes one of
# these instructions ran a cross-address-space IPC (objdump's spelling).
SPACE_SWITCH = {
    "x86_64": re.compile(r"\bmov\s+%\w+,%cr3\b"),
    "aarch64": re.compile(r"\bmsr\s+ttbr0_el1,"),
    "riscv64": re.compile(r"\bcsrr?w\s+(\w+,\s*)?satp\b"),
}
OBJDUMP_LINE = re.compile(r"^\s*([0-9a-f]+):\s+(.*)$")
# KPTI (x86_64): entry and exit write CR3 on every system call, so they do not tell
# the spaces apart; the switch between spaces is the store of the next user CR3
# (arch_switch_space in inline.h, the assembly fast path's twin).
KPTI_SPACE_SWITCH = re.compile(r"\bmov\s+%\w+,0x[0-9a-f]+\(%rip\)\s+#\s*[0-9a-f]+ "
                               r"<kpti_user_cr3>")


def switch_pcs(elf: Path, arch: str, tools: str, kpti: bool = False) -> set[int]:
    """The addresses of the kernel's address-space switch instructions."""
    out = subprocess.run([tools + "objdump", "-d", "--no-show-raw-insn", str(elf)],
                         check=True, capture_output=True, text=True)
    pattern = KPTI_SPACE_SWITCH if kpti and arch == "x86_64" else SPACE_SWITCH[arch]
    result = set()
    for line in out.stdout.splitlines():
        m = OBJDUMP_LINE.match(line)
        if m and pattern.search(m.group(2)):
            result.add(int(m.group(1), 16))
    return result


@dataclass
class Profile:
    """One variant on one architecture: every distinct fast-path length seen, keyed by
    (operation, space, total), with its split and how often it was seen; the null
    system call; and what the traced boot's own benchmark printed (medians)."""
    variant: str
    arch: str
    paths: dict
    null_path: int | None
    bench: dict

    def matching(self, op: str, space: str):
        """The path of (op, space) whose length equals the benchmark's one-way number
        at message length 0 (the same boot measured it), else the most frequent one:
        (total, categories, seen, matches_bench)."""
        want = self.bench.get((BENCH_METRIC[op], space))
        cands = [(k[2], v) for k, v in self.paths.items() if k[:2] == (op, space)]
        if not cands:
            return None
        hit = [c for c in cands if c[0] == want]
        total, v = max(hit or cands, key=lambda c: c[1]["seen"])
        return total, v["cats"], v["seen"], bool(hit)


BENCH_METRIC = {"call": "call", "reply_wait": "reply"}


def bench_medians(serial: Path) -> dict:
    """{(metric, space): median} of the traced boot's own IPC cases at length 0, and
    ('null', 'self'): the null system call (the harness's parser)."""
    from ipclab import logparse
    import statistics
    try:
        log = logparse.parse(serial.read_text(errors="replace"))
    except OSError:
        return {}
    out = {}
    for c in log.cases:
        if c.values and c.len == 0 and c.bench == "ipc" and c.metric in ("call", "reply"):
            out[(c.metric, c.space)] = statistics.median(c.values)
        if c.values and c.bench == "null_syscall":
            out[("null", "self")] = statistics.median(c.values)
    return out


def build_image(variant: str, arch: str) -> Path:
    build_run = subprocess.run(["make", "-s", "--no-print-directory", f"VARIANT={variant}",
                                f"ARCH={arch}", "image"], cwd=ROOT, capture_output=True,
                               text=True)
    if build_run.returncode != 0:
        sys.exit(f"ipc-path-profile: building {variant} for {arch} failed:\n"
                 f"{build_run.stderr}")
    return ROOT / "build" / arch / variant


def profile(variant: str, arch: str, samples: int) -> Profile:
    build = build_image(variant, arch)
    elf, image = build / "kernel.elf", build / "ipclab.elf"
    tools = get_arch(arch).toolchain
    syms = symbols(elf, tools)
    addresses = [s.address for s in syms]
    by_name = {s.name: s.address for s in syms}
    text_start, text_end = min(addresses), max(addresses) + 0x1000
    kpti = "#define CONFIG_KPTI_ON 1" in (build / "config.h").read_text()
    space_switch = switch_pcs(elf, arch, tools, kpti)

    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "trace.log"
        trace(arch, image, text_start, text_end, samples, log)
        bench = bench_medians(Path(f"{log}.serial"))
        pcs = []
        with open(log) as f:
            for line in f:
                m = TRACE_PC.search(line)
                if m:
                    pcs.append(int(m.group(1), 16))

    def symbol_of(pc: int) -> str:
        return syms[bisect.bisect_right(addresses, pc) - 1].name

    # A kernel entry starts at syscall_entry, or on riscv64 at trap_vectors (stvec, in
    # direct mode: every trap enters there and an ecall falls through to syscall_entry).
    entry = by_name.get("trap_vectors", by_name["syscall_entry"])
    segments, current = [], None
    for pc in pcs:
        if pc == entry:
            if current:
                segments.append(current)
            current = [pc]
        elif current is not None:
            current.append(pc)
    if current:
        segments.append(current)

    lines = source_lines(elf, set(pcs), tools)
    fastpath_c = ROOT / "kernel" / "core" / "fastpath.c"
    fp_markers, fp_switch = no_return_lines(fastpath_c), switch_lines(fastpath_c)
    fp_commit = commit_lines(fastpath_c)
    fn_start = {name: lines.get(by_name.get(name, -1), ("", 0))[1]
                for name in ("fastpath_call", "fastpath_reply_wait")}
    config_h = (build / "config.h").read_text()
    frame_full = "#define CONFIG_FRAME_FULL 1" in config_h
    entry_macros = entry_macro_lines(ROOT / "kernel" / "arch" / arch / "syscall_entry.S",
                                     kpti)

    paths: dict = {}
    null_path = None
    for seg in segments:
        names = {symbol_of(pc) for pc in seg}
        if names & SLOW_OR_TRAP:
            continue
        if null_path is None and all(lines.get(pc, ("", 0))[0] == "syscall_entry.S"
                                     for pc in seg):
            null_path = len(seg)
        op = ("call" if any(n.split(".")[0] in ("fastpath_call", ASM_CALL) for n in names)
              else "reply_wait" if any(n.split(".")[0] in ("fastpath_reply_wait", ASM_REPLY)
                                       for n in names)
              else None)
        if op is None:
            continue
        space = "cross" if space_switch.intersection(seg) else "same"
        key = (op, space, len(seg))
        if key in paths:
            paths[key]["seen"] += 1
            continue
        cats: collections.Counter = collections.Counter()
        call_seen = False
        fn = "fastpath_call" if op == "call" else "fastpath_reply_wait"
        for pc in seg:
            where = lines.get(pc, ("?", 0))
            sym = symbol_of(pc)
            if sym.split(".")[0] in (ASM_CALL, ASM_REPLY):
                # FASTPATH=asm: the category is in the label before the instruction
                # (fastpath_asm.S's AT macro: <fn>.<category>.<n>); after the fast
                # path, syscall_entry.S's lines are the exit.
                call_seen = True
                cats[sym.split(".")[1] if "." in sym else "checks"] += 1
                continue
            in_c = sym in ("fastpath_call", "fastpath_reply_wait")
            if in_c:
                call_seen = True
            cats[categorise(pc, where, call_seen, fp_markers, fp_switch, fp_commit,
                            fn_start[fn], entry_macros, frame_full)] += 1
        paths[key] = {"cats": cats, "seen": 1}
    return Profile(variant, arch, paths, null_path, bench)


def print_profile(p: Profile) -> None:
    print(f"variant {p.variant} ({p.arch}): kernel instructions per fast-path IPC, "
          f"syscall_entry to the return to user mode (the trap instruction itself not "
          f"included)")
    print(f"{'operation':<12} {'space':<6} {'total':>5} " +
          " ".join(f"{c:>6}" for c in CATEGORIES) + "  seen")
    for (op, space, total), v in sorted(p.paths.items()):
        print(f"{op:<12} {space:<6} {total:>5} " +
              " ".join(f"{v['cats'][c]:>6}" for c in CATEGORIES) + f"  {v['seen']}x")
    if p.null_path is not None:
        print(f"{'null syscall':<12} {'':<6} {p.null_path:>5}  (entry and exit only)")
    if not p.paths:
        print("no fast-path IPC in the trace (fast path off?)")


def summary_rows(p: Profile) -> list[list]:
    """The rows of the table across architectures: cross-address-space call and reply
    at message length 0, then the null system call."""
    rows = []
    for op in ("call", "reply_wait"):
        m = p.matching(op, "cross")
        want = p.bench.get((BENCH_METRIC[op], "cross"))
        if m is None:
            rows.append([p.variant, p.arch, op, "cross", "", *[""] * len(CATEGORIES),
                         _fmt(want), "no fast path in the trace"])
            continue
        total, cats, seen, hit = m
        rows.append([p.variant, p.arch, op, "cross", total, *[cats[c] for c in CATEGORIES],
                     _fmt(want), "equal" if hit else "DIFFERENT: most frequent path shown"])
    rows.append([p.variant, p.arch, "null syscall", "self",
                 p.null_path if p.null_path is not None else "", *["" for _ in CATEGORIES],
                 _fmt(p.bench.get(("null", "self"))),
                 "equal" if p.null_path is not None and
                 p.bench.get(("null", "self")) == p.null_path else "see the benchmark"])
    return rows


def _fmt(x) -> str:
    if x is None:
        return "-"
    return str(int(x)) if float(x) == int(x) else f"{x:.1f}"


SUMMARY_HEADER = ["variant", "arch", "operation", "space", "total", *CATEGORIES,
                  "benchmark", "trace vs benchmark"]


def parse_arches(words: list[str]) -> list[str]:
    names = [n for w in words for n in w.replace(",", " ").split()]
    if names == ["all"]:
        names = list(ARCHES)
    bad = [n for n in names if n not in ARCHES]
    if bad or not names:
        raise SystemExit(f"ipc-path-profile: unknown arch {' '.join(bad) or '(none)'}; "
                         f"valid: {' '.join(ARCHES)} (or all)")
    return list(dict.fromkeys(names))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Count where the kernel's instructions go on the IPC fast path of one "
                    "variant (entry, lookup, checks, commit, switch, exit), from a QEMU "
                    "instruction trace attributed to source lines; on several "
                    "architectures, a table across them.")
    parser.add_argument("--variant", default="l4-classic",
                        help="variant name (variants/*.conf); a comma-separated list "
                        "profiles each")
    parser.add_argument("--arch", default="x86_64", nargs="+",
                        help=f"one or more of {', '.join(ARCHES)} (comma or space "
                        f"separated), or all")
    parser.add_argument("--samples", type=int, default=3,
                        help="benchmark samples per case in the traced boot (default 3)")
    parser.add_argument("--csv", type=Path, default=None,
                        help="also write the table across architectures as CSV here")
    args = parser.parse_args(argv)

    variants = sorted(p.stem for p in (ROOT / "variants").glob("*.conf"))
    wanted = [v for v in args.variant.replace(",", " ").split()]
    bad = [v for v in wanted if v not in variants]
    if bad or not wanted:
        parser.error(f"unknown variant '{' '.join(bad)}'; valid: {' '.join(variants)}")
    arches = parse_arches(args.arch if isinstance(args.arch, list) else [args.arch])
    rows = []
    for variant in wanted:
        for arch in arches:
            p = profile(variant, arch, args.samples)
            print_profile(p)
            print()
            rows += summary_rows(p)
    if len(rows) > 3:
        print("Per architecture: the cross-address-space fast path at message length 0 (the "
              "path whose length the same boot's benchmark reports as its one-way median, "
              "'benchmark'), and the null system call; kernel instructions, icount")
    widths = [max(len(str(r[i])) for r in rows + [SUMMARY_HEADER])
              for i in range(len(SUMMARY_HEADER))]
    for r in [SUMMARY_HEADER] + rows:
        print("  ".join(str(c).rjust(w) if isinstance(c, int) or str(c).isdigit()
                        else str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    if args.csv:
        import csv
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with open(args.csv, "w", newline="") as f:
            csv.writer(f).writerows([SUMMARY_HEADER] + rows)
        print(f"written: {args.csv}")
    # The trace and the benchmark count the same instructions: a path that does not
    # match means the attribution is off (or the benchmark is), worth an exit status.
    return 1 if any(r[-1].startswith("DIFFERENT") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
