/* Capability minting and deletion; the rule is stated in cap.h and abi.h. */
#include "cap.h"

#include "cspace.h"
#include "dest.h"
#include "kernel.h"
#include "notify.h"
#include "space.h"

/* A capability was copied or deleted: its object's count of them follows. */
static void object_copied(struct cap *c)
{
    if (c->type == CAP_ENDPOINT)
        dest_cap_copied(c);
    else if (c->type == CAP_NOTIFICATION)
        notify_cap_copied(c->ntfn);
}

static void object_deleted(struct cap *c)
{
    if (c->type == CAP_ENDPOINT)
        dest_cap_deleted(c);
    else if (c->type == CAP_NOTIFICATION)
        notify_cap_deleted(c->ntfn);
}

int cap_mint(struct space *actor, uint64_t src, struct space *to, uint64_t dst,
             uint64_t badge, uint64_t rights)
{
    if (to != actor && !space_may_control(actor, to))
        return E_NO_PERMISSION;      /* no injection into a task one did not create */
    struct cap *c = cspace_slot(actor, src);
    /* Only IPC objects are copied: CNodes and reply rights are the kernel's to make. */
    if (!c || (c->type != CAP_ENDPOINT && c->type != CAP_NOTIFICATION))
        return E_INVALID_CAP;
    struct cap *copy = cspace_slot(to, dst);
    if (!copy || copy->type != CAP_EMPTY)
        return E_INVALID_ARG;
    if (rights & ~CAP_RIGHTS_ALL)
        return E_INVALID_ARG;
    if (c->badge && badge && badge != c->badge)
        return E_NO_PERMISSION;      /* no badge forgery: a badged source keeps its badge */
    *copy = *c;
    copy->rights = (uint8_t)(c->rights & rights);
    copy->badge = badge ? badge : c->badge;
    object_copied(copy);
    return E_OK;
}

int cap_delete(struct space *s, uint64_t slot)
{
    struct cap *c = cspace_slot(s, slot);
    if (!c || c->type == CAP_EMPTY)
        return E_INVALID_CAP;
    struct cap gone = *c;
    *c = (struct cap){.type = CAP_EMPTY};
    object_deleted(&gone);
    return E_OK;
}

uint64_t cap_free_slot(struct space *s)
{
    for (uint64_t slot = 1; slot < CAP_SLOTS; slot++)
        if (s->caps[slot].type == CAP_EMPTY)
            return cspace_address(slot);
    return 0;
}
