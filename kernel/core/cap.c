/* Capability lookup and minting (endpoint addressing). */
#include "cap.h"

#include "kernel.h"
#include "space.h"

int cap_mint(struct space *from, uint64_t src, struct space *to, uint64_t dst,
             uint64_t badge, uint64_t rights)
{
    struct cap *c = cap_lookup(from->caps, src, CAP_ENDPOINT, 0);
    if (!c)
        return E_INVALID_CAP;
    if (dst == IPC_NIL || dst >= CAP_SLOTS || to->caps[dst].type != CAP_EMPTY)
        return E_INVALID_ARG;
    if (rights & ~CAP_RIGHTS_ALL)
        return E_INVALID_ARG;
    to->caps[dst] = *c;
    to->caps[dst].rights = (uint8_t)(c->rights & rights);
    to->caps[dst].badge = badge;
    return E_OK;
}

uint64_t cap_free_slot(struct space *s)
{
    for (uint64_t slot = 1; slot < CAP_SLOTS; slot++)
        if (s->caps[slot].type == CAP_EMPTY)
            return slot;
    return 0;
}
