"""The cache and TLB model as a metric (clock=model): the QEMU plugin of bench/model/,
its record files, and what each sample cost in it.

Under `--clock model` QEMU runs as under icount (`-icount shift=0`), with the model
plugin loaded (`-plugin build/model/libipclab_model.so,records=logs/<v>.model`). The
plugin writes one record of its cumulative counters at every rdtsc the guest executes,
keyed by the TSC value the guest read (bench/model/README.md, "Record file"). The
guest, told clock=model, prints where each sample's window starts (STAMP lines) and
where its overhead window starts (CASE overhead_at=), and runs the cold cases too
(bench/FORMAT.md, "Under the model"). A sample printed as v with overhead o and start
t0 is the window [t0, t0 + v + o]; its counts are the differences of the two records'
counters, less those of the overhead window [overhead_at, overhead_at + o], exactly as
v is the TSC difference less o. So for every sample:

    instructions = v (checked: a record must exist at both ends of every window, which
                   holds only if the plugin counts instructions exactly as -icount does)
    cycles, l1i_misses, ..., serializing = the model's counts in the window, less the
                   overhead window's

After the boot the harness stores the record file as logs/<v>.model.gz, packed (the
header as written, then each counter column delta-coded, column after column: about
50 KB for a full boot instead of 12 MB), and `harness reanalyse` reads it back.

Only x86_64: the plugin decodes x86-64 instruction bytes (rdtsc, mov to CR3, the
serialising instructions, the flush marker) and refuses any other QEMU target.
"""
from __future__ import annotations

import gzip
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import REPO, UsageError

PLUGIN = Path("build") / "model" / "libipclab_model.so"
MODEL_MK = Path("bench") / "model" / "model.mk"
ARCHES = ("x86_64",)

MAGIC = b"IPCLMDL1"           # the plugin's record file (bench/model/record_file.h)
PACKED_MAGIC = b"IPCLMDP1"    # the same, body packed column-major and delta-coded
RECORD_VERSION = 2
FIELDS = ["tsc", "pc", "kind", "insns", "cycles", "l1i_misses", "l1d_misses",
          "l2_misses", "l3_misses", "itlb_misses", "dtlb_misses", "serializing"]
KIND_RDTSC = 1

# Every event a sample of a model run carries: (name, unit). `instructions` is the
# sample's own value (the TSC difference the guest printed); the others are columns of
# samples.csv.gz named as here.
EVENTS = [
    ("instructions", "guest instructions"),
    ("cycles", "modelled cycles"),
    ("l1i_misses", "L1I misses"),
    ("l1d_misses", "L1D misses"),
    ("l2_misses", "L2 misses"),
    ("l3_misses", "L3 (last-level cache) misses"),
    ("itlb_misses", "ITLB misses"),
    ("dtlb_misses", "DTLB misses"),
    ("serializing", "serialising instructions"),
]
EVENT_UNITS = dict(EVENTS)
EXTRA_EVENTS = [e for e, _ in EVENTS if e != "instructions"]     # columns of samples
MISS_EVENTS = ["l1i_misses", "l1d_misses", "l2_misses", "l3_misses", "itlb_misses",
               "dtlb_misses"]
HEADLINE_EVENT = "cycles"
# record field behind each extra event
_FIELD_OF = {"cycles": "cycles", **{e: e for e in EXTRA_EVENTS if e != "cycles"}}


class ModelError(Exception):
    """A record file that cannot be read, or a sample it cannot account for."""


def check_arch(arch: str) -> None:
    if arch not in ARCHES:
        raise UsageError(
            f"clock=model cannot run arch {arch}: the cache/TLB model plugin "
            f"(bench/model/) decodes x86-64 instructions only (rdtsc, mov to CR3, "
            f"serialising instructions, its flush marker) and QEMU's plugin API in 7.2 "
            f"gives it no register values to read a {arch} counter with; use --arch "
            f"x86_64, or --clock icount on {arch}")


def plugin_path(repo: Path | None = None) -> Path:
    return Path(repo or REPO) / PLUGIN


def build_command(make: str | None = None) -> list[str]:
    return [make or os.environ.get("IPCLAB_MAKE", "make"), "-s", "--no-print-directory",
            "-f", str(MODEL_MK), "model-plugin"]


def check_args(args: str | None) -> list[str]:
    """'l2_size=512K,l3_miss_latency=250' -> ['l2_size=512K', ...]; refuses what is not
    name=value and the plugin's own `records=` (the harness chooses where records go).
    The plugin itself checks names and values (its message lists the valid ones)."""
    out = []
    for item in (args or "").replace(" ", ",").split(","):
        if not item:
            continue
        name, eq, value = item.partition("=")
        if not eq or not name or not value:
            raise UsageError(f"--model-args: {item!r} is not name=value (e.g. "
                             f"l3_miss_latency=250; bench/model/README.md lists them)")
        if name == "records":
            raise UsageError("--model-args: records= is chosen by the harness "
                             "(logs/<variant>.model)")
        out.append(item)
    return out


