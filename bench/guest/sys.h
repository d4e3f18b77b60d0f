/*
 * The user-level runtime's view of the kernel: the IPC stub (arch/<arch>/ipc_stub.S)
 * and plain system calls (arch/<arch>/sys_arch.h), over the ABI in
 * kernel/include/ipclab/abi.h.
 */
#ifndef IPCLAB_GUEST_SYS_H
#define IPCLAB_GUEST_SYS_H

#include <stddef.h>
#include <stdint.h>

#include <ipclab/abi.h>
#include <ipclab/format.h>

#include "ipc_args.h"

struct sys_result {
    uint64_t error;
    uint64_t value;
};

/* The architecture's part (bench/guest/arch/<arch>/sys_arch.h):
 *   struct sys_result syscall5(nr, a0, a1, a2, a3, a4)   a plain system call
 *   uint64_t counter_read(void)                           the serialized counter read
 *   uint64_t thread_stack_pointer(uint64_t top)           a new thread's first sp */
#include <sys_arch.h>

/* In/out block of one IPC; ipc_args.h gives the offsets the assembly stub uses. */
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

_Static_assert(offsetof(struct ipc_args, dest) == IPC_ARGS_DEST, "ipc_args.h");
_Static_assert(offsetof(struct ipc_args, tag) == IPC_ARGS_TAG, "ipc_args.h");
_Static_assert(offsetof(struct ipc_args, from) == IPC_ARGS_FROM, "ipc_args.h");
_Static_assert(offsetof(struct ipc_args, mr) == IPC_ARGS_MR, "ipc_args.h");
_Static_assert(offsetof(struct ipc_args, error) == IPC_ARGS_ERROR, "ipc_args.h");
_Static_assert(offsetof(struct ipc_args, t_before) == IPC_ARGS_T_BEFORE, "ipc_args.h");
_Static_assert(offsetof(struct ipc_args, t_after) == IPC_ARGS_T_AFTER, "ipc_args.h");

void ipc_stub(struct ipc_args *args);
void ipc_stub_nop(struct ipc_args *args);

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
