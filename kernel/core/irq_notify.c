/*
 * IRQ=notify (irq.h): an interrupt is a signal of the notification its registration
 * named, with that capability's badge ORed into the word (seL4's IRQ handler bound to
 * a notification). The line holds a reference, so the notification outlives it. Needs
 * NOTIFY=notify (axes.conf).
 */
#include "irq.h"

#include "cap.h"
#include "kernel.h"
#include "notification.h"
#include "space.h"
#include "tcb.h"

static struct {
    struct notification *ntfn;
    uint64_t badge;
} targets[IRQ_MAX_LINES];

uint64_t irq_attach(struct tcb *self, unsigned line, uint64_t object)
{
    struct cap *c = cap_lookup(self->space->caps, object, CAP_NOTIFICATION, CAP_RIGHT_SEND);
    if (!c)
        return E_INVALID_CAP;
    targets[line].ntfn = c->ntfn;
    targets[line].badge = c->badge;
    notification_ref(c->ntfn);
    return E_OK;
}

void irq_detach(unsigned line)
{
    notification_unref(targets[line].ntfn);
    targets[line].ntfn = NULL;
}

struct tcb *irq_deliver(unsigned line)
{
    return notification_signal(targets[line].ntfn, targets[line].badge);
}

void irq_check_delivery(unsigned line, bool registered)
{
    ASSERT(registered == (targets[line].ntfn != NULL));
    ASSERT(!registered || targets[line].ntfn->used);
}
