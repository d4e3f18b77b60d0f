"""Read a serial console log according to bench/FORMAT.md (format version 2).

`parse(text)` turns the log into a `Log`: the BEGIN fields, the kernel's configuration
(the CONFIG line, one key=value per axis of kernel/axes.conf), the cases with their
samples, SKIPs, CHECKs, END, PANIC and FAULT records, and a list of protocol errors
(every `IPCLAB ` line that does not parse, every count/sum that does not add up).
`validate(log, ...)` then judges a boot: exit status, timeout, truncation, config,
the expected set of cases. Anything that is not a protocol line is log text and is
never read for numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import FORMAT_VERSION
from .arches import get_arch
from .config import axes
from .limits import INT64_MAX, INT64_MIN

MAGIC = "IPCLAB"
MAX_DATA_PER_LINE = 16

# key=value fields each record must carry, and which of them are integers.
SPEC = {
    "BEGIN": (["variant", "arch", "clock", "build", "samples", "warmup", "counter",
               "reg_words", "max_words"], {"samples", "warmup", "reg_words", "max_words"}),
    "CASE": (["id", "bench", "space", "len", "metric", "overhead", "samples"],
             {"id", "len", "overhead", "samples"}),
    "CASE-END": (["id", "count", "sum"], {"id", "count", "sum"}),
    "SKIP": (["bench", "space", "len", "reason"], {"len"}),
    "CHECK": (["name", "expect", "got", "result"], {"expect", "got"}),
    "END": (["status", "cases", "checks", "failed"], {"cases", "checks", "failed"}),
    "PLAN": (["cases"], {"cases"}),
    "FAULT": (["thread", "vector", "rip", "addr", "reason"], set()),
    "FUZZ": (["seed", "calls", "invariant_checks", "first_bad_call", "replaced",
              "spaces_recycled", "capabilities_refilled"],
             {"seed", "calls", "invariant_checks", "first_bad_call", "replaced",
              "spaces_recycled", "capabilities_refilled"}),
}
ENUMS = {
    ("BEGIN", "build"): {"release", "debug"},
    ("CASE", "cache"): {"hot", "cold"},
    ("CASE", "space"): {"self", "same", "cross"},
    ("SKIP", "space"): {"self", "same", "cross"},
    ("CHECK", "result"): {"pass", "fail"},
    ("END", "status"): {"ok", "fail"},
}
INT_RE = re.compile(r"^-?[0-9]+$")
KEY_RE = re.compile(r"^[a-z_][a-z0-9_]*$")

# QEMU exit statuses of x86_64 (isa-debug-exit: (value << 1) | 1); each architecture's
# are in arches.py (today the same on all three).
EXIT_OK, EXIT_FAIL, EXIT_PANIC = 1, 3, 5


@dataclass
class Case:
    id: int
    bench: str
    space: str
    len: int
    metric: str
    overhead: int
    samples: int
    line: int
    values: list = field(default_factory=list)
    end_count: int | None = None
    end_sum: int | None = None
    cold: bool = False                  # cache=cold: flushed before each sample (model)
    overhead_at: int | None = None      # where the overhead window starts (model)
    stamps: list | None = None          # STAMP: where each sample starts (model)
    events: dict | None = None          # the model's counts per sample (model.py)

    @property
    def key(self) -> tuple:
        return (self.bench, self.space, self.metric, self.len)

    @property
    def cache(self) -> str:
        return "cold" if self.cold else "hot"

    @property
    def full_key(self) -> tuple:
        return self.key + (self.cache,)

    @property
    def name(self) -> str:
        return case_name(*self.key, cache=self.cache)

    @property
    def closed(self) -> bool:
        return self.end_count is not None


def is_count_metric(metric: str) -> bool:
    """A workload case that counts events (bench/FORMAT.md): its values may be 0."""
    return metric == "count" or metric.startswith("count_")


def case_name(bench, space, metric, length, cache: str = "hot") -> str:
    """Canonical case name, e.g. 'ipc/cross/call/len4'; a cold case (the model's, caches
    flushed before each sample) ends in '/cold'."""
    return f"{bench}/{space}/{metric}/len{length}" + ("/cold" if cache == "cold" else "")


@dataclass
class Log:
    begin: dict | None = None
    config: dict | None = None                     # CONFIG: axis key -> value
    cases: list = field(default_factory=list)
    skips: list = field(default_factory=list)
    checks: list = field(default_factory=list)
    end: dict | None = None
    panic: str | None = None
    faults: list = field(default_factory=list)
    fuzz: dict | None = None                       # FUZZ: the fuzzer's summary
    plan: int | None = None                        # PLAN: a workload's promised cases
    errors: list = field(default_factory=list)     # protocol errors: "line N: ..."
    protocol_lines: int = 0

    def case_map(self, cache: str = "hot") -> dict:
        """(bench, space, metric, len) -> case, of the hot (or the cold) cases."""
        return {c.key: c for c in self.cases if c.cache == cache}


def _fields(kind: str, rest: str, lineno: int, errors: list) -> dict | None:
    need, ints = SPEC[kind]
    out = {}
    # FAULT's reason runs to the end of the line (it may contain spaces).
    if kind == "FAULT":
        m = re.search(r"(^| )reason=", rest)
        if m:
            out["reason"] = rest[m.end():]
            rest = rest[:m.start()]
    for tok in rest.split(" ") if rest else []:
        if "=" not in tok:
            errors.append(f"line {lineno}: {kind}: field without '=': {tok!r}")
            return None
        k, v = tok.split("=", 1)
        if not KEY_RE.match(k) or v == "":
            errors.append(f"line {lineno}: {kind}: bad field {tok!r}")
            return None
        if k in out:
            errors.append(f"line {lineno}: {kind}: duplicate field {k!r}")
            return None
        out[k] = v
    missing = [k for k in need if k not in out]
    if missing:
        errors.append(f"line {lineno}: {kind}: missing field(s) {', '.join(missing)}")
        return None
    for k in ints:
        if not INT_RE.match(out[k]):
            errors.append(f"line {lineno}: {kind}: {k}={out[k]!r} is not an integer")
            return None
        out[k] = int(out[k])
    for (knd, k), allowed in ENUMS.items():
        if knd == kind and k in out and out[k] not in allowed:
            errors.append(f"line {lineno}: {kind}: {k}={out[k]!r} not one of "
                          f"{', '.join(sorted(allowed))}")
            return None
    return out


def _config_fields(rest: str, lineno: int, errors: list) -> dict | None:
    """CONFIG: exactly the declared axes, each with one of its declared values."""
    out = {}
    for tok in rest.split(" ") if rest else []:
        k, sep, v = tok.partition("=")
        if not sep or not KEY_RE.match(k) or not v:
            errors.append(f"line {lineno}: CONFIG: bad field {tok!r}")
            return None
        if k in out:
            errors.append(f"line {lineno}: CONFIG: duplicate field {k!r}")
            return None
        out[k] = v
    declared = {a.key: a for a in axes()}
    missing = [k for k in declared if k not in out]
    extra = [k for k in out if k not in declared]
    if missing or extra:
        errors.append(f"line {lineno}: CONFIG: " + "; ".join(
            ([f"missing axis {', '.join(missing)}"] if missing else []) +
            ([f"undeclared axis {', '.join(extra)} (kernel/axes.conf)"] if extra else [])))
        return None
    for k, v in out.items():
        if v not in declared[k].values:
            errors.append(f"line {lineno}: CONFIG: {k}={v!r} not one of "
                          f"{', '.join(declared[k].values)}")
            return None
    return out


def parse(text: str) -> Log:
    log = Log()
    errors = log.errors
    open_case: Case | None = None
    by_id: dict[int, Case] = {}
    keys = set()
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r")
        if not line.startswith(MAGIC + " "):
            continue
        log.protocol_lines += 1
        parts = line.split(" ", 3)
        if len(parts) < 3:
            errors.append(f"line {lineno}: truncated protocol line {line!r}")
            continue
        version, kind = parts[1], parts[2]
        rest = parts[3] if len(parts) > 3 else ""
        if version != str(FORMAT_VERSION):
            errors.append(f"line {lineno}: format version {version!r}, this harness reads "
                          f"version {FORMAT_VERSION}")
            continue
        if log.end is not None and kind != "PANIC":
            errors.append(f"line {lineno}: {kind} after END")
            continue
        if kind != "BEGIN" and log.begin is None and kind not in ("PANIC", "FAULT"):
            errors.append(f"line {lineno}: {kind} before BEGIN")
            continue
        if kind == "PANIC":
            log.panic = rest[len("reason="):] if rest.startswith("reason=") else rest
            continue
        if kind == "CONFIG":
            if log.config is not None:
                errors.append(f"line {lineno}: second CONFIG")
                continue
            cfg = _config_fields(rest, lineno, errors)
            if cfg is not None:
                log.config = cfg
            continue
        if kind in ("DATA", "STAMP"):
            toks = rest.split(" ") if rest else []
            if not toks or not toks[0].startswith("id=") or not INT_RE.match(toks[0][3:]):
                errors.append(f"line {lineno}: {kind} without id=<n>")
                continue
            cid = int(toks[0][3:])
            vals = toks[1:]
            if open_case is None or open_case.id != cid:
                errors.append(f"line {lineno}: {kind} for case id={cid}, which is not open")
                continue
            if not vals:
                errors.append(f"line {lineno}: {kind} line without values")
                continue
            if len(vals) > MAX_DATA_PER_LINE:
                errors.append(f"line {lineno}: {len(vals)} values on one {kind} line "
                              f"(at most {MAX_DATA_PER_LINE})")
                continue
            bad = [v for v in vals if not INT_RE.match(v)]
            if bad:
                errors.append(f"line {lineno}: {kind} value {bad[0]!r} is not an integer")
                continue
            ints = [int(v) for v in vals]
            if kind == "STAMP":
                # each sample's start less the previous one's (the first's less 0): the
                # starts are their running sum, unsigned 64-bit counter values
                if open_case.stamps is None:
                    open_case.stamps = []
                start = open_case.stamps[-1] if open_case.stamps else 0
                starts = []
                for v in ints:
                    start += v
                    starts.append(start)
                bad = [v for v in ints if v < 0] or [s for s in starts if s >= 2 ** 64]
                if bad:
                    errors.append(f"line {lineno}: STAMP value {bad[0]}: sample starts "
                                  f"must grow and stay below 2^64")
                    continue
                open_case.stamps.extend(starts)
                continue
            if open_case.stamps is not None:
                errors.append(f"line {lineno}: DATA after STAMP in case id={cid}")
                continue
            huge = [v for v in ints if not INT64_MIN <= v <= INT64_MAX]
            if huge:
                errors.append(f"line {lineno}: DATA value {huge[0]} is outside the signed "
                              f"64-bit range the guest prints (|v| < 2^63)")
                continue
            open_case.values.extend(ints)
            continue
        if kind not in SPEC:
            errors.append(f"line {lineno}: unknown record kind {kind!r}")
            continue
        f = _fields(kind, rest, lineno, errors)
        if f is None:
            continue
        if kind == "BEGIN":
            if log.begin is not None:
                errors.append(f"line {lineno}: second BEGIN")
                continue
            log.begin = f
        elif kind == "CASE":
            if open_case is not None:
                errors.append(f"line {lineno}: CASE id={f['id']} opens while case "
                              f"id={open_case.id} has no CASE-END")
            if f["id"] in by_id:
                errors.append(f"line {lineno}: duplicate case id={f['id']}")
                open_case = None
                continue
            c = Case(f["id"], f["bench"], f["space"], f["len"], f["metric"], f["overhead"],
                     f["samples"], lineno, cold=f.get("cache") == "cold")
            if "overhead_at" in f:
                if not INT_RE.match(f["overhead_at"]) or int(f["overhead_at"]) < 0:
                    errors.append(f"line {lineno}: CASE: overhead_at={f['overhead_at']!r} "
                                  f"is not a counter value")
                else:
                    c.overhead_at = int(f["overhead_at"])
            if c.full_key in keys:
                errors.append(f"line {lineno}: case {c.name} printed twice")
            keys.add(c.full_key)
            by_id[c.id] = c
            log.cases.append(c)
            open_case = c
        elif kind == "CASE-END":
            c = by_id.get(f["id"])
            if c is None or c is not open_case:
                errors.append(f"line {lineno}: CASE-END id={f['id']} for a case that is "
                              f"not open")
                continue
            c.end_count, c.end_sum = f["count"], f["sum"]
            if f["count"] != len(c.values):
                errors.append(f"line {lineno}: case {c.name}: CASE-END count={f['count']} "
                              f"but {len(c.values)} values were printed")
            elif f["sum"] != sum(c.values):
                errors.append(f"line {lineno}: case {c.name}: CASE-END sum={f['sum']} "
                              f"but the printed values sum to {sum(c.values)}")
            if len(c.values) != c.samples:
                errors.append(f"line {lineno}: case {c.name}: samples={c.samples} but "
                              f"{len(c.values)} values")
            if c.stamps is not None and len(c.stamps) != len(c.values):
                errors.append(f"line {lineno}: case {c.name}: {len(c.stamps)} STAMP values "
                              f"for {len(c.values)} samples")
            open_case = None
        elif kind == "SKIP":
            log.skips.append(f)
        elif kind == "CHECK":
            log.checks.append(f)
            ok = f["expect"] == f["got"]
            if (f["result"] == "pass") != ok:
                errors.append(f"line {lineno}: CHECK {f['name']}: expect={f['expect']} "
                              f"got={f['got']} but result={f['result']}")
        elif kind == "END":
            if open_case is not None:
                errors.append(f"line {lineno}: END while case {open_case.name} has no "
                              f"CASE-END")
                open_case = None
            log.end = f
        elif kind == "FAULT":
            log.faults.append(f)
        elif kind == "PLAN":
            if log.plan is not None:
                errors.append(f"line {lineno}: second PLAN")
            elif log.cases:
                errors.append(f"line {lineno}: PLAN after the first CASE")
            log.plan = f["cases"]
        elif kind == "FUZZ":
            if log.fuzz is not None:
                errors.append(f"line {lineno}: second FUZZ")
            log.fuzz = f

    if open_case is not None:
        errors.append(f"case {open_case.name} (line {open_case.line}) never closed: "
                      f"output truncated")
    return log


# ------------------------------------------------------------------ expectations

IPC_SPACES = ("same", "cross")
IPC_METRICS = ("call", "reply", "round")
IPC_LENS = (0, 1, 2, 4, 8, 16)
FIXED_CASES = [("null_syscall", "self", "round", 0), ("counter", "self", "read", 0)]


def expected_cases(max_words: int):
    """(cases that must run, (bench, space, len) that must be SKIPped instead): a
    length beyond the longest message the variant accepts (BEGIN max_words) is SKIPped."""
    run, skip = list(FIXED_CASES), []
    for space in IPC_SPACES:
        for length in IPC_LENS:
            if length > max_words:
                skip.append(("ipc", space, length))
            else:
                run.extend(("ipc", space, m, length) for m in IPC_METRICS)
    return run, skip


COLD_METRICS = ("call", "reply")   # a cold round would hold the server's flush


def expected_cold_cases(max_words: int) -> list:
    """The cold cases a boot under clock=model must print (FORMAT.md): the null system
    call and each one-way IPC case the variant runs."""
    out = [("null_syscall", "self", "round", 0)]
    for space in IPC_SPACES:
        for length in IPC_LENS:
            if length <= max_words:
                out.extend(("ipc", space, m, length) for m in COLD_METRICS)
    return out


@dataclass
class Problem:
    kind: str       # timeout | panic | qemu-exit | malformed | truncated | status-fail |
                    # config | missing-case | check | implausible | host-io | host-qemu
    message: str

    def __str__(self):
        return f"{self.kind}: {self.message}"


def validate(log: Log, *, exit_code: int | None, timed_out: bool = False,
             timeout_s: float | None = None, variant=None, clock: str | None = None,
             samples: int | None = None, warmup: int | None = None,
             require_all_cases: bool = True, min_checks: int = 0,
             max_value: int | None = None, min_value: int | None = None,
             build: str | None = None, arch: str | None = None,
             workload: str | None = None,
             own_unit_metrics: frozenset = frozenset()) -> list[Problem]:
    """Judge one boot. Returns the problems found (empty list = a good run).
    `variant` is a config.Variant whose axes BEGIN must echo; `arch` the architecture
    booted (arches.py: its QEMU exit statuses, and the arch and counter BEGIN must
    name; None: x86_64's statuses, BEGIN not checked for them); `workload` the guest
    program asked for (BEGIN workload=, `ipc` when absent): the IPC benchmark's cases
    are a fixed set, any other workload's are the number its PLAN line promised.
    `own_unit_metrics`: metrics the experiment gives units of their own (UNITS: calls,
    bytes, rates, or counter ticks with idle time in them), which are not counts of
    executed instructions, so min_value and max_value do not apply to them."""
    p: list[Problem] = []
    codes = get_arch(arch or "x86_64").exit_status
    exit_ok, exit_fail, exit_panic = codes["ok"], codes["fail"], codes["panic"]
    if timed_out:
        p.append(Problem("timeout", f"guest did not finish within {timeout_s} s and was "
                         f"killed"))
    if log.panic is not None or exit_code == exit_panic:
        p.append(Problem("panic", f"kernel panic: {log.panic or '(no PANIC line)'}"
                         f" (QEMU exit {exit_code})"))
    elif not timed_out and exit_code not in (exit_ok, exit_fail):
        p.append(Problem("qemu-exit", f"QEMU exited with status {exit_code} (expected "
                         f"{exit_ok} = ok or {exit_fail} = fail): QEMU crashed, stopped "
                         f"or was killed"))
    for e in log.errors:
        kind = "truncated" if "truncated" in e else "malformed"
        p.append(Problem(kind, e))
    if log.begin is None:
        p.append(Problem("truncated", "no BEGIN line"))
    elif log.config is None:
        p.append(Problem("truncated", "no CONFIG line"))
    if log.end is None:
        if log.panic is None:
            p.append(Problem("truncated", "no END line: output truncated"))
    else:
        e = log.end
        if e["status"] != "ok":
            p.append(Problem("status-fail", f"END status={e['status']} failed={e['failed']}"))
        if exit_code == exit_ok and e["status"] != "ok" or exit_code == exit_fail and \
                e["status"] == "ok":
            p.append(Problem("qemu-exit", f"END status={e['status']} but QEMU exit "
                             f"status {exit_code}"))
        if e["checks"] != len(log.checks):
            p.append(Problem("malformed", f"END checks={e['checks']} but "
                             f"{len(log.checks)} CHECK lines"))
        nfail = sum(1 for c in log.checks if c["result"] != "pass")
        if e["failed"] != nfail:
            p.append(Problem("malformed", f"END failed={e['failed']} but {nfail} CHECK "
                             f"lines failed"))
        if e["cases"] not in (len(log.cases), len(log.cases) + len(log.skips)):
            p.append(Problem("malformed", f"END cases={e['cases']} but {len(log.cases)} "
                             f"cases (+{len(log.skips)} skipped) printed"))
    for c in log.checks:
        if c["result"] != "pass":
            p.append(Problem("check", f"CHECK {c['name']} expect={c['expect']} "
                             f"got={c['got']}"))
    if len(log.checks) < min_checks:
        p.append(Problem("check", f"only {len(log.checks)} CHECK lines (at least "
                         f"{min_checks} required)"))
    # A FAULT alone is not a failure: the kernel kills the thread and runs on, and the
    # bad-input test provokes faults on purpose (e.g. a partner dying mid-call). Whether
    # the run is good is said by END status and the CHECK lines; faults are kept in the
    # Log (and in meta.json) for the reader.
    b = log.begin
    if b is not None:
        if variant is not None:
            if b["variant"] != variant.name:
                p.append(Problem("config", f"BEGIN variant={b['variant']}, booted "
                                 f"{variant.name}"))
            for key, val in variant.axes.items():
                got = (log.config or {}).get(key)
                if log.config is not None and got != val:
                    p.append(Problem("config", f"CONFIG {key}={got} but variant "
                                     f"{variant.name} is {key}={val} "
                                     f"(variants/{variant.name}.conf)"))
        if arch is not None and b["arch"] != arch:
            p.append(Problem("config", f"BEGIN arch={b['arch']} but booted arch={arch}"))
        if arch is not None and b["counter"] != get_arch(arch).counter:
            p.append(Problem("config", f"BEGIN counter={b['counter']} but arch {arch} "
                             f"reads {get_arch(arch).counter} (harness/ipclab/arches.py)"))
        if clock is not None and b["clock"] != clock:
            p.append(Problem("config", f"BEGIN clock={b['clock']} but booted with "
                             f"clock={clock}"))
        if build is not None and b["build"] != build:
            p.append(Problem("config", f"BEGIN build={b['build']} but a {build} build was "
                             f"booted"))
        if samples is not None and b["samples"] != samples:
            p.append(Problem("config", f"BEGIN samples={b['samples']}, asked {samples}"))
        if warmup is not None and b["warmup"] != warmup:
            p.append(Problem("config", f"BEGIN warmup={b['warmup']}, asked {warmup}"))
        booted = b.get("workload", "ipc")
        if b["clock"] != "model":
            cold = [c.name for c in log.cases if c.cold]
            if cold:
                p.append(Problem("malformed", f"{len(cold)} cold case(s) ({cold[0]}, ...) "
                                 f"under clock={b['clock']}: only clock=model flushes the "
                                 f"caches"))
        for c in log.cases:
            # a workload may print fewer values for a quantity that does not vary
            if c.samples != b["samples"] and (booted == "ipc" or not
                                              1 <= c.samples <= b["samples"]):
                p.append(Problem("malformed", f"case {c.name}: samples={c.samples}, BEGIN "
                                 f"says {b['samples']}"))
        if workload is not None and booted != workload:
            p.append(Problem("config", f"BEGIN workload={booted} but workload={workload} "
                             f"was asked (mode= on the command line)"))
        if require_all_cases and booted not in ("ipc", "fuzz"):
            if log.plan is None:
                p.append(Problem("missing-case", f"workload {booted} printed no PLAN line "
                                 f"(bench/guest/workload.h: report_plan first)"))
            elif len(log.cases) != log.plan:
                p.append(Problem("missing-case", f"workload {booted}: PLAN cases="
                                 f"{log.plan} but {len(log.cases)} CASE(s) printed"))
        elif require_all_cases and booted == "ipc":
            run, skip = expected_cases(b["max_words"])
            have = log.case_map()
            missing = [case_name(*k) for k in run if k not in have]
            if missing:
                p.append(Problem("missing-case", f"{len(missing)} expected case(s) missing: "
                                 f"{', '.join(missing[:6])}{' ...' if len(missing) > 6 else ''}"))
            if b["clock"] == "model":
                cold = log.case_map("cold")
                missing = [case_name(*k, cache="cold")
                           for k in expected_cold_cases(b["max_words"]) if k not in cold]
                if missing:
                    p.append(Problem("missing-case", f"{len(missing)} expected cold case(s) "
                                     f"missing under clock=model: {', '.join(missing[:4])}"
                                     f"{' ...' if len(missing) > 4 else ''}"))
            skipped = {(s["bench"], s["space"], s["len"]) for s in log.skips}
            for k in skip:
                if k not in skipped:
                    p.append(Problem("missing-case", f"no SKIP for {k[0]}/{k[1]}/len{k[2]} "
                                     f"(longer than max_words={b['max_words']})"))
            for s in log.skips:
                if (s["bench"], s["space"], s["len"]) in skip and \
                        s["reason"] != "over_register_limit":
                    p.append(Problem("malformed", f"SKIP {s['bench']}/{s['space']}/"
                                     f"len{s['len']} reason={s['reason']}, expected "
                                     f"over_register_limit"))
    for c in log.cases:
        if c.key[2] in own_unit_metrics:
            continue
        if min_value is not None:
            # a workload's count of events (metric count or count_*) may be 0
            least = 0 if is_count_metric(c.metric) else min_value
            low = [v for v in c.values if v < least]
            if low:
                p.append(Problem("implausible", f"case {c.name}: {len(low)} value(s) below "
                                 f"{min_value}, e.g. {low[0]}"))
        if max_value is not None:
            high = [v for v in c.values if v > max_value]
            if high:
                p.append(Problem("implausible", f"case {c.name}: {len(high)} value(s) above "
                                 f"{max_value}, e.g. {high[0]}"))
    return p
