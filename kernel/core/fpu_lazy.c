/* FPU=lazy: the owner of the FPU registers and the first-use trap (fpu.h). */
#include "fpu.h"

#include "kernel.h"

struct tcb *fpu_owner;
bool fpu_enabled;

void fpu_init_owner(void)
{
    fpu_owner = NULL;
    fpu_enabled = false;
    arch_fpu_disable();
}

void fpu_first_use(struct tcb *t)
{
    arch_fpu_enable();           /* the kernel's own save and restore must not trap */
    fpu_enabled = true;
    if (fpu_owner == t)
        return;                  /* (it was off by mistake: nothing to move) */
    if (fpu_owner)
        arch_fpu_save(&fpu_owner->fpu_state);
    if (t->fpu_used)
        arch_fpu_restore(&t->fpu_state);
    else
        arch_fpu_reset();        /* a clean state: the old owner's values never leak */
    t->fpu_used = true;
    fpu_owner = t;
}

void fpu_thread_exit(struct tcb *t)
{
    t->fpu_used = false;
    if (fpu_owner != t)
        return;
    /* Its values stay in the registers until the next user's first use replaces them
     * all (restore or reset), so turning the FPU off is enough. */
    fpu_owner = NULL;
    fpu_enabled = false;
    arch_fpu_disable();
}
