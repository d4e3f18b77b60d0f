import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
REPO = HERE.parent.parent

# The fixture logs are written afresh for every session from the real declarations
# (make_fixtures.py), into a directory removed at exit.
from make_fixtures import write_all  # noqa: E402

_fixture_dir = tempfile.TemporaryDirectory(prefix="ipclab-fixtures-")
FIX = Path(_fixture_dir.name)
write_all(FIX)


class FakeRepo(type(Path())):
    """A Path with a make_image() method."""


def fixture_text(name: str) -> str:
    return (FIX / name).read_text()


@pytest.fixture
def fake_repo(tmp_path, monkeypatch):
    """A temporary tree with the real variants/ and fake images for the fake QEMU.
    make_image(variant, fixture, exit=1, sleep=0) writes build/x86_64/<v>/ipclab.elf."""
    shutil.copytree(REPO / "variants", tmp_path / "variants")
    # experiment files name their workloads: the tree's workloads exist in the fake too
    shutil.copytree(REPO / "bench" / "guest" / "workloads",
                    tmp_path / "bench" / "guest" / "workloads")
    monkeypatch.setenv("IPCLAB_QEMU", str(HERE / "fake_qemu.py"))

    def make_image(variant, fixture=None, exit=1, sleep=0, stderr=None, text=None,
                   pidfile=None, model=None):
        """fixture: a name in the fixture directory; or text: the log to print."""
        d = tmp_path / "build" / "x86_64" / variant
        d.mkdir(parents=True, exist_ok=True)
        if text is not None:
            fx = tmp_path / "fixtures" / f"{variant}-{abs(hash(text))}.log"
            fx.parent.mkdir(exist_ok=True)
            fx.write_text(text)
        else:
            fx = FIX / fixture if fixture else None
        (d / "ipclab.elf").write_text(json.dumps(
            {"fixture": str(fx) if fx else None, "exit": exit, "sleep": sleep,
             "stderr": stderr, "pidfile": str(pidfile) if pidfile else None,
             "model": model}))
    repo = FakeRepo(tmp_path)
    repo.make_image = make_image
    return repo


def harness_env(repo) -> dict:
    """The environment for running harness/harness as a process against a fake repo."""
    env = dict(os.environ, IPCLAB_REPO=str(repo), IPCLAB_QEMU=str(HERE / "fake_qemu.py"))
    env.pop("MAKEFLAGS", None)
    return env


HARNESS = [sys.executable, str(REPO / "harness" / "harness")]


def set_value(text: str, case_id: int, index: int, value: int) -> str:
    """A log with one sample of one case replaced (CASE-END's sum kept consistent)."""
    lines = text.splitlines()
    vals, where = [], []
    for k, l in enumerate(lines):
        if l.startswith(f"IPCLAB 2 DATA id={case_id} "):
            where.append(k)
            vals.append(l.split()[4:])
    flat = [v for chunk in vals for v in chunk]
    flat[index] = str(value)
    i = 0
    for k, chunk in zip(where, vals):
        lines[k] = f"IPCLAB 2 DATA id={case_id} " + " ".join(flat[i:i + len(chunk)])
        i += len(chunk)
    j = next(k for k, l in enumerate(lines) if l.startswith(f"IPCLAB 2 CASE-END id={case_id} "))
    lines[j] = lines[j].split("sum=")[0] + f"sum={sum(int(v) for v in flat)}"
    return "\n".join(lines) + "\n"


@pytest.fixture
def cli_repo(fake_repo, monkeypatch):
    """fake_repo, with the command line (cli.main in this process) pointed at it."""
    from ipclab import bench, cli, config, store, verify
    for mod in (config, bench, cli, store, verify):
        monkeypatch.setattr(mod, "REPO", fake_repo)
    monkeypatch.setattr(cli, "RESULTS", fake_repo / "results")
    monkeypatch.setattr(cli, "BASELINE", fake_repo / "results" / "baseline")
    return fake_repo
