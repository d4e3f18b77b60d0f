/*
 * Ending a run: the virt board's sifive_test device. FINISHER_FAIL with a code makes
 * QEMU exit with that code; the code is (status << 1) | 1, the value x86_64's
 * isa-debug-exit device produces, so QEMU ends with 1 after END status=ok, 3 after
 * status=fail and 5 after a panic on every architecture (bench/FORMAT.md, "Exit
 * status"). FINISHER_PASS is not used: it exits with 0, which must keep meaning that
 * QEMU stopped by itself.
 */
#include <arch/cpu.h>

#include "arch_api.h"
#include "riscv.h"

#define FINISHER_FAIL 0x3333u

noreturn void arch_shutdown(unsigned status)
{
    mmio_write32(VIRT_TEST_BASE, FINISHER_FAIL | (((status << 1) | 1) << 16));
    halt_forever(); /* without the device (a real machine) there is nothing else */
    __builtin_unreachable();
}
