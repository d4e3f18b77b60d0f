/*
 * The general system call path: every call the fast path did not finish lands here,
 * with the caller's registers fully saved in its TCB. Each handler checks its
 * arguments and answers a bad one with an error code; the kernel runs on.
 *
 * Authority is checked before anything is looked up, so a thread without it learns
 * nothing from the error (not even whether a thread ID or space handle is alive). The
 * root task creates spaces and threads; a space's creator alone acts on it (space.h).
 */
#include "syscall.h"

#include "arch_api.h"
#include "commctl.h"
#include "console.h"
#include "dest.h"
#include "frame.h"
#include "ipc.h"
#include "irq.h"
#include "kstat.h"
#include "kernel.h"
#include "notify.h"
#include "preempt.h"
#include "sched.h"
#include "space.h"
#include "tasks.h"
#include "thread.h"
#include "usched.h"

struct space *root_space;
struct tcb *root_thread;

static void set_result(struct tcb *t, uint64_t error, uint64_t value)
{
    arch_regs_set_result(&t->regs, error, value, 0);
}

static bool is_root(const struct tcb *t)
{
    return t->space == root_space;
}

/*
 * The space a handle names, if self may act on it (its own space when own_ok, or one
 * its task created). Only a task that creates spaces learns that a handle is dead
 * (E_INVALID_ARG); to any other, every foreign handle is E_NO_PERMISSION.
 */
uint64_t syscall_controlled_space(struct tcb *self, uint64_t handle, bool own_ok,
                                  struct space **out)
{
    struct space *s = space_lookup(handle);
    if (s && ((own_ok && s == self->space) || space_may_control(self->space, s))) {
        *out = s;
        return E_OK;
    }
    return !s && is_root(self) ? E_INVALID_ARG : E_NO_PERMISSION;
}

/* The creation and mapping calls are the root task's alone (E_NO_PERMISSION first, so
 * no other thread learns anything of the handle), on a space it may act on. */
static uint64_t root_controlled_space(struct tcb *self, uint64_t handle, struct space **out)
{
    if (!is_root(self))
        return E_NO_PERMISSION;
    return syscall_controlled_space(self, handle, true, out);
}

static bool user_stack_ok(uint64_t sp)
{
    return sp >= USER_BASE && sp <= USER_TOP; /* USER_TOP itself: an empty full stack */
}

static uint64_t sys_thread_create(struct tcb *self, uint64_t space, uint64_t utcb,
                                  uint64_t prio, uint64_t *tid)
{
    struct space *s;
    uint64_t error = root_controlled_space(self, space, &s);
    if (error != E_OK)
        return error;
    int created;
    struct tcb *t = thread_create(s, utcb, prio, &created);
    if (t)
        *tid = t->tid;
    return (uint64_t)created;
}

/* Starts t; a started thread that outranks the caller runs at once (the scheduler's
 * rule: the highest-priority runnable thread runs), so *next may change. */
static uint64_t sys_thread_start(struct tcb *self, uint64_t tid, uint64_t ip, uint64_t sp,
                                 uint64_t arg, struct tcb **next)
{
    if (!is_root(self))
        return E_NO_PERMISSION;
    struct tcb *t = thread_lookup(tid);
    if (!t)
        return E_INVALID_DEST;
    if (t->state != THREAD_INACTIVE)
        return E_INVALID_ARG;
    if (!space_range_mapped(t->space, ip, 1, false) || !user_stack_ok(sp))
        return E_BAD_ADDRESS;
    thread_start(t, ip, sp, arg);
    if (t->prio > self->prio) {
        sched_wake(self);
        *next = sched_pick();
    }
    return E_OK;
}

static uint64_t sys_thread_destroy(struct tcb *self, uint64_t tid, struct tcb **next)
{
    if (!is_root(self))
        return E_NO_PERMISSION;
    struct tcb *t = thread_lookup(tid);
    if (!t)
        return E_INVALID_DEST;
    if (t == self || t == root_thread)
        return E_INVALID_ARG; /* the run ends with SYS_SHUTDOWN, not by its own hand */
    thread_kill(t);
    *next = self;
    return E_OK;
}

static uint64_t sys_map(struct tcb *self, uint64_t space, uint64_t src, uint64_t dst,
                        uint64_t pages, uint64_t flags)
{
    struct space *to;
    uint64_t error = root_controlled_space(self, space, &to);
    if (error != E_OK)
        return error;
    return (uint64_t)space_map(self->space, src, to, dst, pages, flags & MAP_WRITABLE);
}

/* SYS_UNMAP: the same authority as SYS_MAP. A preemption point leaves the remaining
 * range in the caller's arguments and rewinds the call (preempt.h): E_RESTART. */
static uint64_t sys_unmap(struct tcb *self, uint64_t space, uint64_t addr, uint64_t pages)
{
    struct space *s;
    uint64_t error = root_controlled_space(self, space, &s);
    if (error != E_OK)
        return error;
    if ((addr & (FRAME_SIZE - 1)) || pages == 0)
        return E_INVALID_ARG;
    if (addr < USER_BASE || addr >= USER_TOP || pages > (USER_TOP - addr) / FRAME_SIZE)
        return E_BAD_ADDRESS;
    uint64_t done;
    error = space_unmap(s, addr, pages, &done);
    if (error == E_RESTART) {
        arch_regs_set_arg(&self->regs, 1, addr + done * FRAME_SIZE);
        arch_regs_set_arg(&self->regs, 2, pages - done);
        preempt_restart(self, SYS_UNMAP);
    }
    return error;
}

