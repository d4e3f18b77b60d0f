/*
 * The REPLY axis (DEST=endpoint): how a callee holds the right to reply to the caller
 * whose call it took. dest_endpoint.h calls the operations below and never tests the
 * axis; each alternative is one header, side by side:
 *
 *   reply_pointer.h  the callee's TCB points at the caller (tcb->reply_to)
 *   reply_cap.h      a one-shot reply capability in the callee's caller slot, derived
 *                    from the caller's master reply capability, as in seL4 (non-MCS)
 *
 * Both define (and tcb.h holds the fields each needs, REPLY_TCB_FIELDS):
 *   reply_thread_init(t), reply_thread_exit(t)   a thread is made; a thread dies
 *   reply_grant(caller, callee)    a call was taken: callee may reply to caller once
 *   reply_holder(t)                whom t may reply to (NULL: nobody)
 *   reply_take(t)                  the general path's reply: the caller, right used up
 *   reply_drop(t)                  t starts a receive (seL4 deletes its caller cap there)
 *   reply_forget(t, dead)          dead dies: t's right to reply to it goes
 *   reply_fast_target(t, &to), reply_fast_consume(t)    the fast path's check and commit
 *   reply_check(t)                 invariants (debug builds)
 */
#ifndef IPCLAB_CORE_REPLY_H
#define IPCLAB_CORE_REPLY_H

#include "config.h"

#if CONFIG_REPLY_POINTER
#include "reply_pointer.h"
#else
#include "reply_cap.h"
#endif

#endif
