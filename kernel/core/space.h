/*
 * Address spaces (tasks): a page table and the task's capability table. Spaces are
 * named to user code by a handle: the slot number and a version (as thread IDs are,
 * see abi.h), so a handle kept past its space's destruction names nothing.
 *
 * Authority: a space records the space that created it; only its creator may act on
 * it (map into it, mint into its table, make threads in it, destroy it), and the
 * endpoints a task may create are counted against its quota (cap.h, dest_endpoint.h).
 */
#ifndef IPCLAB_CORE_SPACE_H
#define IPCLAB_CORE_SPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "arch_api.h"
#include "cap.h"
#include "config.h"
#if CONFIG_CSPACE_GUARDED
#include "cspace_tree.h"
#endif

/* Room for the root task, a subtree of 256 tasks (the process-hierarchy lesson) and the
 * tasks of a benchmark beside it. */
#define MAX_SPACES 272

struct space {
    struct arch_space arch;
    bool used;
    uint64_t handle;             /* slot number and version */
    struct space *creator;       /* its owner; NULL for the root task's space */
    struct space *first_child;   /* the tasks it owns (created), newest first ... */
    struct space *next_sibling;  /* ... linked through their creator's list */
    uint32_t object_quota;       /* IPC objects (endpoints, notifications) it may still create */
    /* The TASKS axis (tasks.c): under caps what it may still create and what its own
     * creation cost whom; unused under ids. */
    uint32_t task_quota;
    uint32_t task_charge;
    uint64_t task_payer;         /* handle of the space whose quota paid for it */
#if CONFIG_COMMCTL_CLANS
    uint64_t chief;              /* its clan's chief thread; IPC_NIL: the top clan (clans.c) */
#endif
    struct cap caps[CAP_SLOTS];
#if CONFIG_CSPACE_GUARDED
    struct cspace_tree cspace;   /* the CNodes above caps[] (cspace_guarded.h) */
#endif
};

void space_table_init(void);
/* A new empty space made by creator (NULL: the root task's, made at boot). */
struct space *space_create(struct space *creator);
struct space *space_lookup(uint64_t handle);
/* May `actor` act on `target` (map, mint, make threads, destroy)? */
bool space_may_control(const struct space *actor, const struct space *target);
/* Kill every thread of s, empty its capability slots, free its page tables. */
void space_destroy(struct space *s);

/* The owner tree (invariant checks): every live task but the root's is on its live
 * creator's list of tasks, and every list holds only the tasks it owns. */
bool space_tree_consistent(void);

/* User memory access, checked: the whole range lies in the user half and is mapped. */
bool space_range_mapped(const struct space *s, uint64_t addr, uint64_t len, bool write);
/* Share npages frames of from (at src) into to (at dst). Returns an error code. */
int space_map(struct space *from, uint64_t src, struct space *to, uint64_t dst,
              uint64_t npages, bool writable);
/* Remove the mappings of `pages` pages from addr (page-aligned, in the user half; an
 * absent one is skipped; the frames stay their owners'). E_OK with *done = pages, or
 * E_RESTART when a preemption point stopped it after *done pages (preempt.h). */
uint64_t space_unmap(struct space *s, uint64_t addr, uint64_t pages, uint64_t *done);
/* Copy len bytes from a checked user range to kernel memory. Returns an error code. */
int space_copy_in(const struct space *s, void *dst, uint64_t src, uint64_t len);

#endif
