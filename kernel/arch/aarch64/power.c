/*
 * Ending a run: Arm semihosting's SYS_EXIT (QEMU runs with semihosting enabled), whose
 * AArch64 form takes a reason and a subcode; QEMU exits with the subcode. The subcode
 * is (status << 1) | 1, the value x86_64's isa-debug-exit device produces, so QEMU
 * ends with 1 after END status=ok, 3 after status=fail and 5 after a panic on every
 * architecture (bench/FORMAT.md, "Exit status"), and 0 keeps meaning that QEMU
 * stopped by itself.
 */
#include <arch/cpu.h>

#include "arch_api.h"

#define SEMIHOSTING_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

noreturn void arch_shutdown(unsigned status)
{
    static volatile uint64_t block[2];
    block[0] = ADP_STOPPED_APPLICATION_EXIT;
    block[1] = ((uint64_t)status << 1) | 1;
    register uint64_t op __asm__("x0") = SEMIHOSTING_SYS_EXIT;
    register uint64_t arg __asm__("x1") = (uint64_t)(uintptr_t)block;
    __asm__ volatile("hlt #0xf000" : : "r"(op), "r"(arg) : "memory");
    halt_forever(); /* without semihosting (a real machine) there is nothing else */
    __builtin_unreachable();
}
