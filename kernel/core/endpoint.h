/*
 * Endpoints (endpoint addressing): a rendezvous point with one queue that holds
 * either blocked senders or blocked receivers, never both (seL4's design).
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

struct tcb;

struct endpoint *endpoint_create(void);
/* Queue t on ep as a sender or receiver; ep must be idle or hold the same kind. */
void endpoint_enqueue(struct endpoint *ep, struct tcb *t, enum endpoint_state as);
/* The first queued thread, removed. ep must not be idle. */
struct tcb *endpoint_dequeue(struct endpoint *ep);
/* Remove t from whatever position it holds in ep's queue. */
void endpoint_remove(struct endpoint *ep, struct tcb *t);

#endif
