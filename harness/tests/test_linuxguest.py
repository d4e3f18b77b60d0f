"""ipclab.linuxguest without booting: the newc writer, the kernel ELF extraction, apt
output parsing, the not-root path of the kernel fetch, command lines, and the reader
and judge of format-2 logs (on made-up logs and on the stored real ones)."""
from __future__ import annotations

import gzip
import lzma
import shutil
import subprocess
from pathlib import Path

import pytest

from ipclab import linuxguest as g
from ipclab.clock import get_clock

REPO = Path(__file__).resolve().parents[2]
STORED_LOGS = sorted((REPO / "bench" / "linux" / "results").glob("*.log"))


# ------------------------------------------------------------------ newc cpio

def read_newc(data: bytes) -> list[tuple[str, int, int, int, bytes]]:
    """An independent reader: (name, mode, rdev major, rdev minor, data) per member,
    stopping at the trailer. Asserts the alignment rules of the format."""
    out, at = [], 0
    while True:
        assert data[at:at + 6] == b"070701", f"bad magic at {at}"
        fields = [int(data[at + 6 + 8 * i: at + 14 + 8 * i], 16) for i in range(13)]
        mode, filesize, namesize = fields[1], fields[6], fields[11]
        name_at = at + 110
        name = data[name_at:name_at + namesize]
        assert name.endswith(b"\0")
        data_at = name_at + namesize
        data_at += -data_at % 4
        assert data[name_at + namesize:data_at] == b"\0" * (data_at - name_at - namesize)
        body = data[data_at:data_at + filesize]
        at = data_at + filesize
        at += -at % 4
        if name == b"TRAILER!!!\0":
            assert at == len(data)
            return out
        out.append((name[:-1].decode(), mode, fields[9], fields[10], body))


def test_newc_round_trip_of_the_initramfs_entries():
    init = b"\x7fELF" + bytes(range(256)) * 3 + b"odd"      # length not a multiple of 4
    archive = g.newc_archive(g.initramfs_entries(init))
    assert len(archive) % 4 == 0
    members = read_newc(archive)
    assert [m[0] for m in members] == ["dev", "dev/console", "proc", "sys", "init"]
    by_name = {m[0]: m for m in members}
    assert by_name["init"][4] == init
    assert by_name["init"][1] == 0o100755
    assert by_name["dev/console"][1:4] == (0o020600, 5, 1)
    assert by_name["dev"][1] == 0o040755


def test_newc_is_reproducible_and_carries_no_time():
    entries = g.initramfs_entries(b"abc")
    a, b = g.newc_archive(entries), g.newc_archive(entries)
    assert a == b
    # mtime is field 5 (after ino, mode, uid, gid, nlink): zero in every header
    at = 0
    while at < len(a) and a[at:at + 6] == b"070701":
        assert a[at + 6 + 8 * 5: at + 14 + 8 * 5] == b"00000000"
        namesize = int(a[at + 6 + 8 * 11: at + 14 + 8 * 11], 16)
        filesize = int(a[at + 6 + 8 * 6: at + 14 + 8 * 6], 16)
        at += 110 + namesize
        at += -at % 4
        at += filesize
        at += -at % 4


def test_newc_header_is_exactly_110_bytes_of_hex():
    member = g.newc_member(7, g.CpioEntry("x", g.S_IFREG | 0o644, b"12345"))
    assert member[:110].decode("ascii")[6:] == "".join(
        f"{v:08X}" for v in [7, 0o100644, 0, 0, 1, 0, 5, 0, 0, 0, 0, 2, 0])
    assert member[110:112] == b"x\0"
    assert member[112:112 + 5] == b"12345"      # 110 + 2 = 112 is already aligned
    assert len(member) == 120


# ------------------------------------------------------------------ kernel ELF

FAKE_ELF = b"\x7fELF\x02\x01\x01" + b"kernel text " * 500


def test_vmlinux_from_an_xz_bzimage_skips_a_false_magic():
    payload = lzma.compress(FAKE_ELF, format=lzma.FORMAT_XZ)
    image = b"MZ setup" + g.XZ_MAGIC + b"not a stream" + payload + b"\0" * 64
    assert g.vmlinux_from_bzimage(image) == FAKE_ELF


