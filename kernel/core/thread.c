/*
 * The thread table: creation, start and death of threads. Numbers are reused, versions
 * are not (until they wrap), so an ID kept past its thread's death is refused.
 */
#include "thread.h"

#include "dest.h"
#include "frame.h"
#include "ipc.h"
#include "kernel.h"
#include "sched.h"
#include "space.h"

struct tcb tcb_array[MAX_THREADS];
struct tcb *current;

static uint16_t next_version[MAX_THREADS];

void thread_table_init(void)
{
    memset(tcb_array, 0, sizeof(tcb_array));
    for (unsigned i = 0; i < MAX_THREADS; i++)
        next_version[i] = 1;
    current = NULL;
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
    unsigned number = 0;
    while (number < MAX_THREADS && tcb_array[number].state != THREAD_FREE)
        number++;
    uint64_t frame = number < MAX_THREADS ? frame_alloc() : 0;
    if (!frame || !arch_map_page(&s->arch, utcb_addr, frame, true)) {
        *error = E_NO_MEMORY;
        return NULL;
    }
    struct tcb *t = &tcb_array[number];
    memset(t, 0, sizeof(*t));
    t->state = THREAD_INACTIVE;
    t->prio = (uint8_t)prio;
    t->timeslice_left = SCHED_TIMESLICE_TICKS;
    list_init(&t->ready_link);
    list_init(&t->wait_link);
    dest_thread_init(t);
    t->space = s;
    t->utcb = (struct utcb *)(uintptr_t)frame;
    t->utcb_addr = utcb_addr;
    t->tid = tid_make(number, next_version[number]);
    if (++next_version[number] == 0)
        next_version[number] = 1;
    *error = E_OK;
    return t;
}

void thread_start(struct tcb *t, uint64_t ip, uint64_t sp, uint64_t arg)
{
    arch_init_user_regs(t, ip, sp, arg);
    t->state = THREAD_READY;
    sched_wake(t);
}

/* Every thread whose wait names t is failed with E_ABORTED. */
static void abort_partners(struct tcb *t)
{
    for (unsigned i = 0; i < MAX_THREADS; i++) {
        struct tcb *other = &tcb_array[i];
        if (other == t)
            continue;
        bool waits_on_t = ((other->state == THREAD_SEND_BLOCKED ||
                            other->state == THREAD_REPLY_BLOCKED) && other->partner == t) ||
                          dest_waits_for(other, t);
        if (waits_on_t)
            ipc_abort(other, E_ABORTED);
    }
}

void thread_kill(struct tcb *t)
{
    ipc_leave_wait_queue(t);
    abort_partners(t);
    sched_remove(t);
    t->state = THREAD_FREE;
}
