/*
 * CSPACE=flat: a capability address is the index of a slot in the task's table of
 * CAP_SLOTS capabilities (cap.h), checked against the table's bound. The operations
 * are those listed in cspace.h; cspace_guarded.h is the other alternative.
 */
#ifndef IPCLAB_CORE_CSPACE_FLAT_H
#define IPCLAB_CORE_CSPACE_FLAT_H

#include "cap.h"
#include "space.h"

static inline void cspace_init(struct space *s)
{
    (void)s;
}

static inline struct cap *cspace_slot(struct space *s, uint64_t cptr)
{
    if (cptr == IPC_NIL || cptr >= CAP_SLOTS)
        return NULL;
    return &s->caps[cptr];
}

static inline struct cap *cspace_lookup(struct space *s, uint64_t cptr, unsigned type,
                                        unsigned rights)
{
    return cap_lookup(s->caps, cptr, type, rights);
}

static inline uint64_t cspace_address(uint64_t index)
{
    return index;
}

#endif
