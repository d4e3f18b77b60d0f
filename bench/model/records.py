#!/usr/bin/python3
"""Read the record files the ipclab cache/TLB model plugin writes (README.md, "Record file").

As a module:
    header, records = read_records(path)
    by_tsc = index_by_tsc(records)          # raw guest TSC value -> record
    window(by_tsc[t_before], by_tsc[t_after])  # counts inside one sample's window

As a command:
    records.py FILE                 print the header and every record as CSV
    records.py FILE --tsc T1 T2     the counts between the rdtsc that read T1 and the one that read T2
"""
from __future__ import annotations

import argparse
import struct
import sys
from dataclasses import dataclass, fields

MAGIC = b"IPCLMDL1"
FORMAT_VERSION = 2          # 2 added l3_misses; version 1 files are refused
KIND_RDTSC = 1
KIND_FLUSH_MARKER = 2


@dataclass(frozen=True)
class Record:
    tsc: int
    pc: int
    kind: int
    insns: int
    cycles: int
    l1i_misses: int
    l1d_misses: int
    l2_misses: int
    l3_misses: int
    itlb_misses: int
    dtlb_misses: int
    serializing: int


FIELD_NAMES = [f.name for f in fields(Record)]
COUNTERS = FIELD_NAMES[3:]  # the cumulative ones: a window is their difference


@dataclass(frozen=True)
class Header:
    version: int
    record_size: int
    field_count: int
    params: dict[str, str]


def read_records(path: str) -> tuple[Header, list[Record]]:
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        raise ValueError(f"{path}: not a model record file (magic {data[:8]!r})")
    version, record_size, field_count, text_len = struct.unpack_from("<IIII", data, 8)
    if version != FORMAT_VERSION or field_count != len(FIELD_NAMES) or record_size != 8 * field_count:
        raise ValueError(f"{path}: format version {version}, {field_count} fields of "
                         f"{record_size} bytes; this reader knows version {FORMAT_VERSION} "
                         f"with {len(FIELD_NAMES)} fields")
    offset = 24
    text = data[offset:offset + text_len].decode()
    offset += text_len
    params = dict(item.split("=", 1) for item in text.split(",") if item)
    body = data[offset:]
    if len(body) % record_size:
        raise ValueError(f"{path}: truncated record at the end")
    fmt = "<" + "Q" * field_count
    records = [Record(*v) for v in struct.iter_unpack(fmt, body)]
    return Header(version, record_size, field_count, params), records


def index_by_tsc(records: list[Record]) -> dict[int, Record]:
    """rdtsc records by the TSC value the guest read: unique, since every rdtsc retires
    at a different instruction count."""
    index = {}
    for r in records:
        if r.kind == KIND_RDTSC:
            if r.tsc in index:
                raise ValueError(f"two rdtsc records read TSC {r.tsc}")
            index[r.tsc] = r
    return index


def window(before: Record, after: Record) -> dict[str, int]:
    """What happened between two records: after's cumulative counters minus before's.
    insns equals after.tsc - before.tsc for two rdtsc records."""
    return {name: getattr(after, name) - getattr(before, name) for name in COUNTERS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--tsc", nargs=2, type=int, metavar=("BEFORE", "AFTER"),
                        help="raw TSC values the guest read at a window's two ends")
    args = parser.parse_args()
    header, records = read_records(args.file)
    if args.tsc:
        by_tsc = index_by_tsc(records)
        missing = [t for t in args.tsc if t not in by_tsc]
        if missing:
            print(f"no rdtsc record read TSC {missing}", file=sys.stderr)
            return 1
        for name, value in window(by_tsc[args.tsc[0]], by_tsc[args.tsc[1]]).items():
            print(f"{name}={value}")
        return 0
    print("# " + ",".join(f"{k}={v}" for k, v in header.params.items()))
    print(",".join(FIELD_NAMES))
    for r in records:
        print(",".join(str(getattr(r, name)) for name in FIELD_NAMES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
