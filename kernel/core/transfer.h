/*
 * Message transfer, the TRANSFER axis: how len words get from sender to receiver.
 * Both IPC paths use this one definition, and nothing else in the kernel tests the axis.
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

/* Message words 0..n-1 from the sender's saved registers to the receiver's. */
static inline void transfer_reg_words(struct tcb *from, struct tcb *to, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        *arch_regs_mr(&to->regs, i) = *arch_regs_mr(&from->regs, i);
}

static inline uint64_t min_words(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

#if CONFIG_TRANSFER_REGS
/* TRANSFER_REG_WORDS: how many leading words travel in registers (the kernel info page
 * tells user code); TRANSFER_MAX_WORDS: the longest message accepted. */
#define TRANSFER_REG_WORDS ABI_REG_WORDS
#define TRANSFER_MAX_WORDS ABI_REG_WORDS

static inline void transfer_message(struct tcb *from, struct tcb *to, uint64_t len)
{
    transfer_reg_words(from, to, min_words(len, ABI_REG_WORDS));
}

/* The fast path takes at most ABI_REG_WORDS words and copies none: they stay in the
 * CPU's message registers, which it never touches (see <arch/regs.h>). */
static inline void transfer_fast(struct tcb *from, struct tcb *to, uint64_t len)
{
    (void)from;
    (void)to;
    (void)len;
}

#elif CONFIG_TRANSFER_VREGS
#define TRANSFER_REG_WORDS ABI_REG_WORDS
#define TRANSFER_MAX_WORDS ABI_UTCB_WORDS

static inline void transfer_message(struct tcb *from, struct tcb *to, uint64_t len)
{
    transfer_reg_words(from, to, min_words(len, ABI_REG_WORDS));
    transfer_utcb_words(from, to, ABI_REG_WORDS, len);
}

static inline void transfer_fast(struct tcb *from, struct tcb *to, uint64_t len)
{
    (void)from;
    (void)to;
    (void)len;
}

#else /* CONFIG_TRANSFER_MEM */
#define TRANSFER_REG_WORDS 0
#define TRANSFER_MAX_WORDS ABI_UTCB_WORDS

static inline void transfer_message(struct tcb *from, struct tcb *to, uint64_t len)
{
    transfer_utcb_words(from, to, 0, len);
}

static inline void transfer_fast(struct tcb *from, struct tcb *to, uint64_t len)
{
    transfer_utcb_words(from, to, 0, len);
}
#endif

#endif
