/*
 * Fixed-priority round-robin scheduling with both ready-queue policies of the SCHED
 * axis side by side (see sched.h). Each priority has a circular list; a two-level
 * bitmap (one summary word over four 64-bit words) finds the highest non-empty
 * priority with two count-leading-zeros, whatever the number of threads.
 */
#include "sched.h"

#include "kernel.h"
#include "kstat.h"
#include "usched.h"

#define PRIO_WORDS (SCHED_PRIOS / 64)

static struct link ready[SCHED_PRIOS];
static uint64_t prio_bits[PRIO_WORDS];
static uint64_t prio_summary;

uint64_t sched_lazy_dropped;

void sched_init(void)
{
    for (int p = 0; p < SCHED_PRIOS; p++)
        list_init(&ready[p]);
    for (int w = 0; w < PRIO_WORDS; w++)
        prio_bits[w] = 0;
    prio_summary = 0;
    sched_lazy_dropped = 0;
}

static void mark_nonempty(unsigned prio)
{
    prio_bits[prio / 64] |= 1ull << (prio % 64);
    prio_summary |= 1ull << (prio / 64);
}

static void mark_if_empty(unsigned prio)
{
    if (!list_empty(&ready[prio]))
        return;
    prio_bits[prio / 64] &= ~(1ull << (prio % 64));
    if (prio_bits[prio / 64] == 0)
        prio_summary &= ~(1ull << (prio / 64));
}

static void enqueue(struct tcb *t)
{
    ASSERT(!t->queued);
    ASSERT(t->state != THREAD_FREE);
    list_add_tail(&ready[t->prio], &t->ready_link);
    t->queued = true;
    mark_nonempty(t->prio);
}

static void dequeue(struct tcb *t)
{
    ASSERT(t->queued);
    list_remove(&t->ready_link);
    t->queued = false;
    mark_if_empty(t->prio);
}

/*
 * The other points of the SCHED axis (sched.h has the inline ones): what blocking
 * does to the queue, what a pick does with the thread at the head of it, and which
 * threads the queue may hold (for the invariant checks).
 */
#if CONFIG_SCHED_LAZY
/* Left queued on purpose: sched_pick() drops it only if it is still blocked when the
 * scheduler gets there, which IPC ping-pong rarely lets happen. */
static void policy_block(struct tcb *t)
{
    (void)t;
}

/* Any thread may sit in the queue, blocked ones until a pick passes them. */
static bool policy_may_queue(const struct tcb *t)
{
    (void)t;
    return true;
}

/* The head stays queued while it runs; a blocked head is dropped and the pick goes on. */
static bool policy_take(struct tcb *t)
{
    if (thread_runnable(t))
        return true;
    dequeue(t);
    sched_lazy_dropped++;
    return false;
}
#else
static void policy_block(struct tcb *t)
{
    if (t->queued)
        dequeue(t);
}

static bool policy_may_queue(const struct tcb *t)
{
    return thread_runnable(t);
}

/* Only runnable threads are queued, and the one running is not. */
static bool policy_take(struct tcb *t)
{
    dequeue(t);
    return true;
}
#endif

static int highest_prio(void)
{
    if (prio_summary == 0)
        return -1;
    int word = 63 - __builtin_clzll(prio_summary);
    return word * 64 + (63 - __builtin_clzll(prio_bits[word]));
}

void sched_wake(struct tcb *t)
{
    if (usched_parks(t))        /* under a user-level scheduler: it decides (usched.h) */
        return;
    if (!t->queued)
        enqueue(t);
}

void sched_block(struct tcb *t)
{
    policy_block(t);
}

void sched_remove(struct tcb *t)
{
    if (t->queued)
        dequeue(t);
}

void sched_rotate(struct tcb *t)
{
    if (t->queued)
        dequeue(t);
    enqueue(t);
}

struct tcb *sched_pick(void)
{
    usched_pick_hook();
    kstat_count(KSTAT_SCHED_PICKS);
    for (;;) {
        int prio = highest_prio();
        if (prio < 0)
            return NULL;
        struct tcb *t = container_of(ready[prio].next, struct tcb, ready_link);
        if (policy_take(t))
            return t;
    }
}

bool sched_is_queued(const struct tcb *t)
{
    return list_contains(&ready[t->prio], &t->ready_link);
}

bool sched_queues_consistent(void)
{
    for (unsigned p = 0; p < SCHED_PRIOS; p++) {
        bool marked = prio_bits[p / 64] & (1ull << (p % 64));
        if (marked == list_empty(&ready[p]))
            return false;
        for (struct link *l = ready[p].next; l != &ready[p]; l = l->next) {
            struct tcb *t = container_of(l, struct tcb, ready_link);
            if (!t->queued || t->prio != p || t->state == THREAD_FREE)
                return false;
            if (!policy_may_queue(t))
                return false;
        }
    }
    for (unsigned w = 0; w < PRIO_WORDS; w++)
        if (((prio_summary >> w) & 1) != (prio_bits[w] != 0))
            return false;
    return true;
}

bool sched_tick(struct tcb *t)
{
    if (t->timeslice_left > 1) {
        t->timeslice_left--;
        return false;
    }
    t->timeslice_left = SCHED_TIMESLICE_TICKS;
    return true;
}
