/*
 * Endpoints (DEST=endpoint, see dest_endpoint.h): a rendezvous point with one queue
 * that holds either blocked senders or blocked receivers, never both (seL4's design).
 * Compiled and included only in endpoint builds.
 */
#ifndef IPCLAB_CORE_ENDPOINT_H
#define IPCLAB_CORE_ENDPOINT_H

#include <stdbool.h>

#include "list.h"

#define MAX_ENDPOINTS 64

enum endpoint_state {
    EP_IDLE = 0,
    EP_SENDERS,
    EP_RECEIVERS,
};

struct endpoint {
    struct link queue;
    unsigned char state;
    bool used;
};

#include "kernel.h"
#include "tcb.h"

void endpoint_table_init(void);
struct endpoint *endpoint_create(void);

/* The queue operations are inline: the IPC fast path may call nothing out of line. */

/* Queue t on ep as a sender or receiver; ep must be idle or hold the same kind. */
static inline void endpoint_enqueue(struct endpoint *ep, struct tcb *t,
                                    enum endpoint_state as)
{
    ASSERT(ep->state == EP_IDLE || ep->state == as);
    ASSERT(t->blocked_on == NULL);
    ASSERT((ep->state == EP_IDLE) == list_empty(&ep->queue));
    list_add_tail(&ep->queue, &t->wait_link);
    ep->state = (unsigned char)as;
    t->blocked_on = ep;
}

/* Remove t from whatever position it holds in ep's queue. */
static inline void endpoint_remove(struct endpoint *ep, struct tcb *t)
{
    ASSERT(t->blocked_on == ep);
    ASSERT(ep->state != EP_IDLE);
    list_remove(&t->wait_link);
    t->blocked_on = NULL;
    if (list_empty(&ep->queue))
        ep->state = EP_IDLE;
}

/* The first queued thread, removed. ep must not be idle. */
static inline struct tcb *endpoint_dequeue(struct endpoint *ep)
{
    struct tcb *t = container_of(ep->queue.next, struct tcb, wait_link);
    endpoint_remove(ep, t);
    return t;
}

#endif
