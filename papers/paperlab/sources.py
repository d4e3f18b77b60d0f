"""Where the report's numbers come from: stored runs (results/<id>/), never a boot.

Two ways to pick them:

- a collection (the default): for every experiment file, the newest complete run of
  the report's architecture and clock mode that measured it. A run measured an
  experiment when it is a run of that experiment (`harness bench -e <name>`: its
  meta.json holds the experiment's whole record under `experiment`) or a run of the
  whole matrix that judged it (its name among meta.json's `verdicts`; for an
  experiment it did not judge, every one of its variants ran). Why a collection and not
  one run: a run boots one guest workload, so the lessons measured by workloads of
  their own can never share a run with the IPC lessons, and re-measuring every lesson
  to add one would cost the whole matrix each time. The provenance appendix names
  every run used, and the report warns when they come from several commits.
- one run (`--run`): everything from that run; an experiment it did not measure is
  "not measured in this run".

The verdict of an experiment is the harness's, stored in the run (meta.json
`verdicts`): it is read here, never decided again.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "harness"))

import pandas as pd  # noqa: E402

from ipclab import integrity, store  # noqa: E402
from ipclab.errors import HarnessError  # noqa: E402

_STATS_CACHE: dict = {}


@dataclass
class RunRef:
    path: Path
    meta: dict
    _run: object = None

    @property
    def id(self) -> str:
        return self.meta.get("run_id", self.path.name)

    @property
    def started(self) -> str:
        return self.meta.get("started_utc", "")

    @property
    def ok_variants(self) -> list[str]:
        vs = self.meta.get("variants") or {}
        order = self.meta.get("variant_order") or list(vs)
        return [v for v in order if (vs.get(v) or {}).get("status") == "ok"]

    @property
    def experiment_name(self) -> str:
        return (self.meta.get("experiment") or {}).get("name", "")

    @property
    def stats(self) -> pd.DataFrame:
        """stats.csv, checked against the checksum the run recorded when it was stored
        (reading the samples too, as `harness` does, would cost seconds per run)."""
        if self._run is not None:
            return self._run.stats
        key = str(self.path.resolve())
        if key not in _STATS_CACHE:
            manifest = self.meta.get(integrity.MANIFEST_KEY) or {}
            problem = integrity.check_file(self.path, manifest, "stats.csv")
            if problem:
                raise SystemExit(f"paper: {self.path}: {problem}\nrecover: "
                                 f"{integrity.recovery(self.path, 'stats.csv')}")
            if not (self.path / "stats.csv").is_file():
                _STATS_CACHE[key] = store.load_run(self.path).stats
            else:
                st = pd.read_csv(self.path / "stats.csv")
                problems = integrity.check_columns(st, integrity.STATS_REQUIRED, "stats.csv")
                if problems:
                    raise SystemExit(f"paper: {self.path}: {problems[0]}")
                _STATS_CACHE[key] = st
        return _STATS_CACHE[key]


@dataclass
class Measured:
    """One experiment as one run measured it."""
    name: str
    run: RunRef
    record: dict             # title, claim, variants, figure, ... as the run knew them
    verdict: dict | None     # meta.json verdicts[name], or None (the run judged nothing)
    notes: list = field(default_factory=list)


def scan(results: Path, arch: str, clock: str, warn=print) -> list[RunRef]:
    """Complete runs under results/ of that arch and clock mode, oldest first. A run
    that cannot be read is left out, with a warning naming it."""
    out = []
    for p in store.complete_runs(Path(results)):
        try:
            meta = store.load_meta(p)
        except HarnessError as e:
            warn(f"paper: skipping {p}: {str(e).splitlines()[0]}")
            continue
        if meta.get("arch") == arch and meta.get("clock") == clock:
            out.append(RunRef(p, meta))
    return sorted(out, key=lambda r: (r.started, r.id))


def open_run(spec: str, results: Path) -> RunRef:
    """A run named as the harness names them: an id under results/, latest, baseline,
    or a directory."""
    results = Path(results)
    if spec == "latest":
        runs = store.complete_runs(results)
        if not runs:
            raise SystemExit(f"paper: RUN=latest: no complete run under {results} "
                             f"(make bench, or make paper without RUN=)")
        path = max(runs, key=lambda p: (store.load_meta(p).get("started_utc", ""), p.name))
    elif Path(spec).is_dir():
        path = Path(spec)
    else:
        path = results / spec
    if not path.is_dir():
        raise SystemExit(f"paper: RUN={spec}: {path}: no such run directory (harness runs "
                         f"lists the stored runs)")
    if not store.is_complete(path):
        raise SystemExit(f"paper: RUN={spec}: {path}: incomplete run (no COMPLETE marker); "
                         f"`harness reanalyse {path}` finishes it from its logs")
    try:
        run = RunRef(path, store.load_meta(path))
        run.stats                                  # checked against its manifest
    except HarnessError as e:
        raise SystemExit(f"paper: RUN={spec}: {e}")
    return run


def measures(run: RunRef, exp, judged: bool = True) -> bool:
    """Did this run measure the experiment (config.Experiment)? A matrix run that ran
    its variants but stored no verdict for an experiment with a rule (the run is older
    than the rule) counts only when `judged` is false (one run asked for by name: the
    report then shows its numbers and says it has no verdict, never judging itself)."""
    if run.experiment_name:
        return run.experiment_name == exp.name
    if exp.name in (run.meta.get("verdicts") or {}):
        return True
    return (exp.workload == "ipc" and set(exp.variants) <= set(run.ok_variants) and
            (not exp.verdict or not judged))


def _record(run: RunRef, exp) -> tuple[dict, list]:
    """What the run knew of the experiment; notes where today's file differs."""
    notes = []
    stored = run.meta.get("experiment") if run.experiment_name == exp.name else None
    now = exp.as_meta()
    if stored:
        rec = dict(now, **{k: v for k, v in stored.items() if v not in (None, "")})
    else:
        rec = dict(now)
        v = (run.meta.get("verdicts") or {}).get(exp.name) or {}
        for k in ("title", "claim", "verdict_text"):
            if v.get(k):
                rec[k] = v[k]
        if v.get("rule"):
            rec["verdict"] = v["rule"]
    if " ".join(rec.get("verdict", "").split()) != " ".join(exp.verdict.split()):
        notes.append("the experiment file's VERDICT rule has changed since this run: the "
                     "verdict shown is the run's, by the rule it used; `make bench "
                     f"EXPERIMENT={exp.name}` measures it again")
    return rec, notes


def measured(run: RunRef, exp) -> Measured:
    rec, notes = _record(run, exp)
    v = (run.meta.get("verdicts") or {}).get(exp.name)
    return Measured(exp.name, run, rec, v, notes)


def collect(experiments: dict, runs: list[RunRef]) -> dict[str, Measured]:
    """The newest run of each experiment (runs oldest first)."""
    out = {}
    for name, exp in experiments.items():
        for run in reversed(runs):
            if measures(run, exp):
                out[name] = measured(run, exp)
                break
    return out


def from_one(experiments: dict, run: RunRef) -> dict[str, Measured]:
    return {n: measured(run, e) for n, e in experiments.items()
            if measures(run, e, judged=False)}