def test_vmlinux_from_a_gzip_bzimage():
    image = b"HdrS" * 10 + gzip.compress(FAKE_ELF, mtime=0) + b"trailing"
    assert g.vmlinux_from_bzimage(image) == FAKE_ELF


def test_vmlinux_refuses_a_stream_that_is_not_elf():
    image = b"MZ" + lzma.compress(b"just data", format=lzma.FORMAT_XZ)
    with pytest.raises(g.PrepareError):
        g.vmlinux_from_bzimage(image)


# ------------------------------------------------------------------ apt

APT_DEPENDS = """linux-image-amd64
  Depends: linux-image-6.1.0-57-amd64
"""
APT_POLICY = """linux-image-6.1.0-57-amd64:
  Installed: (none)
  Candidate: 6.1.192-3
  Version table:
     6.1.192-3 500
"""


def test_apt_output_parsing():
    assert g.parse_depends(APT_DEPENDS) == "linux-image-6.1.0-57-amd64"
    assert g.parse_depends("linux-image-amd64\n  Depends: <linux-image-amd64>\n") is None
    assert g.parse_candidate(APT_POLICY) == "6.1.192-3"
    assert g.parse_candidate("x:\n  Installed: (none)\n  Candidate: (none)\n") is None
    pkg = g.KernelPackage("linux-image-6.1.0-57-amd64", "6.1.192-3")
    assert pkg.deb_name == "linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb"
    assert g.KernelPackage("p", "1:2.0").deb_name == "p_1%3a2.0_amd64.deb"


def test_fetch_without_root_prints_the_apt_line_and_stops(tmp_path, monkeypatch):
    pkg = g.KernelPackage("linux-image-6.1.0-57-amd64", "6.1.192-3")
    monkeypatch.setattr(g, "is_root", lambda: False)
    monkeypatch.setattr(g, "resolve_kernel_package", lambda meta=g.META_PACKAGE: pkg)
    paths = g.GuestPaths(tmp_path)
    with pytest.raises(g.PrepareError) as e:
        g.fetch_kernel_deb(paths)
    assert "apt-get download linux-image-6.1.0-57-amd64=6.1.192-3" in str(e.value)
    assert str(paths.cache) in str(e.value)


def test_fetch_uses_a_cached_deb_without_apt(tmp_path, monkeypatch):
    pkg = g.KernelPackage("linux-image-6.1.0-57-amd64", "6.1.192-3")
    monkeypatch.setattr(g, "is_root", lambda: False)
    monkeypatch.setattr(g, "resolve_kernel_package", lambda meta=g.META_PACKAGE: pkg)
    paths = g.GuestPaths(tmp_path)
    paths.cache.mkdir(parents=True)
    (paths.cache / pkg.deb_name).write_bytes(b"!<arch>\n")
    deb, got = g.fetch_kernel_deb(paths)
    assert deb == paths.cache / pkg.deb_name and got == pkg


# ------------------------------------------------------------------ command lines

def test_kernel_cmdline():
    line = g.kernel_cmdline("on", 1000, 100).split()
    assert line[:len(g.BASE_CMDLINE)] == g.BASE_CMDLINE
    assert "console=ttyS0" in line and "pti=on" in line
    assert [w for w in line if w.startswith("mitigations=")] == []
    assert line[-4:] == ["clock=icount", "policy=other", "samples=1000", "warmup=100"]
    line = g.kernel_cmdline("off", 20, 5, mitigations="off", policy="fifo").split()
    assert "pti=off" in line and "mitigations=off" in line and "policy=fifo" in line
    for bad in (dict(pti="auto"), dict(pti="on", mitigations="on"),
                dict(pti="on", policy="rr"), dict(pti="on", samples=0)):
        kw = dict(samples=10, warmup=1) | bad
        with pytest.raises(ValueError):
            g.kernel_cmdline(**kw)


