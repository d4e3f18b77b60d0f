/*
 * The kernel's object invariants, swept in full: debug builds run the sweep at every
 * exit of the general system-call path and at every timer tick (dispatch.c), so a
 * fuzzer's random calls find a broken queue or a stale link at the call that broke
 * it, as a PANIC naming the condition, rather than much later as corrupted memory.
 * Measured builds never run it.
 */
#include "invariants.h"

#include "commctl.h"
#include "dest.h"
#include "irq.h"
#include "kernel.h"
#include "notify.h"
#include "sched.h"
#include "space.h"
#include "thread.h"
#include "timeouts.h"
#include "usched.h"

void kernel_check_invariants(void)
{
    for (unsigned i = 0; i < MAX_THREADS; i++) {
        const struct tcb *t = tcb_at(i);
        if (t->state == THREAD_FREE) {
            ASSERT(!t->queued);
            continue;
        }
        ASSERT(t->state <= THREAD_NOTIFY_BLOCKED);
        ASSERT(t->utcb != NULL);
        ASSERT(tcb_store_consistent(t));
        ASSERT(dest_partner_consistent(t));
        dest_check_thread(t);
        notify_check_thread(t);
        timeouts_check_thread(t);
        commctl_check_thread(t);
        ASSERT(!t->queued || sched_is_queued(t));
        ASSERT(t->queued || t->ready_link.next == &t->ready_link);
    }
    ASSERT(sched_queues_consistent());
    ASSERT(dest_objects_consistent());
    ASSERT(timeouts_consistent());
    ASSERT(space_tree_consistent());
    irq_check_lines();
    usched_check();
}
