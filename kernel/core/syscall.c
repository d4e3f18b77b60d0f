/*
 * The general system call path: every call the fast path did not finish lands here,
 * with the caller's registers fully saved in its TCB. Each handler checks its
 * arguments and answers a bad one with an error code; the kernel runs on.
 */
#include "syscall.h"

#include "arch_api.h"
#include "dest.h"
#include "ipc.h"
#include "kernel.h"
#include "sched.h"
#include "space.h"
#include "thread.h"

struct space *root_space;

static void set_result(struct tcb *t, uint64_t error, uint64_t value)
{
    arch_regs_set_result(&t->regs, error, value, 0);
}

static bool is_root(const struct tcb *t)
{
    return t->space == root_space;
}

static uint64_t sys_thread_create(struct tcb *self, uint64_t space, uint64_t utcb,
                                  uint64_t prio, uint64_t *tid)
{
    struct space *s = space_lookup(space);
    if (!s)
        return E_INVALID_ARG;
    if (!is_root(self))
        return E_NO_PERMISSION;
    int error;
    struct tcb *t = thread_create(s, utcb, prio, &error);
    if (t)
        *tid = t->tid;
    return (uint64_t)error;
}

static uint64_t sys_thread_start(struct tcb *self, uint64_t tid, uint64_t ip, uint64_t sp,
                                 uint64_t arg)
{
    struct tcb *t = thread_lookup(tid);
    if (!t)
        return E_INVALID_DEST;
    if (!is_root(self))
        return E_NO_PERMISSION;
    if (t->state != THREAD_INACTIVE)
        return E_INVALID_ARG;
    if (!space_range_mapped(t->space, ip, 1, false) || sp < USER_BASE || sp > USER_TOP)
        return E_BAD_ADDRESS;
    thread_start(t, ip, sp, arg);
    return E_OK;
}

static uint64_t sys_debug_write(struct tcb *self, uint64_t addr, uint64_t len)
{
    char buffer[128];
    if (len > 4096)
        return E_INVALID_ARG;
    if (!space_range_mapped(self->space, addr, len, false))
        return E_BAD_ADDRESS;
    while (len) {
        uint64_t chunk = len < sizeof(buffer) ? len : sizeof(buffer);
        space_copy_in(self->space, buffer, addr, chunk);
        for (uint64_t i = 0; i < chunk; i++)
            arch_console_putc(buffer[i]);
        addr += chunk;
        len -= chunk;
    }
    return E_OK;
}

struct tcb *syscall_dispatch(struct tcb *self)
{
    struct arch_regs *r = &self->regs;
    uint64_t nr = arch_regs_syscall(r);
    uint64_t a0 = arch_regs_arg(r, 0), a1 = arch_regs_arg(r, 1), a2 = arch_regs_arg(r, 2);
    uint64_t a3 = arch_regs_arg(r, 3), a4 = arch_regs_arg(r, 4);
    uint64_t value = 0;
    uint64_t error;

    switch (nr) {
    case SYS_NULL:
        error = E_OK;
        break;
    case SYS_SEND:
    case SYS_RECV:
    case SYS_CALL:
    case SYS_REPLY_WAIT:
        return ipc_general(self, (unsigned)nr, a0, a1, a2);
    case SYS_SPACE_CREATE: {
        struct space *s = is_root(self) ? space_create() : NULL;
        error = !is_root(self) ? E_NO_PERMISSION : s ? E_OK : E_NO_MEMORY;
        value = s ? s->handle : 0;
        break;
    }
    case SYS_THREAD_CREATE:
        error = sys_thread_create(self, a0, a1, a2, &value);
        break;
    case SYS_THREAD_START:
        error = sys_thread_start(self, a0, a1, a2, a3);
        break;
    case SYS_MAP: {
        struct space *to = space_lookup(a0);
        error = !to ? E_INVALID_ARG
              : !is_root(self) ? E_NO_PERMISSION
              : (uint64_t)space_map(self->space, a1, to, a2, a3, a4 & MAP_WRITABLE);
        break;
    }
    case SYS_ENDPOINT_CREATE:
        error = dest_endpoint_create(self, &value); /* E_INVALID_SYSCALL with thread IDs */
        break;
    case SYS_CAP_MINT: {
        struct space *to = space_lookup(a0);
        error = !to ? E_INVALID_ARG : (uint64_t)cap_mint(self->space, a1, to, a2, a3, a4);
        break;
    }
    case SYS_DEBUG_WRITE:
        error = sys_debug_write(self, a0, a1);
        break;
    case SYS_SHUTDOWN:
        if (!is_root(self)) {
            error = E_NO_PERMISSION;
            break;
        }
        arch_shutdown(a0 == 0 ? EXIT_OK : EXIT_FAIL); /* does not return */
    case SYS_YIELD:
        sched_rotate(self);
        set_result(self, E_OK, 0);
        return sched_pick();
    default:
        error = E_INVALID_SYSCALL;
        break;
    }
    set_result(self, error, value);
    return self;
}
