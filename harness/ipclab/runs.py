"""`harness runs` (what is stored) and `harness clean` (what a dead run left).

Every directory under results/ is one of: a complete kernel run (COMPLETE and
meta.json), the baseline, a host-only run (host-meta.json), a folder being written
(.partial-<id> whose OWNER process still runs), or the remains of a run that died
(.partial-* or .old-* without a live owner): only the last kind is removed by clean.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from . import integrity, proc, store
from .errors import HarnessError


@dataclass
class Entry:
    path: Path
    kind: str           # run | baseline | host | partial | stale
    meta: dict | None = None
    problem: str = ""
    owner: dict | None = None

    def row(self) -> list:
        m = self.meta or {}
        g = m.get("git") or {}
        vs = m.get("variants") or {}
        ok = sum(1 for i in vs.values() if i.get("status") == "ok")
        commit = (g.get("short") or "") + (" DIRTY" if g.get("dirty") else "")
        state = {"run": "complete", "baseline": "baseline", "host": "host only",
                 "partial": f"being written (pid {(self.owner or {}).get('pid')})",
                 "stale": "stale (harness clean removes it)"}[self.kind]
        if self.problem:
            state = f"DAMAGED: {self.problem}"
        host = (m.get("host_bench") or {}).get("status", "")
        return [self.path.name, state, m.get("started_utc", ""), commit,
                m.get("arch", ""), m.get("clock", ""), m.get("samples", ""),
                f"{ok}/{len(m.get('variant_order') or vs)}" if m else "",
                host or "-", (m.get("experiment") or {}).get("name", "") if m else ""]


HEADER = ["run", "state", "started (UTC)", "commit", "arch", "clock", "samples",
          "variants ok", "host bench", "experiment"]


def scan(results_dir: Path, check: bool = False) -> list[Entry]:
    """Every directory under results_dir, oldest first; with `check`, each complete run
    is loaded and its files checked against its manifest."""
    d = Path(results_dir)
    out = []
    if not d.is_dir():
        return out
    for p in sorted(x for x in d.iterdir() if x.is_dir()):
        if p.name.startswith((".partial-", ".old-")):
            owner = proc.owner_alive(p)
            meta = None
            try:
                import json
                meta = json.loads((p / "meta.json").read_text())
            except (OSError, ValueError):
                pass
            out.append(Entry(p, "partial" if owner else "stale", meta, owner=owner))
            continue
        if p.name.startswith("."):
            continue
        if store.is_complete(p) and (p / "meta.json").is_file():
            e = Entry(p, "baseline" if store.is_baseline(p) else "run")
            try:
                e.meta = store.load_meta(p)
                if check:
                    store.load_run(p)
                    bad = integrity.check_files(p, e.meta.get(integrity.MANIFEST_KEY))
                    if bad:
                        e.problem = bad[0][1]
            except HarnessError as ex:
                e.problem = str(ex).splitlines()[0].replace(f"{p}: ", "")
            out.append(e)
        elif (p / "host-meta.json").is_file():
            out.append(Entry(p, "host"))
    return out


def clean(results_dir: Path, dry_run: bool = False) -> tuple[list[Path], list[Entry]]:
    """Remove the stale folders; returns (removed, kept because their writer lives)."""
    removed, kept = [], []
    for e in scan(results_dir):
        if e.kind == "stale":
            if not dry_run:
                shutil.rmtree(e.path)
            removed.append(e.path)
        elif e.kind == "partial":
            kept.append(e)
    return removed, kept
