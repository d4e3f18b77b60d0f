/* Endpoint objects and their single wait queue. */
#include "endpoint.h"

#include "kernel.h"
#include "tcb.h"

static struct endpoint endpoints[MAX_ENDPOINTS];

void endpoint_table_init(void)
{
    memset(endpoints, 0, sizeof(endpoints));
}

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
