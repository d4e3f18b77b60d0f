/*
 * The TIMEOUTS axis: which timeouts the two phases of an IPC may take (the lesson "IPC
 * timeouts"). The tag carries them (abi.h: bits 32-47 send, 48-63 receive; bits 8 and 9
 * the zero timeouts).
 *   zeroinf - zero or infinity only, as seL4: the tag has no timeout fields, so bits
 *             32-63 are reserved and ignored like every other reserved bit (a phase
 *             without its non-blocking bit waits for ever); every hook below is empty,
 *             so the axis at its default costs no instruction on any path. (Refusing
 *             a non-zero field would cost the general path 1-3 instructions per IPC,
 *             measured: the baseline's nofast variants moved by that much.)
 *   full    - a finite timeout in timer ticks per phase: a thread that blocks with one
 *             is put in the wake-up queue (timeout.c), ordered by deadline; the tick
 *             that reaches its deadline ends the phase with E_TIMEOUT and takes the
 *             thread off every queue. Any other end of the wait takes it out of the
 *             wake-up queue (ipc.c's make_ready and ipc_leave_wait_queue).
 * The IPC paths call these hooks and never test the axis. The fast path never takes a
 * finite timeout (its tag check refuses bits 32-63) and declines a partner whose
 * timeout is running, so the general path is the one place a timeout is armed or
 * cancelled; with timeouts compiled in that decline is the fast path's one extra check.
 */
#ifndef IPCLAB_CORE_TIMEOUTS_H
#define IPCLAB_CORE_TIMEOUTS_H

#include "config.h"
#include "kernel.h"
#include "tcb.h"

#if CONFIG_TIMEOUTS_FULL
/* timeout.c: the wake-up queue. */
void timeout_arm(struct tcb *t, uint64_t ticks);
void timeout_cancel(struct tcb *t);
bool timeout_tick(const struct tcb *running);
void timeout_check_thread(const struct tcb *t);
void timeout_queue_init(void);
bool timeout_queue_consistent(void);

/* A finite timeout must be in range and cannot go with the same phase's zero-timeout
 * bit; reply-and-wait's send phase never blocks, so it takes no send timeout. */
static inline bool timeouts_tag_ok(unsigned op, uint64_t tag)
{
    uint64_t send = tag_send_timeout(tag), recv = tag_recv_timeout(tag);
    if (!(send | recv))
        return true;
    if (send > TIMEOUT_MAX_TICKS || recv > TIMEOUT_MAX_TICKS)
        return false;
    if ((send && ((tag & TAG_SEND_NONBLOCK) || op == SYS_REPLY_WAIT)) ||
        (recv && (tag & TAG_RECV_NONBLOCK)))
        return false;
    return true;
}

/* t just blocked in a phase whose timeout is `ticks` (0: infinity). */
static inline void timeouts_arm(struct tcb *t, uint64_t ticks)
{
    if (ticks)
        timeout_arm(t, ticks);
}

/* A sender blocks: its send timeout runs; a caller's receive timeout waits until its
 * message is taken. */
static inline void timeouts_block_sending(struct tcb *t, uint64_t tag)
{
    t->call_recv_timeout = (uint16_t)tag_recv_timeout(tag);
    timeouts_arm(t, tag_send_timeout(tag));
}

/* A blocked caller's message was taken: the send timeout is over, the receive
 * timeout of its call starts. */
static inline void timeouts_caller_awaits_reply(struct tcb *t)
{
    timeout_cancel(t);
    timeouts_arm(t, t->call_recv_timeout);
}

/* t's wait ended some other way (a partner, an abort, its death). */
static inline void timeouts_cancel(struct tcb *t)
{
    if (t->deadline)
        timeout_cancel(t);
}

/* The fast path switches to `to` without the general path's bookkeeping: only if no
 * timeout of its runs. */
static inline bool timeouts_fast_ok(const struct tcb *to)
{
    return !to->deadline;
}

/* One timer tick: expire what is due. True when a thread it woke outranks `running`
 * (NULL: the kernel was idle). */
static inline bool timeouts_tick(const struct tcb *running)
{
    return timeout_tick(running);
}

static inline void timeouts_check_thread(const struct tcb *t)
{
    timeout_check_thread(t);
}

static inline void timeouts_objects_init(void)
{
    timeout_queue_init();
}

static inline bool timeouts_consistent(void)
{
    return timeout_queue_consistent();
}

#else /* CONFIG_TIMEOUTS_ZEROINF */
/* No timeout fields: nothing in the tag to refuse (see the top of this file). */
static inline bool timeouts_tag_ok(unsigned op, uint64_t tag)
{
    (void)op;
    (void)tag;
    return true;
}

static inline void timeouts_arm(struct tcb *t, uint64_t ticks)
{
    (void)t;
    (void)ticks;
}

static inline void timeouts_block_sending(struct tcb *t, uint64_t tag)
{
    (void)t;
    (void)tag;
}

static inline void timeouts_caller_awaits_reply(struct tcb *t)
{
    (void)t;
}

static inline void timeouts_cancel(struct tcb *t)
{
    (void)t;
}

static inline bool timeouts_fast_ok(const struct tcb *to)
{
    (void)to;
    return true;
}

static inline bool timeouts_tick(const struct tcb *running)
{
    (void)running;
    return false;
}

static inline void timeouts_check_thread(const struct tcb *t)
{
    (void)t;
}

static inline void timeouts_objects_init(void)
{
}

static inline bool timeouts_consistent(void)
{
    return true;
}
#endif

#endif
