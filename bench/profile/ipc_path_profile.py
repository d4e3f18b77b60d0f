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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Count where the kernel's instructions go on the IPC fast path of one "
                    "variant (entry, lookup, checks, commit, switch, exit), from a QEMU "
                    "instruction trace attributed to source lines.")
    parser.add_argument("--variant", default="l4-classic", help="variant name (variants/*.conf)")
    parser.add_argument("--arch", default="x86_64", choices=list(ARCHES))
    parser.add_argument("--samples", type=int, default=3,
                        help="benchmark samples per case in the traced boot (default 3)")
    args = parser.parse_args(argv)

    variants = sorted(p.stem for p in (ROOT / "variants").glob("*.conf"))
    if args.variant not in variants:
        parser.error(f"unknown variant '{args.variant}'; valid: {' '.join(variants)}")
    build = ROOT / "build" / args.arch / args.variant
    build_run = subprocess.run(["make", "-s", "--no-print-directory", f"VARIANT={args.variant}",
                                f"ARCH={args.arch}", "image"], cwd=ROOT, capture_output=True,
                               text=True)
    if build_run.returncode != 0:
        sys.exit(f"ipc-path-profile: building {args.variant} failed:\n{build_run.stderr}")
    elf, image = build / "kernel.elf", build / "ipclab.elf"
    tools = get_arch(args.arch).toolchain
    syms = symbols(elf, tools)
    addresses = [s.address for s in syms]
    by_name = {s.name: s.address for s in syms}
    text_start, text_end = min(addresses), max(addresses) + 0x1000

    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "trace.log"
        trace(args.arch, image, text_start, text_end, args.samples, log)
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
    kpti = "#define CONFIG_KPTI_ON 1" in config_h
    frame_full = "#define CONFIG_FRAME_FULL 1" in config_h
    entry_macros = entry_macro_lines(ROOT / "kernel" / "arch" / args.arch / "syscall_entry.S",
                                     kpti)

    seen: dict[tuple[str, int], collections.Counter] = {}
    counts: collections.Counter = collections.Counter()
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
        counts[(op, len(seg))] += 1
        if (op, len(seg)) in seen:
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
        seen[(op, len(seg))] = cats

    print(f"variant {args.variant} ({args.arch}): kernel instructions per fast-path IPC, "
          f"syscall_entry to the return to user mode (the trap instruction itself not "
          f"included)")
    print(f"{'operation':<12} {'total':>5} " + " ".join(f"{c:>6}" for c in CATEGORIES) + "  seen")
    for (op, total), cats in sorted(seen.items()):
        print(f"{op:<12} {total:>5} " + " ".join(f"{cats[c]:>6}" for c in CATEGORIES)
              + f"  {counts[(op, total)]}x")
    if null_path is not None:
        print(f"{'null syscall':<12} {null_path:>5}  (entry and exit only)")
    if not seen:
        print("no fast-path IPC in the trace (fast path off?)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
