/*
 * Synchronous IPC: the general path (ipc.c), the fast path (fastpath.c) and the
 * message copy they share (transfer.h).
 */
#ifndef IPCLAB_CORE_IPC_H
#define IPCLAB_CORE_IPC_H

#include "tcb.h"

/* The general path of SYS_SEND, SYS_RECV, SYS_CALL and SYS_REPLY_WAIT for the running
 * thread self. Returns the thread to run next (self if it goes on). */
struct tcb *ipc_general(struct tcb *self, unsigned op, uint64_t dest, uint64_t tag,
                        uint64_t from);

/* A send-only operation (op SYS_SEND or SYS_CLAN_FORWARD) on the general path, telling
 * the caller whether its send phase failed at once. */
struct tcb *ipc_general_send(struct tcb *self, unsigned op, uint64_t dest, uint64_t tag,
                             uint64_t *error);

/* The fast path: the thread to switch to, or NULL to take the general path. */
struct tcb *fastpath_call(uint64_t dest, uint64_t tag);
struct tcb *fastpath_reply_wait(uint64_t dest, uint64_t tag, uint64_t from);

/* A blocked thread's wait ends (it is woken, aborted or killed): take it out of the
 * sender or endpoint queue it waits in and the wake-up queue, if any. */
void ipc_leave_wait_queue(struct tcb *t);

/* Wake a blocked thread with an error (partner died, ...). */
void ipc_abort(struct tcb *t, uint64_t error);

/* A sender the kernel animates (an interrupt line's pseudo-thread, irq_ipc.c) sends
 * tag to the resolved target t: to its waiting receiver, which it returns made
 * runnable, or it queues there like a blocked sender (NULL). */
struct send_target;
struct tcb *ipc_kernel_send(struct tcb *sender, const struct send_target *t, uint64_t tag);

/* Who runs after self (still running, or just blocked) made `woken` (or nobody)
 * runnable: the direct-switch rule of switch.h, else the scheduler. For the other
 * objects that wake threads (notifications). */
struct tcb *ipc_schedule(struct tcb *self, struct tcb *woken);

#endif
