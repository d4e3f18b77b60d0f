"""`harness bisect GOOD BAD --variant V --case C`: the first commit at which one icount
number changed.

The repository's working tree is not touched: a scratch worktree (`git worktree add
--detach`, under build/bisect-<pid>/, with its own build/) is made at BAD, GOOD's and
BAD's numbers are measured there, and `git bisect run` then checks out each candidate
and runs `harness bisect-step`, which builds V (`make VARIANT=V image` as that commit
has it), boots it under icount and compares case C with GOOD's:

    the same number       exit 0 (good)
    another number, or the case missing, or the boot failing       exit 1 (bad)
    the variant does not build at that commit                      exit 125 (skip)

"The number" is the case's median and the mean of the samples the outlier policy
keeps, as `harness compare` reads them under icount: a commit that only moves the
timer interrupt into another sample of the case does not count. --exact compares the
whole multiset of raw samples instead (any change to the image counts).

The step runs this harness (the one bisect was started from) against each candidate's
sources, so every candidate is judged by the same parser whatever its own harness was.
Then it prints the first commit that changed the number, with its subject, the numbers
before and after and `git show --stat`, resets the bisect and removes the worktree.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import logparse, runner, stats
from .clock import CLOCKS
from .config import REPO, UsageError
from .errors import InfraError

CASE_RE = re.compile(r"^([a-z_]+)/(self|same|cross)/([a-z]+)/len(\d+)$")
GOOD, BAD, SKIP = 0, 1, 125


@dataclass
class Number:
    """What one boot says about the case (None values: not measured)."""
    median: float | None
    kept_mean: float | None
    digest: str | None
    status: str             # ok | build-failed | boot-failed | no-case

    def key(self, exact: bool):
        return self.digest if exact else (self.median, self.kept_mean)

    def text(self) -> str:
        if self.status != "ok":
            return self.status
        return f"median {self.median:g}, mean of kept samples {self.kept_mean:.6g}"

    def as_dict(self) -> dict:
        return {"median": self.median, "kept_mean": self.kept_mean, "digest": self.digest,
                "status": self.status}


def parse_case(case: str) -> tuple:
    m = CASE_RE.match(case)
    if not m:
        raise UsageError(f"--case {case!r} is not bench/space/metric/len<N>, e.g. "
                         f"ipc/cross/call/len0")
    return m.group(1), m.group(2), m.group(3), int(m.group(4))


def _git(args, cwd, check=True) -> str:
    r = subprocess.run(["git", *args], cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if check and r.returncode != 0:
        raise InfraError(f"git {' '.join(args)} failed: {r.stdout.strip()}")
    return r.stdout


def rev(repo: Path, name: str) -> str:
    r = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"],
                       cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if r.returncode != 0:
        raise UsageError(f"{name!r} is not a commit of {repo}")
    return r.stdout.strip()


def measure(tree: Path, variant: str, case: str, *, arch: str, samples: int, warmup: int,
            timeout: float, logdir: Path, tag: str) -> Number:
    """Build and boot `variant` in `tree`; the case's number."""
    key = parse_case(case)
    b = runner.build(variant, arch, tree)
    if not b.ok:
        (logdir / f"{tag}.build").write_text(b.output)
        return Number(None, None, None, "build-failed")
    log = logdir / f"{tag}.log"
    r = runner.boot(variant, b.elf, CLOCKS["icount"], log, arch=arch, samples=samples,
                    warmup=warmup, timeout=timeout)
    try:
        parsed = logparse.parse(log.read_text(errors="replace"))
    except OSError:
        return Number(None, None, None, "boot-failed")
    c = parsed.case_map().get(key)
    if c is None or not c.values:
        return Number(None, None, None, "no-case" if r.exit_code == 1 else "boot-failed")
    import pandas as pd
    df = pd.DataFrame({"variant": variant, "bench": key[0], "space": key[1],
                       "metric": key[2], "len": key[3], "value": c.values})
    df = stats.mark_outliers(df)
    kept = df.loc[df["outlier"] == 0, "value"]
    kept = kept if len(kept) else df["value"]
    from .history import digest
    return Number(float(kept.median()), float(kept.mean()), digest(c.values), "ok")


def step(tree: Path, variant: str, case: str, reference: Path, *, arch: str, samples: int,
         warmup: int, timeout: float, exact: bool) -> int:
    """One `git bisect run` step in `tree` (its HEAD is the candidate)."""
    ref = json.loads(Path(reference).read_text())
    sha = _git(["rev-parse", "HEAD"], tree).strip()
    logdir = Path(reference).parent
    n = measure(tree, variant, case, arch=arch, samples=samples, warmup=warmup,
                timeout=timeout, logdir=logdir, tag=sha[:12])
    good = Number(**ref)
    if n.status == "build-failed":
        verdict = SKIP
    elif n.status == "ok" and n.key(exact) == good.key(exact):
        verdict = GOOD
    else:
        verdict = BAD
    word = {GOOD: "same as GOOD", BAD: "CHANGED", SKIP: "skipped (does not build)"}[verdict]
    with open(logdir / "steps.jsonl", "a") as f:
        f.write(json.dumps({"commit": sha, **n.as_dict(), "verdict": word}) + "\n")
    print(f"bisect-step {sha[:12]}: {n.text()} -> {word}", flush=True)
    return verdict


