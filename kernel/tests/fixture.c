/* A fresh kernel for each test, threads in it, and message words (see unit.h). */
#include "syscall.h"
#include "transfer.h"
#include "unit.h"

#define POOL_FRAMES 256
static unsigned char frame_pool[POOL_FRAMES * FRAME_SIZE] __attribute__((aligned(4096)));
static uint64_t next_utcb;
struct space *space_a, *space_b;

void reset(void)
{
    frame_init((uint64_t)(uintptr_t)frame_pool,
               (uint64_t)(uintptr_t)frame_pool + sizeof(frame_pool));
    kernel_objects_init();
    next_utcb = USER_BASE;
    space_a = space_create(NULL);       /* as the root task's */
    space_b = space_create(space_a);    /* a task the root task created */
    root_space = space_a;               /* what the root task alone may do, space_a may */
    current = NULL;
}

struct tcb *spawn_inactive(struct space *s, unsigned prio)
{
    int error;
    struct tcb *t = thread_create(s, next_utcb, prio, &error);
    next_utcb += FRAME_SIZE;
    EXPECT(t != NULL);
    return t;
}

struct tcb *spawn(struct space *s, unsigned prio)
{
    struct tcb *t = spawn_inactive(s, prio);
    thread_start(t, USER_BASE, USER_BASE, 0);
    return t;
}

struct tcb *sys_call(struct tcb *t, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    t->regs.syscall = nr;
    t->regs.arg[0] = a0;
    t->regs.arg[1] = a1;
    t->regs.arg[2] = a2;
    current = t;
    return syscall_dispatch(t);
}

uint64_t result_error(struct tcb *t)
{
    return arch_regs_syscall(&t->regs);
}

uint64_t result_value(struct tcb *t, unsigned n)
{
    return arch_regs_arg(&t->regs, n);
}

/* Where message word i travels: a register for the first TRANSFER_REG_WORDS (none
 * under mem transfer), the UTCB after them. */
static uint64_t *word_slot(struct tcb *t, unsigned i)
{
    uint64_t in_registers = TRANSFER_REG_WORDS;
    return i < in_registers ? arch_regs_mr(&t->regs, i) : &t->utcb->mr[i];
}

void put_words(struct tcb *t, unsigned len, uint64_t seed)
{
    for (unsigned i = 0; i < len; i++)
        *word_slot(t, i) = seed * 1000 + i;
}

unsigned words_match(struct tcb *t, unsigned len, uint64_t seed)
{
    unsigned bad = 0;
    for (unsigned i = 0; i < len; i++)
        bad += *word_slot(t, i) != seed * 1000 + i;
    return bad;
}
