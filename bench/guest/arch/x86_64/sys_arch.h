/*
 * x86_64: a plain system call, the counter read and a new thread's stack pointer, for
 * the portable root task (bench/guest/sys.h). The register convention is
 * kernel/arch/x86_64/include/ipclab/abi_arch.h's.
 */
#ifndef IPCLAB_GUEST_SYS_ARCH_H
#define IPCLAB_GUEST_SYS_ARCH_H

#include <stdint.h>

static inline struct sys_result syscall5(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
                                         uint64_t a3, uint64_t a4)
{
    register uint64_t rax __asm__("rax") = nr;
    register uint64_t rdi __asm__("rdi") = a0;
    register uint64_t rsi __asm__("rsi") = a1;
    register uint64_t rdx __asm__("rdx") = a2;
    register uint64_t r8 __asm__("r8") = a3;
    register uint64_t r9 __asm__("r9") = a4;
    __asm__ volatile("syscall"
                     : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r8), "+r"(r9)
                     :
                     : "rcx", "r11", "memory");
    return (struct sys_result){rax, rdi};
}

/* An IPC system call: as syscall5, but the receiver's message registers (abi_arch.h:
 * r8-r10, rbx, r12-r15) may come back holding the partner's words, so the compiler is
 * told they are clobbered. */
static inline struct sys_result ipc5(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    register uint64_t rax __asm__("rax") = nr;
    register uint64_t rdi __asm__("rdi") = a0;
    register uint64_t rsi __asm__("rsi") = a1;
    register uint64_t rdx __asm__("rdx") = a2;
    __asm__ volatile("syscall"
                     : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx)
                     :
                     : "rcx", "r11", "r8", "r9", "r10", "rbx", "r12", "r13", "r14", "r15",
                       "memory");
    return (struct sys_result){rax, rdi};
}

/* lfence before and after rdtsc: no earlier instruction retires late into the window,
 * no later one starts early (under icount the count is exact either way). */
static inline uint64_t counter_read(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* The cache/TLB model's flush marker (bench/model/README.md, "Flush marker"): an
 * 8-byte long NOP, `nopl 0x48534c46(%rax,%rax,1)` ("FLSH"), that does nothing on any
 * x86 CPU and makes the model plugin empty every cache and TLB. One retired
 * instruction, so it goes before a sample's first counter read, never inside it. */
#define ARCH_HAS_MODEL_FLUSH 1
static inline void arch_model_flush(void)
{
    __asm__ volatile(".byte 0x0f,0x1f,0x84,0x00,0x46,0x4c,0x53,0x48" ::: "memory");
}

/* Machine code a thread can run from any address: the null system call, then whatever
 * follows (isolation.c places it in the last bytes of the highest user page). */
static inline const unsigned char *arch_null_syscall_code(unsigned *len)
{
    static const unsigned char code[] = {
        0xb8, 0x00, 0x00, 0x00, 0x00, /* mov $SYS_NULL, %eax */
        0x0f, 0x05,                   /* syscall */
    };
    *len = sizeof(code);
    return code;
}

/* Touch the x87 FPU: under FPU=none the kernel denies it, so this kills the thread
 * (#NM). */
static inline void arch_touch_fpu(void)
{
    __asm__ volatile("fld1\n fstp %%st(0)" : : : "memory");
}

/* The FPU registers, for the FPU=lazy check (fpu_regs.S). */
void arch_fpu_fill(uint64_t seed);
uint64_t arch_fpu_wrong(uint64_t seed);
uint64_t arch_fpu_first(void);

/* A new thread starts as if called: the return address slot below a 16-byte aligned
 * top (the System V ABI's alignment at a function's entry). */
static inline uint64_t thread_stack_pointer(uint64_t top)
{
    return top - 8;
}

#endif
