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
    monkeypatch.setenv("IPCLAB_QEMU", str(HERE / "fake_qemu.py"))

    def make_image(variant, fixture, exit=1, sleep=0, stderr=None):
        d = tmp_path / "build" / "x86_64" / variant
        d.mkdir(parents=True, exist_ok=True)
        (d / "ipclab.elf").write_text(json.dumps(
            {"fixture": str(FIX / fixture) if fixture else None, "exit": exit,
             "sleep": sleep, "stderr": stderr}))
    repo = FakeRepo(tmp_path)
    repo.make_image = make_image
    return repo