def test_qemu_command_has_the_harness_icount_flags():
    paths = g.GuestPaths(Path("/b"))
    clock = get_clock("icount")
    cmd = g.qemu_command(paths, "console=ttyS0 x=1", clock)
    flags = clock.qemu_accel_args()
    at = cmd.index(flags[0])
    assert cmd[at:at + len(flags)] == flags
    assert "shift=0,align=off,sleep=off" in cmd
    assert cmd[cmd.index("-kernel") + 1] == "/b/vmlinux"
    assert cmd[cmd.index("-initrd") + 1] == "/b/initramfs.cpio"
    assert cmd[cmd.index("-append") + 1] == "console=ttyS0 x=1"
    assert cmd[cmd.index("-smp") + 1] == "1"
    assert "clock=vm" in cmd[cmd.index("-rtc") + 1]
    assert "isa-debug-exit,iobase=0xf4,iosize=0x04" in cmd
    assert "-no-reboot" in cmd


# ------------------------------------------------------------------ logs

def make_log(samples: int = 20, warmup: int = 5, pti: str = "on", status: str = "ok",
             values=None, extra_checks=(), drop=None) -> str:
    """A format-2 log as /init prints it; `values(key)` gives a case's samples."""
    lines = ["SeaBIOS (made-up boot text)",
             f"IPCLAB 2 BEGIN variant=linux arch=x86_64 clock=icount build=release "
             f"samples={samples} warmup={warmup} counter=tsc reg_words=0 max_words=0",
             f"IPCLAB 2 CONFIG kernel=6.1.0-57-amd64 version=6.1.192-3 pti={pti} "
             f"mitigations=auto "
             f"policy=other"]
    checks = [("online_cpus", 1, 1)] + list(extra_checks)
    cases = 0
    for cid, key in enumerate(g.EXPECTED_CASES):
        if key == drop:
            continue
        vals = values(key) if values else [100 + cid] * samples
        bench, space, metric, length = key
        lines.append(f"IPCLAB 2 CASE id={cid} bench={bench} space={space} len={length} "
                     f"metric={metric} overhead=9 samples={samples}")
        for i in range(0, len(vals), 16):
            lines.append(f"IPCLAB 2 DATA id={cid} " + " ".join(map(str, vals[i:i + 16])))
        lines.append(f"IPCLAB 2 CASE-END id={cid} count={len(vals)} sum={sum(vals)}")
        cases += 1
    failed = 0
    for name, expect, got in checks:
        failed += expect != got
        lines.append(f"IPCLAB 2 CHECK name={name} expect={expect} got={got} "
                     f"result={'pass' if expect == got else 'fail'}")
    lines.append(f"IPCLAB 2 END status={status} cases={cases} checks={len(checks)} "
                 f"failed={failed}")
    return "\r\n".join(lines) + "\r\n"


def judge(text: str, exit_code: int = g.EXIT_OK, **kw) -> list[str]:
    kw.setdefault("pti", "on")
    kw.setdefault("version", "6.1.192-3")
    return g.check_log(g.parse_log(text), exit_code, clock="icount", samples=20,
                       warmup=5, **kw)


def test_a_good_log_has_no_problems():
    log = g.parse_log(make_log())
    assert g.check_log(log, g.EXIT_OK, pti="on", clock="icount", samples=20,
                       warmup=5) == []
    assert len(log.cases) == len(g.EXPECTED_CASES)
    assert log.config == {"kernel": "6.1.0-57-amd64", "version": "6.1.192-3", "pti": "on",
                          "mitigations": "auto", "policy": "other"}
    rows = {r["case"]: r for r in g.summary_rows(log)}
    assert rows["counter/self/read/len0"]["median"] == 100
    assert rows["unix_socket/cross/round/len1"]["samples"] == 20


