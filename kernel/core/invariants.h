/* The full sweep of the kernel's object invariants (debug builds; see invariants.c). */
#ifndef IPCLAB_CORE_INVARIANTS_H
#define IPCLAB_CORE_INVARIANTS_H

/* Checks every thread, ready queue and IPC object; a broken invariant is a PANIC. */
void kernel_check_invariants(void);

#endif
