/*
 * The FRAME axis on the fast path: where the message words that travel in registers
 * are while the kernel switches threads.
 *   partial - the entry saves only what the fast path needs and leaves the message
 *             registers in the CPU (the fast path is compiled never to touch them),
 *             so they reach the receiver as they are: nothing to do here.
 *   full    - the entry saves every user register and the exit restores the
 *             receiver's whole frame (arch/<arch>/syscall_entry.S), so the words must
 *             be copied from the sender's frame into the receiver's, and the receiver's
 *             registers past the message keep its own values (the ABI then says so).
 * The general path copies frame to frame under both values (transfer.h).
 */
#ifndef IPCLAB_CORE_REGFRAME_H
#define IPCLAB_CORE_REGFRAME_H

#include "config.h"
#include "transfer.h"

static inline void regframe_fast_words(struct tcb *from, struct tcb *to, uint64_t len)
{
#if CONFIG_FRAME_FULL
    /* The fast path takes at most TRANSFER_REG_WORDS register words (none under mem
     * transfer, where every word goes from UTCB to UTCB). */
    transfer_reg_words(from, to, min_words(len, TRANSFER_REG_WORDS));
#else
    (void)from;
    (void)to;
    (void)len;
#endif
}

#endif
