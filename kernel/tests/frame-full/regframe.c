/*
 * FRAME=full: the fast path copies the words that travel in registers from the
 * sender's saved frame into the receiver's (regframe.h), and only those: the
 * receiver's other message registers keep its own values, which the exit restores.
 */
#include "regframe.h"
#include "unit.h"

UNIT_TEST(test_regframe_copies_only_the_message)
{
    reset();
    struct tcb *from = spawn(space_a, 100), *to = spawn(space_b, 100);
    for (unsigned len = 0; len <= ABI_REG_WORDS; len++) {
        for (unsigned i = 0; i < ABI_REG_WORDS; i++) {
            *arch_regs_mr(&from->regs, i) = 0x1000 + i;
            *arch_regs_mr(&to->regs, i) = 0x2000 + i;
        }
        regframe_fast_words(from, to, len);
        unsigned copied = len < TRANSFER_REG_WORDS ? len : TRANSFER_REG_WORDS;
        unsigned bad = 0;
        for (unsigned i = 0; i < ABI_REG_WORDS; i++)
            bad += *arch_regs_mr(&to->regs, i) != (i < copied ? 0x1000u + i : 0x2000u + i);
        EXPECT_EQ(bad, 0);
        for (unsigned i = 0; i < ABI_REG_WORDS; i++)    /* the sender's frame is read only */
            bad += *arch_regs_mr(&from->regs, i) != 0x1000u + i;
        EXPECT_EQ(bad, 0);
    }
}
