/*
 * The wake-up queue of TIMEOUTS=full (see timeouts.h): every thread blocked in an IPC
 * phase with a finite timeout, ordered by deadline (the tick at which it expires),
 * threads with the same deadline in the order they blocked. A tick pops what is due
 * from the head, so a tick that expires nothing costs one comparison; a new entry is
 * placed by a walk from the tail, which is where it belongs when timeouts are alike.
 *
 * Time is the count of timer ticks since boot (kernel_timer_tick and the tick that
 * ends an idle wait). A timeout of n ticks expires at the n-th tick after the phase
 * blocked: after between n-1 and n tick periods.
 */
#include "timeouts.h"

#include "dest.h"
#include "ipc.h"
#include "kernel.h"
#include "list.h"

static struct link wakeup_queue;
static uint64_t ticks_now;

void timeout_queue_init(void)
{
    list_init(&wakeup_queue);
    ticks_now = 0;
}

static struct tcb *entry(struct link *l)
{
    return container_of(l, struct tcb, timeout_link);
}

void timeout_arm(struct tcb *t, uint64_t ticks)
{
    ASSERT(t->state == THREAD_SEND_BLOCKED || t->state == THREAD_RECV_BLOCKED ||
           t->state == THREAD_REPLY_BLOCKED);
    ASSERT(!t->deadline);
    t->deadline = ticks_now + ticks;
    struct link *after = wakeup_queue.prev;
    while (after != &wakeup_queue && entry(after)->deadline > t->deadline)
        after = after->prev;
    /* Insert behind `after` (the queue's head when every entry expires later). */
    list_add_tail(after->next, &t->timeout_link);
}

void timeout_cancel(struct tcb *t)
{
    if (!t->deadline)
        return;
    list_remove(&t->timeout_link);
    t->deadline = 0;
}

/* The phase is over: the thread leaves every queue and learns E_TIMEOUT. A caller that
 * awaited a reply through an endpoint takes the callee's reply right with it. */
static void expire(struct tcb *t)
{
    timeout_cancel(t);
    if (t->state == THREAD_REPLY_BLOCKED)
        dest_forget(t->partner, t);
    ipc_abort(t, E_TIMEOUT);
}

bool timeout_tick(const struct tcb *running)
{
    ticks_now++;
    bool outranked = false;
    while (!list_empty(&wakeup_queue)) {
        struct tcb *t = entry(wakeup_queue.next);
        if (t->deadline > ticks_now)
            break;
        expire(t);
        outranked |= !running || t->prio > running->prio;
    }
    return outranked;
}

/* A thread has a deadline exactly while it is blocked in IPC and in the queue. */
void timeout_check_thread(const struct tcb *t)
{
    if (!t->deadline)
        return;
    ASSERT(t->state == THREAD_SEND_BLOCKED || t->state == THREAD_RECV_BLOCKED ||
           t->state == THREAD_REPLY_BLOCKED);
    ASSERT(list_contains(&wakeup_queue, &t->timeout_link));
}

/* Ordered by deadline, and no entry already overdue (a tick would have taken it). */
bool timeout_queue_consistent(void)
{
    uint64_t last = ticks_now;
    for (struct link *l = wakeup_queue.next; l != &wakeup_queue; l = l->next) {
        const struct tcb *t = entry(l);
        if (!t->deadline || t->deadline < last || t->deadline <= ticks_now)
            return false;
        last = t->deadline;
    }
    return true;
}
