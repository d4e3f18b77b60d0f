/*
 * The thread table: creation, start and death of threads. Numbers are reused, versions
 * are not: a slot whose version would wrap is retired instead (abi.h), so an ID kept
 * past its thread's death is refused for the whole run. A dead thread's UTCB frame is
 * unmapped and freed, so creating and destroying threads costs no memory for good.
 */
#include "thread.h"

#include "commctl.h"
#include "dest.h"
#include "fpu.h"
#include "frame.h"
#include "ipc.h"
#include "irq.h"
#include "kernel.h"
#include "notify.h"
#include "sched.h"
#include "space.h"
#include "usched.h"

_Static_assert((sizeof(struct tcb) & (sizeof(struct tcb) - 1)) == 0,
               "a TCB's size is a power of two: a thread number becomes its TCB by a shift");

struct tcb *current;
uint32_t thread_next_version[MAX_THREADS];

void thread_table_init(void)
{
    tcb_store_init();
    for (unsigned i = 0; i < MAX_THREADS; i++)
        thread_next_version[i] = 1;
    current = NULL;
}

/* The lowest slot that is free and not retired, or MAX_THREADS. */
static unsigned free_slot(void)
{
    unsigned number = 0;
    while (number < MAX_THREADS &&
           (tcb_at(number)->state != THREAD_FREE || thread_next_version[number] == 0))
        number++;
    return number;
}

struct tcb *thread_create(struct space *s, uint64_t utcb_addr, uint64_t prio, int *error)
{
    if (prio >= SCHED_PRIOS || (utcb_addr & (FRAME_SIZE - 1)) || utcb_addr < USER_BASE ||
        utcb_addr >= USER_TOP) {
        *error = E_INVALID_ARG;
        return NULL;
    }
    uint64_t existing;
    bool writable;
    if (arch_lookup_page(&s->arch, utcb_addr, &existing, &writable)) {
        *error = E_INVALID_ARG; /* the UTCB page must not hide a mapping */
        return NULL;
    }
    unsigned number = free_slot();
    uint64_t frame = number < MAX_THREADS && tcb_prepare(number) ? frame_alloc() : 0;
    if (!frame || !arch_map_page(&s->arch, utcb_addr, frame, true)) {
        if (frame)
            frame_free(frame);
        *error = E_NO_MEMORY;
        return NULL;
    }
    struct tcb *t = tcb_at(number);
    memset(t, 0, sizeof(*t));
    t->state = THREAD_INACTIVE;
    t->prio = (uint8_t)prio;
    t->timeslice_left = SCHED_TIMESLICE_TICKS;
    list_init(&t->ready_link);
    list_init(&t->wait_link);
    t->space = s;
    dest_thread_init(t);
    commctl_thread_init(t);
    t->utcb = (struct utcb *)(uintptr_t)frame;
    t->utcb_addr = utcb_addr;
    t->tid = tid_make(number, thread_next_version[number]);
    /* Versions 1 .. 2^32-2 are handed out; the next would wrap: retire the slot. */
    if (++thread_next_version[number] > TID_VERSION_MASK - 1)
        thread_next_version[number] = 0;
    *error = E_OK;
    return t;
}

void thread_start(struct tcb *t, uint64_t ip, uint64_t sp, uint64_t arg)
{
    arch_init_user_regs(t, ip, sp, arg);
    t->state = THREAD_READY;
    sched_wake(t);
}

bool thread_owns_frame(uint64_t frame)
{
    for (unsigned i = 0; i < MAX_THREADS; i++)
        if (tcb_at(i)->state != THREAD_FREE && (uint64_t)(uintptr_t)tcb_at(i)->utcb == frame)
            return true;
    return false;
}

/* Every thread whose wait names t is failed with E_ABORTED; every link to t goes. */
static void abort_partners(struct tcb *t)
{
    for (unsigned i = 0; i < MAX_THREADS; i++) {
        struct tcb *other = tcb_at(i);
        if (other == t)
            continue;
        dest_forget(other, t);
        bool waits_on_t = ((other->state == THREAD_SEND_BLOCKED ||
                            other->state == THREAD_REPLY_BLOCKED) && other->partner == t) ||
                          dest_waits_for(other, t);
        if (waits_on_t)
            ipc_abort(other, E_ABORTED);
    }
}

void thread_kill(struct tcb *t)
{
    irq_thread_exit(t);
    usched_thread_exit(t);
    notify_thread_exit(t);
    commctl_thread_exit(t);
    ipc_leave_wait_queue(t);
    dest_thread_exit(t);
    fpu_thread_exit(t);
    abort_partners(t);
    sched_remove(t);
    arch_unmap_page(&t->space->arch, t->utcb_addr);
    frame_free((uint64_t)(uintptr_t)t->utcb);
    t->utcb = NULL;
    t->partner = NULL;
    t->state = THREAD_FREE;
    tcb_release(t->tid >> TID_VERSION_BITS);   /* TCB=varray: its page goes back */
}

void thread_kill_space(struct space *s)
{
    for (unsigned i = 0; i < MAX_THREADS; i++)
        if (tcb_at(i)->state != THREAD_FREE && tcb_at(i)->space == s)
            thread_kill(tcb_at(i));
}
