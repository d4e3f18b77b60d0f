#!/usr/bin/python3
"""Makes the committed fixture of the paper's tests: two real runs, measured now.

    papers/tests/make_fixture.py        (from a clean tree; takes a minute or two)

1. a run of the whole variant matrix (every IPC lesson judged in it),
2. a newer run of one experiment (fastpath), so the report's collection must take that
   lesson from the second run and the others from the first, and
3. a run of an experiment with a guest workload of its own (notifications: several
   figures, metrics in units other than the clock's),

both at few samples, copied into papers/tests/fixture/results/ with gzipped logs and
only the figure PDFs the report uses (experiment-*.pdf, and the standard one of an
experiment without its own FIGURE), sealed afresh by the harness's own code
(store.copy_run, store.seal). Measured values are never edited.
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "harness"))

from ipclab import store  # noqa: E402

FIXTURE = REPO / "papers" / "tests" / "fixture" / "results"
SAMPLES, WARMUP = "30", "10"


def keep_figure(rel: str) -> bool:
    return rel.endswith(".pdf") and ("/experiment-" in "/" + rel or
                                     rel.endswith("anchors/oneway-len0.pdf"))


def bench(results: Path, *args) -> Path:
    cmd = [sys.executable, str(REPO / "harness" / "harness"), "bench", "--samples", SAMPLES,
           "--warmup", WARMUP, "--results", str(results), "--wait", *args]
    subprocess.run(cmd, cwd=REPO, check=True)
    return max(store.complete_runs(results), key=lambda p: p.stat().st_mtime)


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        runs = [bench(tmp), bench(tmp, "--experiment", "fastpath"),
                bench(tmp, "--experiment", "notifications")]
        if FIXTURE.exists():
            shutil.rmtree(FIXTURE)
        FIXTURE.mkdir(parents=True)
        for src in runs:
            dst = FIXTURE / src.name
            store.copy_run(src, dst, with_figures=True, compress_logs=True,
                           note={"why": "the paper's test fixture (papers/tests/"
                                        "make_fixture.py): figures trimmed to the PDFs the "
                                        "report uses"})
            for f in sorted((dst / "figures").rglob("*"), reverse=True):
                rel = f.relative_to(dst / "figures").as_posix()
                if f.is_file() and not keep_figure(rel):
                    f.unlink()
                elif f.is_dir() and not any(f.iterdir()):
                    f.rmdir()
            meta = store.load_meta(dst)
            meta["figures"] = [x for x in meta.get("figures", [])
                               if keep_figure(x.split("figures/", 1)[-1])]
            manifest = meta.get("manifest") or {}
            meta["_rows"] = {k: e["rows"] for k, e in manifest.items() if "rows" in e}
            (dst / store.COMPLETE).unlink()
            store.seal(dst, meta, f"fixture copy of run {src.name}")
            store.load_run(dst)                       # refuses anything inconsistent
            print(f"fixture: {dst.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