@dataclass
class BisectResult:
    logdir: Path
    first_bad: str | None
    good: Number
    bad: Number
    steps: list
    stat: str
    wall_s: float
    message: str


def run_bisect(good: str, bad: str, variant: str, case: str, *, repo: Path | None = None,
               arch: str = "x86_64", samples: int = 200, warmup: int = 20,
               timeout: float = 120.0, exact: bool = False, keep: bool = False,
               progress=print) -> BisectResult:
    t0 = time.monotonic()
    repo = Path(repo or REPO)
    parse_case(case)
    g, b = rev(repo, good), rev(repo, bad)
    if g == b:
        raise UsageError("GOOD and BAD are the same commit")
    if subprocess.run(["git", "merge-base", "--is-ancestor", g, b], cwd=repo).returncode:
        raise UsageError(f"GOOD {good} ({g[:12]}) is not an ancestor of BAD {bad} "
                         f"({b[:12]}): bisect needs GOOD before BAD on one line of history")
    top = Path(_git(["rev-parse", "--show-toplevel"], repo).strip())
    work = top / "build" / f"bisect-{os.getpid()}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    tree = work / "tree"
    # the logs outlive the worktree: results/bisect/<UTC>/ (every boot, every step)
    from .store import utc_stamp
    logdir = top / "results" / "bisect" / f"{utc_stamp()}-{os.getpid()}"
    logdir.mkdir(parents=True)
    _git(["worktree", "add", "--quiet", "--detach", str(tree), b], repo)
    opts = dict(arch=arch, samples=samples, warmup=warmup, timeout=timeout, logdir=logdir)
    try:
        progress(f"bisect: {variant} {case} between GOOD {g[:12]} and BAD {b[:12]} "
                 f"({_count(repo, g, b)} commit(s)); scratch worktree {tree}")
        _git(["checkout", "--quiet", "--detach", g], tree)
        n_good = measure(tree, variant, case, tag="good", **opts)
        progress(f"bisect: GOOD {g[:12]}: {n_good.text()}")
        if n_good.status != "ok":
            raise UsageError(f"{variant} {case} cannot be measured at GOOD {g[:12]} "
                             f"({n_good.status}; logs in {logdir}): choose another GOOD")
        _git(["checkout", "--quiet", "--detach", b], tree)
        n_bad = measure(tree, variant, case, tag="bad", **opts)
        progress(f"bisect: BAD  {b[:12]}: {n_bad.text()}")
        if n_bad.status == "ok" and n_bad.key(exact) == n_good.key(exact):
            return BisectResult(logdir, None, n_good, n_bad, [], "", time.monotonic() - t0,
                                f"{variant} {case} is the same at GOOD and BAD: "
                                f"nothing to bisect")
        ref = logdir / "reference.json"
        ref.write_text(json.dumps(n_good.as_dict()))
        _git(["bisect", "start", b, g], tree)
        cmd = [sys.executable, str(Path(__file__).resolve().parents[1] / "harness"),
               "bisect-step", "--tree", str(tree), "--variant", variant, "--case", case,
               "--reference", str(ref), "--arch", arch, "--samples", str(samples),
               "--warmup", str(warmup), "--timeout", str(timeout)] + \
            (["--exact"] if exact else [])
        r = subprocess.run(["git", "bisect", "run", *cmd], cwd=tree, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        (logdir / "bisect-run.txt").write_text(r.stdout)
        for line in r.stdout.splitlines():
            if line.startswith("bisect-step "):
                progress(f"  {line}")
        m = re.search(r"^([0-9a-f]{40}) is the first bad commit", r.stdout, re.M)
        steps = [json.loads(l) for l in (logdir / "steps.jsonl").read_text().splitlines()] \
            if (logdir / "steps.jsonl").is_file() else []
        if not m:
            tail = "\n".join(r.stdout.strip().splitlines()[-6:])
            return BisectResult(logdir, None, n_good, n_bad, steps, "", time.monotonic() - t0,
                                f"git bisect did not find one commit (skipped commits "
                                f"that do not build can hide it):\n{tail}")
        first = m.group(1)
        stat = _git(["show", "--stat", "--format=commit %H%nAuthor: %an <%ae>%nDate:   %ad"
                     "%n%n    %s%n", first], repo)
        return BisectResult(logdir, first, n_good, n_bad, steps, stat, time.monotonic() - t0, "")
    finally:
        _git(["bisect", "reset", "--quiet"], tree, check=False)
        if keep:
            progress(f"bisect: kept {work} (--keep); remove it with "
                     f"`git worktree remove --force {tree}`")
        else:
            _git(["worktree", "remove", "--force", str(tree)], repo, check=False)
            _git(["worktree", "prune"], repo, check=False)
            shutil.rmtree(work, ignore_errors=True)


def _count(repo: Path, g: str, b: str) -> int:
    return int(_git(["rev-list", "--count", f"{g}..{b}"], repo).strip() or 0)