static uint64_t sys_cap_mint(struct tcb *self, uint64_t space, uint64_t src, uint64_t dst,
                             uint64_t badge, uint64_t rights)
{
    struct space *to;
    uint64_t error = syscall_controlled_space(self, space, true, &to);
    if (error != E_OK)
        return error;
    return (uint64_t)cap_mint(self->space, src, to, dst, badge, rights);
}

/* A task owned by `parent` (the caller's task or one it controls), paid for by the
 * caller's task (TASKS: tasks.h). */
static inline __attribute__((always_inline)) uint64_t
sys_task_create(struct tcb *self, uint64_t parent, uint64_t quota,
                uint64_t *handle)
{
    struct space *p;
    uint64_t error = syscall_controlled_space(self, parent, true, &p);
    if (error != E_OK)
        return error;
    struct space *s = tasks_create(self->space, p, quota, &error);
    if (s)
        *handle = s->handle;
    return error;
}

static uint64_t sys_space_destroy(struct tcb *self, uint64_t space)
{
    struct space *s;
    uint64_t error = syscall_controlled_space(self, space, false, &s);
    if (error != E_OK)
        return error;
    if (s == current->space)
        return E_INVALID_ARG;
    space_destroy(s);
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
        console_write_user(buffer, chunk, self->tid, self == root_thread);
        addr += chunk;
        len -= chunk;
    }
    return E_OK;
}

/* The time lessons' calls (numbers 30-38), and every unknown number: out of line and
 * out of the switch below, with no local of the dispatcher's escaping into it, so that
 * adding them changes nothing in how the older calls are reached (their code is the
 * same instruction for instruction). */
static __attribute__((noinline, cold)) struct tcb *time_syscall(struct tcb *self, uint64_t nr,
                                                                uint64_t a0, uint64_t a1,
                                                                uint64_t a2)
{
    uint64_t value = 0, error;
    struct tcb *next = self;
    switch (nr) {
    case SYS_IRQ_REGISTER:
    case SYS_IRQ_ACK:
    case SYS_IRQ_RELEASE:
    case SYS_TIMER_ARM:
        error = irq_syscall(self, nr, a0, a1, &next);
        break;
    case SYS_UNMAP:
        error = sys_unmap(self, a0, a1, a2);
        if (error == E_RESTART)
            return self;        /* no result: the call runs again (preempt.h) */
        break;
    case SYS_SCHED_CONTROL:
    case SYS_SCHED_MANAGE:
    case SYS_SCHED_RUN:
        error = usched_syscall(self, nr, a0, a1, &next);
        break;
    case SYS_KSTAT:
        error = kstat_syscall(a0, &value);
        break;
    default:
        error = E_INVALID_SYSCALL;
        break;
    }
    set_result(self, error, value);
    return next;
}

struct tcb *syscall_dispatch(struct tcb *self)
{
    struct arch_regs *r = &self->regs;
    uint64_t nr = arch_regs_syscall(r);
    uint64_t a0 = arch_regs_arg(r, 0), a1 = arch_regs_arg(r, 1), a2 = arch_regs_arg(r, 2);
    uint64_t a3 = arch_regs_arg(r, 3), a4 = arch_regs_arg(r, 4);
    uint64_t value = 0;
    uint64_t error;
    struct tcb *next = self;

    switch (nr) {
    case SYS_NULL:
        error = E_OK;
        break;
    case SYS_SEND:
    case SYS_RECV:
    case SYS_CALL:
    case SYS_REPLY_WAIT:
        return ipc_general(self, (unsigned)nr, a0, a1, a2);
    case SYS_SPACE_CREATE:
        error = is_root(self) ? sys_task_create(self, self->space->handle, 0, &value)
                              : E_NO_PERMISSION;
        break;
    case SYS_TASK_CREATE:
        error = sys_task_create(self, a0, a1, &value);
        break;
    case SYS_THREAD_CREATE:
        error = sys_thread_create(self, a0, a1, a2, &value);
        break;
    case SYS_THREAD_START:
        error = sys_thread_start(self, a0, a1, a2, a3, &next);
        break;
    case SYS_THREAD_DESTROY:
        error = sys_thread_destroy(self, a0, &next);
        break;
    case SYS_MAP:
        error = sys_map(self, a0, a1, a2, a3, a4);
        break;
    case SYS_ENDPOINT_CREATE:
        error = dest_endpoint_create(self, &value); /* E_INVALID_SYSCALL with thread IDs */
        break;
    case SYS_CAP_MINT:
        error = sys_cap_mint(self, a0, a1, a2, a3, a4);
        break;
    case SYS_CAP_DELETE:
        error = (uint64_t)cap_delete(self->space, a0);
        break;
    case SYS_SPACE_DESTROY:
        error = sys_space_destroy(self, a0);
        break;
    case SYS_NOTIFY_CREATE:
    case SYS_SIGNAL:
    case SYS_WAIT:
    case SYS_POLL:
    case SYS_NOTIFY_BIND:
        error = notify_syscall(self, nr, a0, &value, &next); /* E_INVALID_SYSCALL if none */
        break;
    case SYS_CLAN_SET:
    case SYS_CLAN_FORWARD:
        return commctl_syscall(self, nr, a0, a1); /* E_INVALID_SYSCALL without clans */
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
        return time_syscall(self, nr, a0, a1, a2);
    }
    set_result(self, error, value);
    return next;
}
