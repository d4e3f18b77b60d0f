"""harness bisect on a seeded change, for real: a clone of this repository gets three
commits (a note, one `nop` in the fast path's call path, another note); bisect must
name the nop's commit, print its diff stat, and leave no worktree behind. Builds and
boots (icount, samples=20) in the scratch worktree; about half a minute."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

HARNESS = [sys.executable, str(REPO / "harness" / "harness")]


def _git(args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, stdout=subprocess.PIPE,
                          text=True).stdout.strip()


@pytest.fixture
def seeded(tmp_path):
    repo = tmp_path / "repo"
    _git(["clone", "--quiet", "--shared", str(REPO), str(repo)], tmp_path)
    for k, v in (("user.email", "t@example.org"), ("user.name", "bisect test")):
        _git(["config", k, v], repo)
    good = _git(["rev-parse", "HEAD"], repo)
    (repo / "NOTES.txt").write_text("one\n")
    _git(["add", "NOTES.txt"], repo)
    _git(["commit", "-qm", "notes: one"], repo)
    f = repo / "kernel" / "core" / "fastpath.c"
    s = f.read_text()
    anchor = "    struct tcb *to = fc.to;\n"
    assert anchor in s, "the seeded change needs fastpath_call's partner line"
    f.write_text(s.replace(anchor, anchor + '    __asm__ volatile("nop");\n', 1))
    _git(["commit", "-qam", "fastpath: seeded nop"], repo)
    seed = _git(["rev-parse", "HEAD"], repo)
    (repo / "NOTES.txt").write_text("one\ntwo\n")
    _git(["commit", "-qam", "notes: two"], repo)
    return repo, good, seed


def test_bisect_finds_the_seeded_commit(seeded):
    repo, good, seed = seeded
    r = subprocess.run(HARNESS + ["bisect", good, "HEAD", "--variant", "l4-classic",
                                  "--case", "ipc/cross/call/len0", "--samples", "20",
                                  "--warmup", "5", "--repo", str(repo)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stdout
    assert f"changed l4-classic ipc/cross/call/len0 (icount, samples=20): {seed}" in r.stdout
    assert "fastpath: seeded nop" in r.stdout
    assert "kernel/core/fastpath.c | 1 +" in r.stdout
    assert _git(["worktree", "list"], repo).count("\n") == 0       # only the main one
    assert not list((repo / "build").glob("bisect-*"))
    assert _git(["status", "--porcelain", "--", ".", ":(exclude)results"], repo) == ""


def test_bisect_refusals(seeded):
    repo, good, seed = seeded
    for args, msg in ((["HEAD", good], "is not an ancestor"),
                      ([good, "nosuchref"], "is not a commit"),
                      ([good, "HEAD", "--case", "ipc/cross/call"], "is not bench/space")):
        argv = HARNESS + ["bisect", *args, "--variant", "l4-classic", "--repo", str(repo)]
        if "--case" not in args:
            argv += ["--case", "ipc/cross/call/len0"]
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert r.returncode == 2 and msg in r.stdout, r.stdout
