/*
 * The user-level runtime's view of the kernel: the IPC stub (ipc_stub.S) and plain
 * system calls, over the ABI in kernel/include/ipclab/abi.h.
 */
#ifndef IPCLAB_GUEST_SYS_H
#define IPCLAB_GUEST_SYS_H

#include <stddef.h>
#include <stdint.h>

#include <ipclab/abi.h>

/* In/out block of one IPC; the layout is mirrored in ipc_stub.S. */
struct ipc_args {
    uint64_t nr;          /* SYS_SEND, SYS_RECV, SYS_CALL or SYS_REPLY_WAIT */
    uint64_t dest;        /* in: destination; out: sender (thread ID or badge) */
    uint64_t tag;         /* in: tag sent; out: tag received */
    uint64_t from;        /* receive specifier */
    uint64_t mr[ABI_REG_WORDS];
    uint64_t error;       /* out: error code */
    uint64_t t_before;    /* out: counter just before the trap */
    uint64_t t_after;     /* out: counter just after it returned */
};

_Static_assert(offsetof(struct ipc_args, mr) == 32, "ipc_stub.S layout");
_Static_assert(offsetof(struct ipc_args, error) == 96, "ipc_stub.S layout");
_Static_assert(offsetof(struct ipc_args, t_after) == 112, "ipc_stub.S layout");

void ipc_stub(struct ipc_args *args);
void ipc_stub_nop(struct ipc_args *args);

struct sys_result {
    uint64_t error;
    uint64_t value;
};

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

static inline uint64_t counter_read(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* Console output (out.c). */
void out_str(const char *s);
void out_u64(uint64_t v);
void out_i64(int64_t v);
void out_hex(uint64_t v);
/* " key=value": one field of a result line. */
void out_field(const char *key, const char *value);
void out_field_u64(const char *key, uint64_t value);
void out_flush(void);

/* Small string helpers (out.c). */
size_t str_len(const char *s);
int str_eq(const char *a, const char *b);
/* Value of key=... in a space-separated command line, as a number; fallback if absent. */
uint64_t cmdline_u64(const char *cmdline, const char *key, uint64_t fallback);
/* Copy the value of key=... into buf (at most size-1 chars); fallback if absent. */
void cmdline_str(const char *cmdline, const char *key, char *buf, size_t size,
                 const char *fallback);

#endif
