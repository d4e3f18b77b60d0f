/*
 * Endpoint objects and their single wait queue (DEST=endpoint). An endpoint lives as
 * long as some capability names it: the last one deleted destroys it, every thread
 * queued on it is released with E_ABORTED, and its creator gets its quota back.
 */
#include "endpoint.h"

#include "ipc.h"
#include "kernel.h"
#include "space.h"
#include "tcb.h"

static struct endpoint endpoints[MAX_ENDPOINTS];

void endpoint_table_init(void)
{
    memset(endpoints, 0, sizeof(endpoints));
}

struct endpoint *endpoint_create(struct space *creator)
{
    for (unsigned i = 0; i < MAX_ENDPOINTS; i++) {
        struct endpoint *ep = &endpoints[i];
        if (!ep->used) {
            ep->used = true;
            ep->state = EP_IDLE;
            ep->refs = 0;
            ep->creator = creator->handle;
            list_init(&ep->queue);
            return ep;
        }
    }
    return NULL;
}

void endpoint_ref(struct endpoint *ep)
{
    ASSERT(ep->used);
    ep->refs++;
}

void endpoint_unref(struct endpoint *ep)
{
    ASSERT(ep->used && ep->refs > 0);
    if (--ep->refs)
        return;
    while (!list_empty(&ep->queue))
        ipc_abort(container_of(ep->queue.next, struct tcb, wait_link), E_ABORTED);
    ASSERT(ep->state == EP_IDLE);
    /* The creator's handle, not a pointer: a destroyed creator's slot may hold a new
     * task by now, which must not inherit the quota. */
    struct space *creator = space_lookup(ep->creator);
    if (creator)
        creator->object_quota++;
    ep->used = false;
}

bool endpoint_table_consistent(void)
{
    for (unsigned i = 0; i < MAX_ENDPOINTS; i++) {
        const struct endpoint *ep = &endpoints[i];
        if (!ep->used)
            continue;
        if (!ep->refs || (ep->state == EP_IDLE) != list_empty(&ep->queue))
            return false;
        for (const struct link *l = ep->queue.next; l != &ep->queue; l = l->next)
            if (container_of(l, struct tcb, wait_link)->blocked_on != ep)
                return false;
    }
    return true;
}
