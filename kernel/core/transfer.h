/*
 * Message transfer, the MESSAGE TRANSFER axis: how len words get from sender to
 * receiver. Both IPC paths use this one definition.
 *   regs  - registers only: the words are in the sender's saved frame.
 *   vregs - the first ABI_REG_WORDS in registers, the rest from the sender's UTCB to the
 *           receiver's (both pinned, so the kernel copies without faults).
 *   mem   - every word from UTCB to UTCB.
 * The UTCB copies go a word at a time: the messages are short and word-aligned, and a
 * call to a general memcpy would cost more than the copy.
 */
#ifndef IPCLAB_CORE_TRANSFER_H
#define IPCLAB_CORE_TRANSFER_H

#include "kernel.h"
#include "tcb.h"

/* Message words first..len-1 from the sender's UTCB to the receiver's. */
static inline void transfer_utcb_words(struct tcb *from, struct tcb *to, uint64_t first,
                                       uint64_t len)
{
    for (uint64_t i = first; i < len; i++)
        to->utcb->mr[i] = from->utcb->mr[i];
}

static inline void transfer_message(struct tcb *from, struct tcb *to, uint64_t len)
{
#if CONFIG_TRANSFER_REGS || CONFIG_TRANSFER_VREGS
    uint64_t in_regs = len < ABI_REG_WORDS ? len : ABI_REG_WORDS;
    for (uint64_t i = 0; i < in_regs; i++)
        *arch_regs_mr(&to->regs, i) = *arch_regs_mr(&from->regs, i);
#endif
#if CONFIG_TRANSFER_VREGS
    transfer_utcb_words(from, to, ABI_REG_WORDS, len);
#elif CONFIG_TRANSFER_MEM
    transfer_utcb_words(from, to, 0, len);
#endif
}

#endif
