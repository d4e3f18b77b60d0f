"""The parser and the judge on good logs and on each kind of bad log."""
from conftest import fixture_text

from ipclab import config, logparse
from ipclab.logparse import EXIT_FAIL, EXIT_OK, EXIT_PANIC, parse, validate

VARIANTS = config.variants()


def kinds(problems):
    return {p.kind for p in problems}


def judge(name, exit_code=EXIT_OK, variant="sel4-like", **kw):
    log = parse(fixture_text(name))
    return log, validate(log, exit_code=exit_code, variant=VARIANTS[variant],
                         clock="icount", samples=4, warmup=1, **kw)


def test_good_vregs_log():
    log, problems = judge("good-sel4-like.log", min_checks=5, min_value=1,
                          max_value=100000)
    assert problems == []
    assert log.begin["variant"] == "sel4-like" and log.begin["counter"] == "tsc"
    assert len(log.cases) == 2 + 2 * 6 * 3
    assert log.skips == []
    c = log.case_map()[("ipc", "cross", "call", 4)]
    assert c.values == [504, 505, 504, 505] and c.overhead == 25
    assert log.end["status"] == "ok" and len(log.checks) == 45


def test_good_regs_log_skips_len16():
    log, problems = judge("good-l4-classic.log", variant="l4-classic")
    assert problems == []
    assert {(s["space"], s["len"]) for s in log.skips} == {("same", 16), ("cross", 16)}
    assert ("ipc", "same", "call", 16) not in log.case_map()


def test_regs_variant_must_skip():
    # a vregs log (no SKIP, has len 16) that claims max_words=8, as a regs variant would
    log = parse(fixture_text("good-sel4-like.log").replace("variant=sel4-like",
                                                           "variant=l4-classic")
                .replace("max_words=64", "max_words=8"))
    p = validate(log, exit_code=EXIT_OK, variant=VARIANTS["l4-classic"])
    assert "missing-case" in kinds(p) or "config" in kinds(p)
    assert any("SKIP" in x.message for x in p)


def test_log_text_is_never_data():
    text = fixture_text("good-sel4-like.log").replace(
        "ipclab kernel booting", "DATA id=3 999999 IPCLAB 2 DATA id=3 7 (not at line start)")
    log = parse(text)
    assert log.errors == []
    assert 999999 not in log.case_map()[("ipc", "same", "call", 0)].values


def test_crlf_line_endings():
    log = parse(fixture_text("good-sel4-like.log").replace("\n", "\r\n"))
    assert log.errors == [] and log.end is not None


def test_timeout_hang():
    _, p = judge("truncated.log", exit_code=-9, timed_out=True, timeout_s=5)
    assert "timeout" in kinds(p) and "truncated" in kinds(p)
    assert "qemu-exit" not in kinds(p)          # the kill is explained by the timeout


def test_panic():
    log, p = judge("panic.log", exit_code=EXIT_PANIC)
    assert log.panic.startswith("page fault in kernel")
    assert "panic" in kinds(p)


def test_qemu_crash_bad_exit_code():
    for code in (0, 2, -11, 139):
        _, p = judge("good-sel4-like.log", exit_code=code)
        assert "qemu-exit" in kinds(p), code


def test_exit_status_disagrees_with_end():
    _, p = judge("good-sel4-like.log", exit_code=EXIT_FAIL)
    assert "qemu-exit" in kinds(p)


def test_malformed_line():
    log, p = judge("malformed.log")
    assert "malformed" in kinds(p)
    assert any("12x" in e for e in log.errors)


