/*
 * IRQ=ipc (irq.h): an interrupt is an IPC from its line's pseudo-thread, as classic L4
 * kernels and Fiasco's Irq_sender deliver it. The pseudo-thread is a TCB outside the
 * thread table that is never scheduled: an interrupt makes it send a message of length
 * 0 and label IRQ_MSG_LABEL; if no receiver waits, it queues like a blocked sender
 * (DEST=tid: on its handler; DEST=endpoint: on the endpoint named at registration),
 * which makes the fast path's reply-and-wait decline as for any queued sender, so the
 * IPC paths need no test of their own; the general receive path takes it and leaves it
 * at rest (irq_sender_taken, ipc.c) instead of making it runnable.
 */
#include "irq.h"

#include "dest.h"
#include "ipc.h"
#include "kernel.h"
#include "tcb.h"

struct tcb irq_senders[IRQ_MAX_LINES];
static struct dest_irq targets[IRQ_MAX_LINES];

uint64_t irq_attach(struct tcb *self, unsigned line, uint64_t object)
{
    uint64_t error = dest_irq_attach(self, object, &targets[line]);
    if (error != E_OK)
        return error;
    struct tcb *s = &irq_senders[line];
    memset(s, 0, sizeof(*s));
    s->state = THREAD_INACTIVE;
    s->tid = IRQ_SENDER_ID(line);
    list_init(&s->ready_link);
    list_init(&s->wait_link);
    dest_thread_init(s);
    return E_OK;
}

void irq_detach(unsigned line)
{
    struct tcb *s = &irq_senders[line];
    if (s->state == THREAD_SEND_BLOCKED) {
        dest_leave_wait_queue(s);
        s->partner = NULL;
    }
    s->state = THREAD_INACTIVE;
    dest_irq_detach(&targets[line]);
}

struct tcb *irq_deliver(unsigned line)
{
    struct tcb *s = &irq_senders[line];
    if (s->state == THREAD_SEND_BLOCKED)
        return NULL;            /* the last one is still queued: one message says it */
    struct send_target t;
    dest_irq_target(s, &targets[line], &t);
    s->state = THREAD_READY;    /* a sender, for the moment of the send */
    struct tcb *woken = ipc_kernel_send(s, &t, tag_make(0, IRQ_MSG_LABEL));
    if (woken)
        s->state = THREAD_INACTIVE; /* taken at once: at rest until the next one */
    return woken;
}

void irq_check_delivery(unsigned line, bool registered)
{
    const struct tcb *s = &irq_senders[line];
    ASSERT(!s->queued);
    if (!registered) {
        ASSERT(s->state == THREAD_FREE || s->state == THREAD_INACTIVE);
        return;
    }
    ASSERT(s->state == THREAD_INACTIVE || s->state == THREAD_SEND_BLOCKED);
    if (s->state == THREAD_SEND_BLOCKED)
        dest_check_thread(s);
}
