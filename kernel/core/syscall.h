/* The general system call path and the root task's space. */
#ifndef IPCLAB_CORE_SYSCALL_H
#define IPCLAB_CORE_SYSCALL_H

#include "tcb.h"

extern struct space *root_space;
/* The root task's first thread: the benchmark, whose console lines are trusted. */
extern struct tcb *root_thread;

/* Carry out the system call in self's saved registers; the thread to run next
 * (NULL when no thread is runnable). */
struct tcb *syscall_dispatch(struct tcb *self);

/* The space a handle names, if self may act on it (its own when own_ok, or one its
 * task created); else the error to return, which tells only a task that creates spaces
 * that the handle is dead (authority before lookup). */
uint64_t syscall_controlled_space(struct tcb *self, uint64_t handle, bool own_ok,
                                  struct space **out);

#endif