@pytest.mark.parametrize("mutate, exit_code, expect", [
    (lambda t: t.replace("sum=2020", "sum=2021"), 1, "sum=2021"),
    (lambda t: t.replace("count=20 sum=2020", "count=19 sum=2020"), 1, "count=19"),
    (lambda t: t.replace("IPCLAB 2 END", "IPCLAB 2 XEND"), 1, "no END"),
    (lambda t: t[:t.index("IPCLAB 2 CASE-END id=5")], 1, "never closed"),
    (lambda t: t.replace("IPCLAB 2 DATA id=3 103", "IPCLAB 2 DATA id=4 103", 1), 1,
     "not open"),
    (lambda t: t.replace("IPCLAB 2 CONFIG", "IPCLAB 2 CONFIGX"), 1, "no CONFIG"),
    (lambda t: t, 3, "exit status 3"),
    (lambda t: t, 0, "QEMU exit status 0"),
    (lambda t: t.replace("pti=on", "pti=off"), 1, "pti=off printed, on asked"),
    (lambda t: t.replace("version=6.1.192-3", "version=6.1.192-4"), 1,
     "version=6.1.192-4 printed, 6.1.192-3 asked"),
    (lambda t: t.replace("IPCLAB 2 BEGIN", "IPCLAB 1 BEGIN"), 1, "not a format 2"),
])
def test_bad_logs_are_refused(mutate, exit_code, expect):
    problems = judge(mutate(make_log()), exit_code)
    assert problems and any(expect in p for p in problems), problems


def test_more_than_16_values_on_a_line_is_malformed():
    text = make_log().replace(
        "IPCLAB 2 DATA id=0 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100"
        "\r\nIPCLAB 2 DATA id=0 100 100 100 100",
        "IPCLAB 2 DATA id=0" + " 100" * 20)
    assert any("20 values on one DATA line" in p for p in judge(text))


def test_failed_check_missing_case_and_zero_sample():
    assert any("CHECK futex_values expect=0 got=3" in p for p in judge(
        make_log(status="fail", extra_checks=[("futex_values", 0, 3)]), g.EXIT_FAIL))
    key = ("pipe", "cross", "round", 1)
    assert any("missing case(s): pipe/cross/round/len1" in p
               for p in judge(make_log(drop=key)))
    assert any("below 1 under icount" in p
               for p in judge(make_log(values=lambda k: [5] * 19 + [0])))


def test_compare_logs():
    a = g.parse_log(make_log())
    assert g.compare_logs(a, g.parse_log(make_log())) == []
    key = ("eventfd", "cross", "call", 1)
    b = g.parse_log(make_log(values=lambda k: [100 + g.EXPECTED_CASES.index(k)] * 19 +
                             [5000 if k == key else 100 + g.EXPECTED_CASES.index(k)]))
    diff = g.compare_logs(a, b)
    assert len(diff) == 1 and diff[0].startswith("eventfd/cross/call/len1: 1 of 20")


def test_package_spec():
    assert g.parse_package_spec("linux-image-6.1.0-57-amd64=6.1.192-3") == \
        g.KernelPackage("linux-image-6.1.0-57-amd64", "6.1.192-3")
    for bad in ("linux-image-6.1.0-57-amd64", "bash=5.2", "linux-image-x="):
        with pytest.raises(ValueError):
            g.parse_package_spec(bad)


def test_boot_config_names():
    assert g.BootConfig("on").name == "pti-on"
    assert g.BootConfig("off", "off", "fifo").name == "pti-off_mitigations-off_policy-fifo"


@pytest.mark.skipif(not STORED_LOGS, reason="no stored logs in bench/linux/results/")
@pytest.mark.parametrize("path", STORED_LOGS, ids=lambda p: p.name)
def test_stored_real_logs_are_good_runs(path):
    """The logs behind the numbers in bench/linux/README.md, as /init printed them."""
    log = g.parse_log(path.read_text())
    assert g.check_log(log, g.EXIT_OK, clock="icount") == []
    assert {c.key for c in log.cases} == set(g.EXPECTED_CASES)
    assert log.config["pti"] in g.PTI_MODES


# ------------------------------------------------------------------ the C side

@pytest.mark.skipif(shutil.which(g.CC) is None, reason="no C compiler")
def test_init_compiles_with_the_project_flags(tmp_path):
    """-Wall -Wextra -Werror, C11, static: what prepare runs."""
    src = REPO / "bench" / "linux"
    cmd = [g.CC] + g.CFLAGS + ["-o", str(tmp_path / "init")] + \
        [str(src / s) for s in g.INIT_SOURCES]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "init").read_bytes()[:4] == b"\x7fELF"
