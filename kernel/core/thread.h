/*
 * Threads: MAX_THREADS TCBs found by the number part of a thread ID (where they are is
 * the TCB axis, tcb_store.h), so that resolving an ID is one shift, one bounds check
 * and one version comparison.
 */
#ifndef IPCLAB_CORE_THREAD_H
#define IPCLAB_CORE_THREAD_H

#include "tcb.h"
#include "tcb_store.h"

extern struct tcb *current;
/* The version the next thread in each slot gets (0: the slot is retired). */
extern uint32_t thread_next_version[MAX_THREADS];

static inline uint64_t tid_make(uint64_t number, uint64_t version)
{
    return (number << TID_VERSION_BITS) | (version & TID_VERSION_MASK);
}

/* The live thread an ID names, or NULL when the number is out of range, the slot is
 * free, or the version is stale. */
static inline struct tcb *thread_lookup(uint64_t tid)
{
    uint64_t number = tid >> TID_VERSION_BITS;
    if (number >= MAX_THREADS)
        return NULL;
    struct tcb *t = tcb_at(number);
    if (t->tid != tid || t->state == THREAD_FREE)
        return NULL;
    return t;
}

void thread_table_init(void);
/* A new inactive thread in space s with its UTCB frame already mapped at utcb_addr. */
struct tcb *thread_create(struct space *s, uint64_t utcb_addr, uint64_t prio, int *error);
void thread_start(struct tcb *t, uint64_t ip, uint64_t sp, uint64_t arg);
/* Remove t from every queue, fail its partners with E_ABORTED, free its UTCB frame and
 * its slot. */
void thread_kill(struct tcb *t);
/* Kill every thread of space s. */
void thread_kill_space(struct space *s);
/* Whether frame is a live thread's UTCB (which must never be shared or outlive it). */
bool thread_owns_frame(uint64_t frame);

#endif
