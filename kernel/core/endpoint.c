/* Endpoint objects and their single wait queue. */
#include "endpoint.h"

#include "kernel.h"
#include "tcb.h"

#if CONFIG_DEST_ENDPOINT

static struct endpoint endpoints[MAX_ENDPOINTS];

struct endpoint *endpoint_create(void)
{
    for (unsigned i = 0; i < MAX_ENDPOINTS; i++) {
        struct endpoint *ep = &endpoints[i];
        if (!ep->used) {
            ep->used = true;
            ep->state = EP_IDLE;
            list_init(&ep->queue);
            return ep;
        }
    }
    return NULL;
}

void endpoint_enqueue(struct endpoint *ep, struct tcb *t, enum endpoint_state as)
{
    list_add_tail(&ep->queue, &t->wait_link);
    ep->state = (unsigned char)as;
    t->blocked_on = ep;
}

void endpoint_remove(struct endpoint *ep, struct tcb *t)
{
    list_remove(&t->wait_link);
    t->blocked_on = NULL;
    if (list_empty(&ep->queue))
        ep->state = EP_IDLE;
}

struct tcb *endpoint_dequeue(struct endpoint *ep)
{
    struct tcb *t = container_of(ep->queue.next, struct tcb, wait_link);
    endpoint_remove(ep, t);
    return t;
}

#endif
