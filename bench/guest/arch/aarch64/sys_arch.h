/*
 * aarch64: a plain system call, the counter read and a new thread's stack pointer, for
 * the portable root task (bench/guest/sys.h). The register convention is
 * kernel/arch/aarch64/include/ipclab/abi_arch.h's.
 */
#ifndef IPCLAB_GUEST_SYS_ARCH_H
#define IPCLAB_GUEST_SYS_ARCH_H

#include <stdint.h>

static inline struct sys_result syscall5(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
                                         uint64_t a3, uint64_t a4)
{
    register uint64_t x8 __asm__("x8") = nr;
    register uint64_t x0 __asm__("x0") = a0;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    register uint64_t x4 __asm__("x4") = a4;
    __asm__ volatile("svc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x8)
                     :
                     : "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17",
                       "cc", "memory");
    return (struct sys_result){x0, x1};
}

/* An IPC system call: as syscall5, but the receiver's message registers (abi_arch.h:
 * x19..x28) may come back holding the partner's words, so the compiler is told they
 * are clobbered. */
static inline struct sys_result ipc5(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    register uint64_t x8 __asm__("x8") = nr;
    register uint64_t x0 __asm__("x0") = a0;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    __asm__ volatile("svc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x8)
                     :
                     : "x3", "x4", "x5", "x6", "x7", "x9", "x10", "x11", "x12", "x13", "x14",
                       "x15", "x16", "x17", "x19", "x20", "x21", "x22", "x23", "x24", "x25",
                       "x26", "x27", "x28", "x30", "cc", "memory");
    return (struct sys_result){x0, x1};
}

/* isb before and after the read: no earlier instruction retires late into the window,
 * no later one starts early (under icount the count is exact either way). */
static inline uint64_t counter_read(void)
{
    uint64_t value;
    __asm__ volatile("isb; mrs %0, pmccntr_el0; isb" : "=r"(value) : : "memory");
    return value;
}

/* A new thread starts with sp at the 16-byte aligned top of its stack (AAPCS64). */
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
        0x08, 0x00, 0x80, 0xd2, /* mov x8, #SYS_NULL */
        0x01, 0x00, 0x00, 0xd4, /* svc #0 */
    };
    *len = sizeof(code);
    return code;
}

/* Touch the FP/SIMD unit (fmov d0, xzr, encoded: the guest is built without FP):
 * the kernel denies it, so this kills the thread. */
static inline void arch_touch_fpu(void)
{
    __asm__ volatile(".inst 0x9e6703e0" : : : "memory");
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
