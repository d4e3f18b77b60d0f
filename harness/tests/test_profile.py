"""bench/profile/ipc_path_profile.py's bookkeeping (no trace is taken here: `make
profile` boots QEMU for minutes): the address-space switch of each architecture in
its disassembly, the path matched against the same boot's benchmark, the table across
architectures."""
import collections
import importlib.util
import sys

import pytest

from conftest import REPO

spec = importlib.util.spec_from_file_location(
    "ipc_path_profile", REPO / "bench" / "profile" / "ipc_path_profile.py")
prof = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = prof           # dataclasses look their module up by name
spec.loader.exec_module(prof)


@pytest.mark.parametrize("arch,line,switches", [
    ("x86_64", "  10234a:\tmov    %rax,%cr3", True),
    ("x86_64", "  10234a:\tmov    %cr3,%rax", False),
    ("x86_64", "  10234a:\tmov    %rax,%cr4", False),
    ("aarch64", "    40201234:\tmsr\tttbr0_el1, x1", True),
    ("aarch64", "    40201234:\tmrs\tx1, ttbr0_el1", False),
    ("riscv64", "    80201234:\tcsrw\tsatp,a5", True),
    ("riscv64", "    80201234:\tcsrrw\tzero,satp,a5", True),
    ("riscv64", "    80201234:\tcsrr\ta5,satp", False),
])
def test_the_address_space_switch_of_each_arch(arch, line, switches):
    m = prof.OBJDUMP_LINE.match(line)
    assert m and bool(prof.SPACE_SWITCH[arch].search(m.group(2))) == switches


def cats(**kw):
    return collections.Counter(kw)


def test_the_path_of_the_benchmarks_length_is_chosen():
    p = prof.Profile("v", "aarch64", {
        ("call", "cross", 73): {"cats": cats(entry=10, exit=5), "seen": 20},
        ("call", "cross", 90): {"cats": cats(entry=10, exit=5), "seen": 60},   # len 8
        ("call", "same", 71): {"cats": cats(entry=10), "seen": 80},
        ("reply_wait", "cross", 81): {"cats": cats(commit=3), "seen": 40},
    }, 19, {("call", "cross"): 73, ("reply", "cross"): 80, ("null", "self"): 19})
    total, c, seen, hit = p.matching("call", "cross")
    assert (total, seen, hit) == (73, 20, True)          # not the more frequent 90
    assert p.matching("reply_wait", "same") is None
    rows = prof.summary_rows(p)
    assert [r[2] for r in rows] == ["call", "reply_wait", "null syscall"]
    assert rows[0][4] == 73 and rows[0][-2:] == ["73", "equal"]
    # the reply path found (81) is not the benchmark's (80): shown, flagged
    assert rows[1][4] == 81 and rows[1][-1].startswith("DIFFERENT")
    assert rows[2][4] == 19 and rows[2][-1] == "equal"


def test_arches_and_exit_status(monkeypatch, capsys, tmp_path):
    assert prof.parse_arches(["all"]) == ["x86_64", "aarch64", "riscv64"]
    assert prof.parse_arches(["riscv64,x86_64", "riscv64"]) == ["riscv64", "x86_64"]
    with pytest.raises(SystemExit, match="unknown arch mips"):
        prof.parse_arches(["mips"])
    made = []

    def fake(variant, arch, samples):
        made.append((variant, arch))
        total = {"x86_64": 73, "riscv64": 87}[arch]
        return prof.Profile(variant, arch, {
            ("call", "cross", total): {"cats": cats(entry=13), "seen": 3},
            ("reply_wait", "cross", total + 3): {"cats": cats(entry=15), "seen": 3}},
            23, {("call", "cross"): total, ("reply", "cross"): total + 3,
                 ("null", "self"): 23})
    monkeypatch.setattr(prof, "profile", fake)
    csv = tmp_path / "p.csv"
    rc = prof.main(["--variant", "l4-classic", "--arch", "x86_64", "riscv64",
                    "--csv", str(csv)])
    out = capsys.readouterr().out
    assert rc == 0 and made == [("l4-classic", "x86_64"), ("l4-classic", "riscv64")]
    assert "Per architecture: the cross-address-space fast path" in out
    lines = csv.read_text().splitlines()
    assert lines[0].startswith("variant,arch,operation,space,total,entry,lookup")
    zeros = ",".join("0" for _ in prof.CATEGORIES[1:])     # every category but entry
    assert f"l4-classic,riscv64,call,cross,87,13,{zeros},87,equal" in lines


def test_kpti_space_switch_is_the_store_of_the_next_user_cr3():
    """Under KPTI entry and exit write CR3 on every system call; the switch between
    spaces is the store to kpti_user_cr3, not its loads nor the CR3 writes."""
    store = "mov    %rax,0x21b41(%rip)        # 125000 <kpti_user_cr3>"
    load = "mov    0x23e94(%rip),%rdi        # 125000 <kpti_user_cr3>"
    cr3 = "mov    %rdi,%cr3"
    assert prof.KPTI_SPACE_SWITCH.search(store)
    assert not prof.KPTI_SPACE_SWITCH.search(load)
    assert not prof.KPTI_SPACE_SWITCH.search(cr3)
    assert prof.SPACE_SWITCH["x86_64"].search(cr3)
