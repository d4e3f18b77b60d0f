/*
 * The TASKS axis: what bounds and ends the tasks a task creates (the lesson "process
 * hierarchy"). Both values keep the owner tree of space.h (a task's creator owns it
 * and alone acts on it; destroying a task destroys everything under it, with the same
 * walk), so they differ only where the lesson says they do, side by side in tasks.c:
 *   caps - a task creates from a quota held by its task, carved out of its creator's
 *          (seL4's untyped memory, counted in tasks instead of bytes): creating costs
 *          the creator one unit plus whatever quota it hands the new task, and
 *          destroying the new task (revoking what was made from that quota) gives all
 *          of it back. The root task starts with the whole table, a task it creates
 *          with nothing, so no task takes more than it was given. Today's behaviour.
 *   ids  - task IDs are one global table, handed out first come first served to any
 *          task that asks (L4's task numbers with owners and hierarchical kill): no
 *          quota, so one task can take every free ID from everyone else.
 */
#ifndef IPCLAB_CORE_TASKS_H
#define IPCLAB_CORE_TASKS_H

#include "config.h"
#include "kernel.h"

struct space;

/* The root task's quota: every task the table can hold besides its own. */
#define TASKS_ROOT_QUOTA (MAX_SPACES - 1u)

/* A new task owned by parent, paid for by payer (the creating task), handed `quota`
 * (caps); NULL with *error set when refused. */
struct space *tasks_create(struct space *payer, struct space *parent, uint64_t quota,
                           uint64_t *error);
/* s is being destroyed: what it cost goes back to whoever paid (caps). */
void tasks_released(struct space *s);

#endif
