/*
 * The TCB axis: where the TCB of thread number n is, and what memory that costs. The
 * thread table (thread.c, thread.h) and the invariant sweep call these and never test
 * the axis; each alternative is one header and one file, side by side:
 *
 *   tcb_table.h, tcb_table.c    an array of MAX_THREADS TCBs in the kernel image
 *   tcb_varray.h, tcb_varray.c  a virtual array in the kernel's address space, a page
 *                               per thread mapped on first use (arch/<arch>/tcb_region.c)
 *
 * Both define:
 *   tcb_at(n)          the TCB of thread number n < MAX_THREADS (inline: the fast path's
 *                      thread-ID lookup uses it); a number never used reads as free
 *   tcb_prepare(n)     make number n's TCB writable before a thread takes it; false
 *                      when out of memory
 *   tcb_release(n)     number n's thread died: the memory only it needed goes back
 *   tcb_store_init()   every TCB free (boot, unit tests)
 *   tcb_store_bytes()  the kernel memory the TCBs take now
 *   tcb_store_consistent(t)   invariant checks (varray: t's kernel stack stayed above it)
 */
#ifndef IPCLAB_CORE_TCB_STORE_H
#define IPCLAB_CORE_TCB_STORE_H

#include "config.h"

#define MAX_THREADS CONFIG_THREADS

#if CONFIG_TCB_TABLE
#include "tcb_table.h"
#else
#include "tcb_varray.h"
#endif

#endif