def qemu_args(records: Path, args: list[str] | None = None, repo: Path | None = None
              ) -> list[str]:
    """-plugin with the record file; QEMU splits the option on commas, so a comma in
    the path is doubled."""
    path = str(records).replace(",", ",,")
    return ["-plugin", ",".join([str(plugin_path(repo)), f"records={path}",
                                 *(args or [])])]


def records_path(log_path: Path) -> Path:
    """Where a boot's record file goes: beside its console log."""
    return Path(log_path).with_suffix(".model")


def stored_records(log_path: Path) -> Path | None:
    """The record file of a boot as stored (packed .model.gz, or raw .model)."""
    raw = records_path(log_path)
    for p in (Path(str(raw) + ".gz"), raw):
        if p.is_file():
            return p
    return None


# ------------------------------------------------------------------ record files

@dataclass
class Records:
    params: dict            # the model's parameters as the plugin wrote them
    table: np.ndarray       # n x len(FIELDS), uint64

    def column(self, name: str) -> np.ndarray:
        return self.table[:, FIELDS.index(name)]


def _header(data: bytes, path) -> tuple[int, dict]:
    version, size, nfields, text_len = struct.unpack_from("<IIII", data, 8)
    if version != RECORD_VERSION or nfields != len(FIELDS) or size != 8 * nfields:
        raise ModelError(f"{path}: record format version {version} with {nfields} "
                         f"fields of {size} bytes; this harness reads version "
                         f"{RECORD_VERSION} ({len(FIELDS)} fields): rebuild the plugin "
                         f"(make -f bench/model/model.mk model-plugin) and measure again")
    text = data[24:24 + text_len].decode(errors="replace")
    params = dict(item.split("=", 1) for item in text.split(",") if "=" in item)
    return 24 + text_len, params


def read(path: Path) -> Records:
    """A record file, raw (as the plugin wrote it) or packed (.gz)."""
    path = Path(path)
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" \
            else path.read_bytes()
    except (OSError, EOFError, ValueError) as e:
        raise ModelError(f"{path}: cannot be read: {e}")
    if data[:8] not in (MAGIC, PACKED_MAGIC) or len(data) < 24:
        raise ModelError(f"{path}: not a model record file (starts {data[:8]!r})")
    start, params = _header(data, path)
    body = data[start:]
    width = 8 * len(FIELDS)
    if len(body) % width:
        raise ModelError(f"{path}: {len(body)} bytes of records, not a whole number of "
                         f"{width}-byte records: the file is truncated")
    n = len(body) // width
    flat = np.frombuffer(body, dtype="<u8")
    if data[:8] == MAGIC:
        table = flat.reshape(n, len(FIELDS)).astype(np.uint64)
    else:
        table = np.cumsum(flat.reshape(len(FIELDS), n), axis=1, dtype=np.uint64).T
    return Records(params, np.ascontiguousarray(table))


def pack(raw: Path) -> Path:
    """Store a raw record file packed beside it (.gz) and remove the raw one."""
    raw = Path(raw)
    data = raw.read_bytes()
    if data[:8] != MAGIC:
        raise ModelError(f"{raw}: not a raw model record file")
    start, _ = _header(data, raw)
    n = (len(data) - start) // (8 * len(FIELDS))
    table = np.frombuffer(data[start:start + n * 8 * len(FIELDS)], dtype="<u8") \
        .reshape(n, len(FIELDS))
    delta = table.T.copy()
    delta[:, 1:] = delta[:, 1:] - table.T[:, :-1]      # modulo 2^64, undone by cumsum
    out = Path(str(raw) + ".gz")
    tmp = Path(str(out) + ".tmp")
    with open(tmp, "wb") as raw_out, gzip.GzipFile(filename=out.name[:-3], mode="wb",
                                                   fileobj=raw_out, mtime=0) as f:
        f.write(PACKED_MAGIC + data[8:start])
        f.write(delta.astype("<u8").tobytes())
    os.replace(tmp, out)
    raw.unlink()
    return out


# ------------------------------------------------------------------ attribution

