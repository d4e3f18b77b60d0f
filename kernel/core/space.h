/*
 * Address spaces (tasks): a page table and, for endpoint addressing, the task's
 * capability table. Spaces are named to user code by a small handle (their index).
 */
#ifndef IPCLAB_CORE_SPACE_H
#define IPCLAB_CORE_SPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "arch_api.h"
#include "cap.h"

#define MAX_SPACES 16

struct space {
    struct arch_space arch;
    bool used;
    uint32_t handle;
    struct cap caps[CAP_SLOTS];
};

void space_table_init(void);
struct space *space_create(void);
struct space *space_lookup(uint64_t handle);

/* User memory access, checked: the whole range lies in the user half and is mapped. */
bool space_range_mapped(const struct space *s, uint64_t addr, uint64_t len, bool write);
/* Share npages frames of from (at src) into to (at dst). Returns an error code. */
int space_map(struct space *from, uint64_t src, struct space *to, uint64_t dst,
              uint64_t npages, bool writable);
/* Copy len bytes from a checked user range to kernel memory. Returns an error code. */
int space_copy_in(const struct space *s, void *dst, uint64_t src, uint64_t len);

#endif
