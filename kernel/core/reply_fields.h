/*
 * The TCB fields of the REPLY axis (reply.h), for tcb.h: the one place that tests
 * the axis outside the two alternatives' headers, because a struct cannot be split.
 */
#ifndef IPCLAB_CORE_REPLY_FIELDS_H
#define IPCLAB_CORE_REPLY_FIELDS_H

#include <stdbool.h>

#include "cap.h"
#include "config.h"

#if CONFIG_REPLY_POINTER
#define REPLY_TCB_FIELDS                                                               \
    struct tcb *reply_to;        /* the caller this thread owes a reply, if any */
#else
/* A capability slot with its links in the derivation tree (seL4's CTE and MDB node). */
struct reply_slot {
    struct cap cap;
    struct reply_slot *parent;   /* the slot this capability was derived from */
    struct reply_slot *child;    /* the capability derived from this one, if any */
    bool revocable;              /* deleting or revoking it deletes what derives from it */
};
#define REPLY_TCB_FIELDS                                                               \
    struct reply_slot caller_slot;  /* the reply capability this thread holds */       \
    struct reply_slot reply_master; /* names this thread; parent of the reply right to it */
#endif

#endif