class _Index:
    """rdtsc records by the TSC value the guest read."""

    def __init__(self, rec: Records):
        rd = rec.table[rec.column("kind") == KIND_RDTSC]
        order = np.argsort(rd[:, 0], kind="stable")
        self.keys = rd[order, 0]
        self.rows = rd[order]
        if len(self.keys) > 1 and (np.diff(self.keys) == 0).any():
            k = int(self.keys[:-1][np.diff(self.keys) == 0][0])
            raise ModelError(f"two rdtsc records read TSC {k}")

    def find(self, tsc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows, found) for each TSC value."""
        tsc = np.asarray(tsc, dtype=np.uint64)
        pos = np.searchsorted(self.keys, tsc)
        pos = np.minimum(pos, max(len(self.keys) - 1, 0))
        found = (self.keys[pos] == tsc) if len(self.keys) else np.zeros(len(tsc), bool)
        return self.rows[pos] if len(self.keys) else np.zeros((len(tsc), len(FIELDS)),
                                                              np.uint64), found


def _window(index: _Index, start: np.ndarray, length: np.ndarray
            ) -> tuple[np.ndarray | None, int, int]:
    """Counters over [start, start + length] per sample: (n x FIELDS int64 differences,
    number of samples whose records are missing, the first such start)."""
    a, fa = index.find(start)
    b, fb = index.find(start + length)
    bad = ~(fa & fb)
    if bad.any():
        return None, int(bad.sum()), int(start[np.argmax(bad)])
    return (b.astype(np.int64) - a.astype(np.int64)), 0, 0


def attribute(log, rec: Records, require_all: bool = True
              ) -> tuple[list[str], list[str]]:
    """Give every case of a parsed log its model events (case.events: event -> int64
    array, one value per sample). Returns (problems, unattributed): the problems found
    (empty: every sample accounted for), and the cases that printed no STAMP lines.
    Such a case is a problem with `require_all` (the IPC benchmark's cases are all
    counter windows); a workload's may be a count or an average over many windows
    (threads, bytes, cost per event of a burst), which keeps its value and gets no
    model events."""
    index = _Index(rec)
    problems, unattributed = [], []
    col = {f: i for i, f in enumerate(FIELDS)}
    for c in log.cases:
        n = len(c.values)
        if c.stamps is None and not require_all:
            unattributed.append(c.name)
            continue
        if c.stamps is None or len(c.stamps) != n:
            problems.append(f"case {c.name} printed "
                            f"{'no' if c.stamps is None else len(c.stamps)} STAMP values "
                            f"for {n} samples: the model cannot attribute its samples "
                            f"(report them with report_case_at, bench/guest/runtime.h)")
            continue
        values = np.asarray(c.values, dtype=np.int64)
        starts = np.asarray(c.stamps, dtype=np.uint64)
        win, missing, first = _window(index, starts,
                                      (values + c.overhead).astype(np.uint64))
        if win is None:
            problems.append(f"case {c.name}: {missing} of {n} "
                            f"samples have no model record at one end (first window "
                            f"starts at TSC {first}): the plugin's instruction count "
                            f"differs from -icount's there (bench/model/README.md, 'TSC "
                            f"and instruction count')")
            continue
        over = np.zeros(len(FIELDS), dtype=np.int64)
        if c.overhead:
            if not c.overhead_at:
                problems.append(f"case {c.name}: overhead={c.overhead} but no "
                                f"overhead_at= to find its window")
                continue
            ow, _, _ = _window(index, np.array([c.overhead_at], dtype=np.uint64),
                               np.array([c.overhead], dtype=np.uint64))
            if ow is None:
                problems.append(f"case {c.name}: no model record at the overhead window "
                                f"[{c.overhead_at}, {c.overhead_at + c.overhead}]")
                continue
            over = ow[0]
        counts = win - over
        insns = counts[:, col["insns"]]
        if not np.array_equal(insns, values):
            k = int(np.argmax(insns != values))
            problems.append(f"case {c.name}: sample {k}: the model counts {int(insns[k])} "
                            f"instructions, the guest's counter {int(values[k])}")
            continue
        c.events = {e: counts[:, col[_FIELD_OF[e]]] for e in EXTRA_EVENTS}
    return problems, unattributed


def plugin_error(stderr_text: str) -> str | None:
    """The plugin's refusal (a bad argument, another target), from QEMU's stderr."""
    for line in stderr_text.splitlines():
        if line.startswith("ipclab-model: ") and not line.startswith("ipclab-model: insns="):
            return line[len("ipclab-model: "):].strip()[:600]
    return None


def totals(stderr_text: str) -> dict | None:
    """The plugin's totals line at exit ('ipclab-model: insns=... records=...')."""
    for line in stderr_text.splitlines():
        if line.startswith("ipclab-model: insns="):
            out = {}
            for tok in line[len("ipclab-model: "):].split():
                k, _, v = tok.partition("=")
                out[k] = int(v) if v.isdigit() else v
            return out
    return None
