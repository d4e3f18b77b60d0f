"""make gdb: the generated .gdbinit and QEMU's command line (no boot; make gdb-check
boots for real in make test)."""
import pytest

from ipclab import gdbstub


def test_gdbinit_names_the_images_and_the_fast_path(tmp_path):
    text = gdbstub.gdbinit_text("sel4-like", "x86_64", 4321, repo=tmp_path)
    lines = text.splitlines()
    assert "set architecture i386:x86-64" in lines
    assert f"file {tmp_path}/build/x86_64/sel4-like/kernel.elf" in lines
    assert f"add-symbol-file {tmp_path}/build/x86_64/guest/user.elf" in lines
    assert "target remote localhost:4321" in lines
    assert lines[-1] == "hbreak fastpath_call"
    # the symbols come before the connection, the breakpoint after it
    assert lines.index(f"file {tmp_path}/build/x86_64/sel4-like/kernel.elf") < \
        lines.index("target remote localhost:4321") < lines.index("hbreak fastpath_call")
    for arch, name in (("aarch64", "aarch64"), ("riscv64", "riscv:rv64")):
        t = gdbstub.gdbinit_text("l4-classic", arch, 1234, repo=tmp_path)
        assert f"set architecture {name}" in t and f"build/{arch}/l4-classic/kernel.elf" in t


def test_the_fast_path_symbol_exists_in_both_fast_path_sources():
    from conftest import REPO
    for src in ("fastpath.c", "fastpath_none.c"):
        assert f"struct tcb *{gdbstub.BREAKPOINT}(" in \
            (REPO / "kernel" / "core" / src).read_text()
    assert f"{gdbstub.ROOT_TASK_SYMBOL}(" in \
        (REPO / "bench" / "guest" / "badinput.c").read_text()


def test_qemu_waits_for_the_debugger(tmp_path):
    cmd = gdbstub.qemu_gdb_command("sel4-like", "x86_64", 4321, repo=tmp_path)
    assert cmd[-3:] == ["-S", "-gdb", "tcp::4321"]
    assert str(tmp_path / "build/x86_64/sel4-like/ipclab.elf") in cmd
    assert "shift=0,align=off,sleep=off" in cmd        # the measured boot's icount flags


def test_gdbinit_refuses_an_unbuilt_variant(tmp_path):
    with pytest.raises(FileNotFoundError, match="make VARIANT=sel4-like"):
        gdbstub.write_gdbinit("sel4-like", "x86_64", 1234, repo=tmp_path)
