/* Notification objects: see notification.h; the NOTIFY axis: notify.h. */
#include "notification.h"

#include "cap.h"
#include "cspace.h"
#include "dest.h"
#include "ipc.h"
#include "kernel.h"
#include "sched.h"
#include "space.h"
#include "tcb.h"

static struct notification notifications[MAX_NOTIFICATIONS];

void notification_table_init(void)
{
    memset(notifications, 0, sizeof(notifications));
}

/* The notification in self's slot, if the capability grants `rights`. */
static struct notification *lookup(struct tcb *self, uint64_t slot, unsigned rights,
                                   uint64_t *badge)
{
    struct cap *c = cspace_lookup(self->space, slot, CAP_NOTIFICATION, rights);
    if (!c)
        return NULL;
    if (badge)
        *badge = c->badge;
    return c->ntfn;
}

static uint64_t create(struct tcb *self, uint64_t *slot)
{
    struct space *s = self->space;
    if (!s->object_quota)
        return E_QUOTA;
    uint64_t free_slot = cap_free_slot(s);
    if (!free_slot)
        return E_NO_MEMORY;
    for (unsigned i = 0; i < MAX_NOTIFICATIONS; i++) {
        struct notification *n = &notifications[i];
        if (n->used)
            continue;
        *n = (struct notification){.used = true, .creator = s->handle, .refs = 1};
        list_init(&n->waiters);
        s->object_quota--;
        *cspace_slot(s, free_slot) = (struct cap){.type = CAP_NOTIFICATION,
                                                  .rights = CAP_RIGHTS_ALL, .ntfn = n};
        *slot = free_slot;
        return E_OK;
    }
    return E_NO_MEMORY;
}

/* t takes the word (and what this signal adds) and runs: from a wait, or from an open
 * receive that its bound notification ends. */
static void deliver(struct notification *n, struct tcb *t, uint64_t bits, uint64_t tag)
{
    arch_regs_set_result(&t->regs, E_OK, n->word | bits, tag);
    n->word = 0;
    t->state = THREAD_READY;
}

/* Never blocks: one waiter, else the bound thread in an open receive, else the word. */
struct tcb *notification_signal(struct notification *n, uint64_t badge)
{
    uint64_t bits = badge ? badge : 1;
    if (!list_empty(&n->waiters)) {
        struct tcb *w = container_of(n->waiters.next, struct tcb, wait_link);
        list_remove(&w->wait_link);
        w->waiting_on = NULL;
        deliver(n, w, bits, 0);
        return w;
    }
    struct tcb *b = n->bound;
    if (b && dest_open_receive(b)) {
        ipc_leave_wait_queue(b);    /* its receive's timeout too, if one runs */
        deliver(n, b, bits, TAG_NOTIFICATION);
        return b;
    }
    n->word |= bits;
    return NULL;
}

static uint64_t wait(struct tcb *self, struct notification *n, uint64_t *value,
                     struct tcb **next)
{
    if (n->bound && n->bound != self)
        return E_NO_PERMISSION;     /* a bound notification is its thread's alone */
    if (n->word) {
        *value = n->word;
        n->word = 0;
        return E_OK;
    }
    self->state = THREAD_NOTIFY_BLOCKED;
    self->waiting_on = n;
    list_add_tail(&n->waiters, &self->wait_link);
    *next = ipc_schedule(self, NULL);
    return E_OK;
}

static uint64_t bind(struct tcb *self, uint64_t slot)
{
    if (slot == IPC_NIL) {
        if (self->bound)
            self->bound->bound = NULL;
        self->bound = NULL;
        return E_OK;
    }
    struct notification *n = lookup(self, slot, CAP_RIGHT_RECV, NULL);
    if (!n)
        return E_INVALID_CAP;
    if (n->bound && n->bound != self)
        return E_NO_PERMISSION;     /* another thread's alone, as for wait and poll */
    if (self->bound && self->bound != n)
        return E_INVALID_ARG;       /* one notification per thread */
    if (!list_empty(&n->waiters))
        return E_INVALID_ARG;       /* others wait on it: it cannot become one's own */
    n->bound = self;
    self->bound = n;
    return E_OK;
}

uint64_t notification_syscall(struct tcb *self, uint64_t nr, uint64_t a0, uint64_t *value,
                              struct tcb **next)
{
    uint64_t badge = 0;
    struct notification *n;
    switch (nr) {
    case SYS_NOTIFY_CREATE:
        return create(self, value);
    case SYS_SIGNAL:
        if (!(n = lookup(self, a0, CAP_RIGHT_SEND, &badge)))
            return E_INVALID_CAP;
        *next = ipc_schedule(self, notification_signal(n, badge));
        return E_OK;
    case SYS_WAIT:
        if (!(n = lookup(self, a0, CAP_RIGHT_RECV, NULL)))
            return E_INVALID_CAP;
        return wait(self, n, value, next);
    case SYS_POLL:
        if (!(n = lookup(self, a0, CAP_RIGHT_RECV, NULL)))
            return E_INVALID_CAP;
        if (n->bound && n->bound != self)
            return E_NO_PERMISSION;
        if (!n->word)
            return E_WOULD_BLOCK;
        *value = n->word;
        n->word = 0;
        return E_OK;
    case SYS_NOTIFY_BIND:
        return bind(self, a0);
    default:
        return E_INVALID_SYSCALL;
    }
}

bool notification_take_bound(struct tcb *self)
{
    struct notification *n = self->bound;
    if (!n->word)
        return false;
    deliver(n, self, 0, TAG_NOTIFICATION);
    return true;
}

void notification_thread_exit(struct tcb *t)
{
    if (t->waiting_on) {
        list_remove(&t->wait_link);
        t->waiting_on = NULL;
    }
    if (t->bound) {
        t->bound->bound = NULL;
        t->bound = NULL;
    }
}

void notification_ref(struct notification *n)
{
    ASSERT(n->used);
    n->refs++;
}

/* The last capability gone: waiters are released with E_ABORTED, the bound thread is
 * unbound, and the creator gets its quota back. */
void notification_unref(struct notification *n)
{
    ASSERT(n->used && n->refs > 0);
    if (--n->refs)
        return;
    while (!list_empty(&n->waiters)) {
        struct tcb *w = container_of(n->waiters.next, struct tcb, wait_link);
        list_remove(&w->wait_link);
        w->waiting_on = NULL;
        arch_regs_set_result(&w->regs, E_ABORTED, 0, 0);
        w->state = THREAD_READY;
        sched_wake(w);
    }
    if (n->bound) {
        n->bound->bound = NULL;
        n->bound = NULL;
    }
    struct space *creator = space_lookup(n->creator);
    if (creator)
        creator->object_quota++;
    n->used = false;
}

void notification_check_thread(const struct tcb *t)
{
    if (t->state == THREAD_NOTIFY_BLOCKED) {
        ASSERT(t->waiting_on && t->waiting_on->used);
        ASSERT(list_contains(&t->waiting_on->waiters, &t->wait_link));
    } else {
        ASSERT(t->waiting_on == NULL);
    }
    if (t->bound) {
        ASSERT(t->bound->used);
        ASSERT(t->bound->bound == t);
    }
}
