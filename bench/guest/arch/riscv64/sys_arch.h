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

/* An IPC system call: as syscall5, but the receiver's message registers (abi_arch.h:
 * s0..s11) may come back holding the partner's words, so the compiler is told they
 * are clobbered. */
static inline struct sys_result ipc5(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    register uint64_t r7 __asm__("a7") = nr;
    register uint64_t r0 __asm__("a0") = a0;
    register uint64_t r1 __asm__("a1") = a1;
    register uint64_t r2 __asm__("a2") = a2;
    __asm__ volatile("ecall"
                     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r7)
                     :
                     : "a3", "a4", "a5", "a6", "t0", "t1", "t2", "t3", "t4", "t5", "t6",
                       "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10",
                       "s11", "ra", "memory");
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

/* The cache/TLB model (bench/model/) decodes x86-64 only: this architecture has no
 * flush marker, and the harness refuses clock=model for it. */
#define ARCH_HAS_MODEL_FLUSH 0
static inline void arch_model_flush(void)
{
}

/* Machine code a thread can run from any address: the null system call, then whatever
 * follows (isolation.c places it in the last bytes of the highest user page). */
static inline const unsigned char *arch_null_syscall_code(unsigned *len)
{
    static const unsigned char code[] = {
        0x93, 0x08, 0x00, 0x00, /* li a7, SYS_NULL */
        0x73, 0x00, 0x00, 0x00, /* ecall */
    };
    *len = sizeof(code);
    return code;
}

/* Touch the FPU (fmv.w.x ft0, zero, encoded: the guest is built for rv64imac): the
 * kernel leaves sstatus.FS off, so this kills the thread (illegal instruction). */
static inline void arch_touch_fpu(void)
{
    __asm__ volatile(".word 0xf0000053" : : : "memory");
}

/* FPU=lazy exists on x86_64 only (kernel/axes.conf): the lazy-FPU check never runs
 * here, and these answer as a kernel that lost every register would. */
static inline void arch_fpu_fill(uint64_t seed)
{
    (void)seed;
}

static inline uint64_t arch_fpu_wrong(uint64_t seed)
{
    (void)seed;
    return ~0ull;
}

static inline uint64_t arch_fpu_first(void)
{
    return ~0ull;
}

#endif