def test_malformed_variants():
    good = fixture_text("good-sel4-like.log")
    bad_lines = [
        "IPCLAB 2 BOGUS x=1",                                    # unknown kind
        "IPCLAB 2 CHECK name=x expect=1 got=1",                  # missing field
        "IPCLAB 2 CHECK name=x expect=one got=1 result=pass",    # not an integer
        "IPCLAB 2 CHECK name=x expect=1 got=2 result=pass",      # result disagrees
        "IPCLAB 3 CHECK name=x expect=1 got=1 result=pass",      # other format version
        "IPCLAB 2",                                              # cut short
        "IPCLAB 2 SKIP bench=ipc space=nowhere len=1 reason=x",  # bad enum
    ]
    for bad in bad_lines:
        text = good.replace("IPCLAB 2 END", bad + "\nIPCLAB 2 END")
        log = parse(text)
        assert log.errors, bad
        assert "malformed" in kinds(validate(log, exit_code=EXIT_OK)) or \
            "truncated" in kinds(validate(log, exit_code=EXIT_OK)), bad


def test_too_many_values_on_a_data_line():
    good = fixture_text("good-sel4-like.log")
    text = good.replace("IPCLAB 2 DATA id=2 300 301 300 301",
                        "IPCLAB 2 DATA id=2 " + " ".join(["300"] * 17))
    assert any("at most 16" in e for e in parse(text).errors)


def test_truncated_output():
    log, p = judge("truncated.log", exit_code=-9)
    assert "truncated" in kinds(p)
    assert any("never closed" in e for e in log.errors)


def test_missing_end():
    log, p = judge("missing-end.log")
    assert log.end is None
    assert any(x.kind == "truncated" and "no END" in x.message for x in p)


def test_count_mismatch():
    log, p = judge("count-mismatch.log")
    assert any("count=5" in e for e in log.errors)
    assert "malformed" in kinds(p)


def test_sum_mismatch():
    log, p = judge("sum-mismatch.log")
    assert any("sum=1" in e for e in log.errors)


def test_failed_check_and_status_fail():
    _, p = judge("check-fail.log", exit_code=EXIT_FAIL)
    assert {"check", "status-fail"} <= kinds(p)
    assert "qemu-exit" not in kinds(p)


def test_config_mismatch():
    _, p = judge("config-mismatch.log")
    assert any(x.kind == "config" and "transfer=mem" in x.message for x in p)


def test_clock_and_samples_mismatch():
    log = parse(fixture_text("good-sel4-like.log"))
    p = validate(log, exit_code=EXIT_OK, clock="kvm", samples=20)
    msgs = " ".join(x.message for x in p)
    assert "clock=icount" in msgs and "samples=4" in msgs


def test_user_fault_is_recorded_not_fatal():
    # the kernel kills a faulting thread and runs on; the bad-input test does this on
    # purpose, so END status and the CHECKs decide, not the FAULT line
    log, p = judge("fault.log")
    assert log.faults[0]["reason"] == "page fault at null"
    assert log.faults[0]["rip"] == "0x401000"
    assert p == []


def test_min_checks_and_plausibility():
    _, p = judge("good-sel4-like.log", min_checks=46, max_value=200, min_value=1)
    assert "check" in kinds(p) and "implausible" in kinds(p)


def test_expected_cases():
    run, skip = logparse.expected_cases(8)
    assert ("ipc", "cross", "round", 8) in run and ("ipc", "cross", 16) in skip
    run, skip = logparse.expected_cases(64)
    assert len(run) == 2 + 36 and skip == []


def test_config_line_follows_the_declaration():
    good = fixture_text("good-sel4-like.log")
    log = parse(good)
    assert log.config == VARIANTS["sel4-like"].axes   # every declared axis, no more
    for bad, what in (("transfer=vregs", "transfer=bogus"),     # undeclared value
                      ("fastpath=on", "fastpath=on frobs=1"),   # undeclared axis
                      ("fastpath=on", ""),                      # an axis missing
                      ("fastpath=on", "fastpath=on fastpath=on")):
        log = parse(good.replace(bad, what, 1))
        assert log.config is None and any("CONFIG" in e for e in log.errors), what


def test_missing_config_line_is_a_fault():
    text = "".join(l for l in fixture_text("good-sel4-like.log").splitlines(True)
                   if " CONFIG " not in l)
    p = validate(parse(text), exit_code=EXIT_OK)
    assert any("no CONFIG line" in x.message for x in p)
