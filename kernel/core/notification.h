/*
 * Notification objects (NOTIFY=notify, see notify.h): a word of bits, signalled without
 * blocking and waited on, as seL4 has them. A signal ORs the signalling capability's
 * badge into the word and wakes one waiter, which takes and clears the word; a
 * notification can be bound to a thread, so that the thread waiting in an open IPC
 * receive also wakes on a signal (how a single-threaded server waits for requests and
 * events at once). Compiled only in notify builds.
 */
#ifndef IPCLAB_CORE_NOTIFICATION_H
#define IPCLAB_CORE_NOTIFICATION_H

#include <stdbool.h>
#include <stdint.h>

#include "list.h"

#define MAX_NOTIFICATIONS 64

struct tcb;
struct cap;
struct space;

struct notification {
    uint64_t word;          /* bits signalled and not yet taken */
    struct link waiters;    /* threads blocked in SYS_WAIT, first come first served */
    struct tcb *bound;      /* the thread whose open receives it also wakes, or NULL */
    uint32_t refs;          /* capabilities that name it */
    uint64_t creator;       /* handle of the space whose quota it counts against */
    bool used;
};

void notification_table_init(void);
/* SYS_NOTIFY_CREATE, SYS_SIGNAL, SYS_WAIT, SYS_POLL, SYS_NOTIFY_BIND. */
uint64_t notification_syscall(struct tcb *self, uint64_t nr, uint64_t a0, uint64_t *value,
                              struct tcb **next);
/* OR bits (the badge, 1 if none) in: wake one waiter, else the bound thread in an open
 * receive, else keep them. Never blocks; the thread it made runnable (READY, not
 * queued), or NULL. For SYS_SIGNAL and for interrupts (IRQ=notify). */
struct tcb *notification_signal(struct notification *n, uint64_t badge);
/* self, about to receive, takes its bound notification's bits if any are set. */
bool notification_take_bound(struct tcb *self);
void notification_thread_exit(struct tcb *t);
void notification_ref(struct notification *n);
void notification_unref(struct notification *n);
/* Invariant checks: t's notification state agrees with the objects. */
void notification_check_thread(const struct tcb *t);

#endif
