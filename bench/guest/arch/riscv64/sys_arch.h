/*
 * riscv64: a plain system call, the counter read and a new thread's stack pointer, for
 * the portable root task (bench/guest/sys.h). The register convention is
 * kernel/arch/riscv64/include/ipclab/abi_arch.h's.
 */
#ifndef IPCLAB_GUEST_SYS_ARCH_H
#define IPCLAB_GUEST_SYS_ARCH_H

#include <stdint.h>

static inline struct sys_result syscall5(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
                                         uint64_t a3, uint64_t a4)
{
    register uint64_t r7 __asm__("a7") = nr;
    register uint64_t r0 __asm__("a0") = a0;
    register uint64_t r1 __asm__("a1") = a1;
    register uint64_t r2 __asm__("a2") = a2;
    register uint64_t r3 __asm__("a3") = a3;
    register uint64_t r4 __asm__("a4") = a4;
    __asm__ volatile("ecall"
                     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r7)
                     :
                     : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "memory");
    return (struct sys_result){r0, r1};
}

/* RISC-V has no barrier that orders a counter read; under icount the count is exact
 * whatever the pipeline would do. */
static inline uint64_t counter_read(void)
{
    uint64_t value;
    __asm__ volatile("rdinstret %0" : "=r"(value) : : "memory");
    return value;
}

/* A new thread starts with sp at the 16-byte aligned top of its stack (psABI). */
static inline uint64_t thread_stack_pointer(uint64_t top)
{
    return top;
}

#endif
