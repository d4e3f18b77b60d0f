"""The architecture table (arches.py): command lines, exit statuses, BEGIN checks."""
import json

import pytest

from conftest import fixture_text
from ipclab import arches, bench, clock, config, runner
from ipclab.config import UsageError
from ipclab.logparse import parse, validate

ICOUNT = clock.CLOCKS["icount"]
VARIANTS = config.variants()


def kinds(problems):
    return {p.kind for p in problems}


def test_x86_64_command_line_is_the_historical_one():
    # Option for option what the harness ran before the table existed.
    assert clock.qemu_command("qemu-system-x86_64", "k.elf", ICOUNT, 20, 5) == [
        "qemu-system-x86_64", "-M", "pc", "-m", "256M", "-cpu", "qemu64", "-accel", "tcg",
        "-icount", "shift=0,align=off,sleep=off", "-kernel", "k.elf", "-append",
        "clock=icount samples=20 warmup=5", "-display", "none", "-monitor", "none",
        "-serial", "stdio", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    assert clock.qemu_command("q", "k", clock.CLOCKS["kvm"], None, None)[5:9] == [
        "-accel", "kvm", "-cpu", "host"]


@pytest.mark.parametrize("name", ["aarch64", "riscv64"])
def test_port_command_lines_come_from_the_table(name):
    a = arches.get_arch(name)
    cmd = clock.qemu_command(a.qemu, "k.elf", ICOUNT, 3, 1, name)
    assert cmd[:5] == [a.qemu, "-M", a.machine, "-m", a.memory]
    assert cmd[cmd.index("-cpu") + 1] == a.cpu
    assert "-icount" in cmd and cmd[-len(a.extra):] == list(a.extra)
    assert "isa-debug-exit,iobase=0xf4,iosize=0x04" not in " ".join(cmd)


def test_qemu_binary_per_arch(monkeypatch):
    monkeypatch.delenv("IPCLAB_QEMU", raising=False)
    assert [runner.qemu_binary(a) for a in ("x86_64", "aarch64", "riscv64")] == [
        "qemu-system-x86_64", "qemu-system-aarch64", "qemu-system-riscv64"]


def test_table_rows():
    assert set(arches.ARCHES) == {"x86_64", "aarch64", "riscv64"}
    a64 = arches.get_arch("aarch64")
    assert (a64.qemu, a64.cpu, a64.counter) == ("qemu-system-aarch64", "cortex-a53",
                                                "pmccntr_el0")
    assert "-semihosting-config" in a64.extra
    rv = arches.get_arch("riscv64")
    assert (rv.qemu, rv.machine, rv.counter) == ("qemu-system-riscv64", "virt", "instret")
    for a in arches.ARCHES.values():
        assert set(a.exit_status) == {"ok", "fail", "panic"}
        assert 0 not in a.exit_status.values()          # 0: QEMU stopped by itself
        assert len(set(a.exit_status.values())) == 3
        assert a.outcome(a.exit_status["panic"]) == "panic" and a.outcome(0) is None
    with pytest.raises(UsageError, match="supported by the harness: x86_64, aarch64"):
        arches.get_arch("mips")


def test_kvm_only_for_the_host_isa():
    with pytest.raises(UsageError, match="clock=kvm cannot run arch aarch64"):
        clock.qemu_command("q", "k", clock.CLOCKS["kvm"], None, None, "aarch64")
    with pytest.raises(UsageError, match="clock=kvm cannot run arch riscv64"):
        bench.check_arch("riscv64", clock.CLOCKS["kvm"])
    bench.check_arch("aarch64", ICOUNT)


def port_log(arch, counter):
    return fixture_text("good-sel4-like.log").replace("arch=x86_64", f"arch={arch}") \
        .replace("counter=tsc", f"counter={counter}")


def judge(text, exit_code, arch):
    return validate(parse(text), exit_code=exit_code, variant=VARIANTS["sel4-like"],
                    clock="icount", samples=4, warmup=1, arch=arch)


def test_exit_status_mapping_of_a_port():
    text = port_log("aarch64", "pmccntr_el0")
    assert judge(text, 1, "aarch64") == []
    assert "qemu-exit" in kinds(judge(text, 3, "aarch64"))   # END ok but exit says fail
    assert "panic" in kinds(judge(text, 5, "aarch64"))
    assert "qemu-exit" in kinds(judge(text, 0, "aarch64"))   # QEMU stopped by itself


def test_validate_reads_the_arch_row(monkeypatch):
    # A row with other statuses: validate must follow it, not x86_64's numbers.
    row = arches.Arch("riscv64", "q", "virt", "rv64", "256M", "instret", "test",
                      {"ok": 7, "fail": 9, "panic": 11})
    monkeypatch.setitem(arches.ARCHES, "riscv64", row)
    text = port_log("riscv64", "instret")
    assert judge(text, 7, "riscv64") == []
    assert "qemu-exit" in kinds(judge(text, 1, "riscv64"))
    assert "panic" in kinds(judge(text, 11, "riscv64"))
    p = judge(text.replace("END status=ok", "END status=fail"), 9, "riscv64")
    assert "qemu-exit" not in kinds(p) and "status-fail" in kinds(p)


def test_begin_must_name_the_booted_arch_and_its_counter():
    p = judge(fixture_text("good-sel4-like.log"), 1, "aarch64")       # an x86_64 log
    msgs = " ".join(x.message for x in p)
    assert "BEGIN arch=x86_64 but booted arch=aarch64" in msgs
    assert "counter=tsc" in msgs and "pmccntr_el0" in msgs
    assert judge(fixture_text("good-sel4-like.log"), 1, "x86_64") == []


def test_boot_of_a_port_through_the_fake_qemu(fake_repo, tmp_path):
    fake_repo.make_image("sel4-like", None)
    fx = tmp_path / "a64.log"
    fx.write_text(port_log("aarch64", "pmccntr_el0"))
    elf = tmp_path / "ipclab.elf"
    elf.write_text(json.dumps({"fixture": str(fx), "exit": 1}))
    r = runner.boot("sel4-like", elf, ICOUNT, tmp_path / "boot.log", arch="aarch64",
                    samples=4, warmup=1, timeout=30)
    assert r.exit_code == 1 and "cortex-a53" in r.cmd and "virt,gic-version=2" in r.cmd
    o = bench.Outcome(VARIANTS["sel4-like"], runner.BuildResult("sel4-like", True, 0, []), r)
    bench.judge(o, ICOUNT, 4, 1, arch="aarch64")
    assert o.problems == []
