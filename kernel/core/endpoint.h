/*
 * Endpoints (DEST=endpoint, see dest_endpoint.h): a rendezvous point with one queue
 * that holds either blocked senders or blocked receivers, never both (seL4's design).
 * Compiled and included only in endpoint builds.
 */
#ifndef IPCLAB_CORE_ENDPOINT_H
#define IPCLAB_CORE_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "list.h"

#define MAX_ENDPOINTS 128

enum endpoint_state {
    EP_IDLE = 0,
    EP_SENDERS,
    EP_RECEIVERS,
};

struct endpoint {
    struct link queue;
    unsigned char state;
    bool used;
    uint32_t refs;          /* capabilities that name it */
    uint64_t creator;       /* handle of the space whose quota it counts against */
};

#include "kernel.h"
#include "tcb.h"

struct space;

void endpoint_table_init(void);
/* A new endpoint with no capability yet (the caller makes the first). */
struct endpoint *endpoint_create(struct space *creator);
/* One more, or one fewer, capability names ep; the last one gone destroys it. */
void endpoint_ref(struct endpoint *ep);
void endpoint_unref(struct endpoint *ep);
/* Every live endpoint: named by some capability, its state agrees with its queue, and
 * each queued thread is blocked on it (invariant checks). */
bool endpoint_table_consistent(void);

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
