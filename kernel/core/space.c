/* Address spaces: creation and destruction, authority, checked access to user memory,
 * and page sharing. */
#include "space.h"

#include "cspace.h"
#include "frame.h"
#include "kernel.h"
#include "tasks.h"
#include "preempt.h"
#include "thread.h"

/* The root task may create 64 IPC objects (endpoints, notifications); a task it creates
 * starts with none (a quota axis may hand them out; until then only the root makes
 * kernel objects, so no task can exhaust them for the others). */
#define ROOT_OBJECT_QUOTA 128u

static struct space spaces[MAX_SPACES];
static uint32_t space_version[MAX_SPACES];

void space_table_init(void)
{
    memset(spaces, 0, sizeof(spaces));
    for (unsigned i = 0; i < MAX_SPACES; i++)
        space_version[i] = 1;
}

struct space *space_create(struct space *creator)
{
    for (uint32_t i = 0; i < MAX_SPACES; i++) {
        struct space *s = &spaces[i];
        if (s->used || space_version[i] == 0) /* version 0: retired before it wrapped */
            continue;
        memset(s, 0, sizeof(*s));
        if (!arch_space_init(&s->arch))
            return NULL;
        s->used = true;
        s->handle = ((uint64_t)i << TID_VERSION_BITS) | space_version[i];
        s->creator = creator;
        s->object_quota = creator ? 0 : ROOT_OBJECT_QUOTA;
        s->task_quota = creator ? 0 : TASKS_ROOT_QUOTA;
        if (creator) {
            s->next_sibling = creator->first_child;
            creator->first_child = s;
        }
        cspace_init(s);
        return s;
    }
    return NULL;
}

struct space *space_lookup(uint64_t handle)
{
    uint64_t index = handle >> TID_VERSION_BITS;
    if (index >= MAX_SPACES || !spaces[index].used || spaces[index].handle != handle)
        return NULL;
    return &spaces[index];
}

bool space_may_control(const struct space *actor, const struct space *target)
{
    return target->creator == actor;
}

/* One task of a subtree being destroyed, its own tasks already gone. */
static void destroy_one(struct space *s)
{
    ASSERT(s->used && s->creator != NULL && s->first_child == NULL);
    thread_kill_space(s);
    for (uint64_t slot = 1; slot < CAP_SLOTS; slot++)
        cap_delete(s, slot);
    arch_space_destroy(&s->arch);
    struct space **link = &s->creator->first_child;
    while (*link != s)
        link = &(*link)->next_sibling;
    *link = s->next_sibling;
    tasks_released(s);
    uint32_t index = (uint32_t)(s - spaces);
    s->used = false;
    if (++space_version[index] > TID_VERSION_MASK - 1)
        space_version[index] = 0;
}

/* Post-order without recursion (a subtree may be a chain as deep as the table): go
 * down to a task with no tasks of its own, destroy it, go back up to its creator. */
void space_destroy(struct space *s)
{
    ASSERT(s->used && s->creator != NULL);
    struct space *top = s->creator, *cur = s;
    while (cur != top) {
        if (cur->first_child) {
            cur = cur->first_child;
            continue;
        }
        struct space *up = cur->creator;
        destroy_one(cur);
        cur = up;
    }
}

bool space_tree_consistent(void)
{
    for (unsigned i = 0; i < MAX_SPACES; i++) {
        const struct space *s = &spaces[i];
        if (!s->used)
            continue;
        unsigned found = 0;
        if (s->creator) {
            if (!s->creator->used)
                return false;
            for (const struct space *c = s->creator->first_child; c; c = c->next_sibling)
                found += c == s;
            if (found != 1)
                return false;
        }
        for (const struct space *c = s->first_child; c; c = c->next_sibling)
            if (!c->used || c->creator != s)
                return false;
    }
    return true;
}

bool space_range_mapped(const struct space *s, uint64_t addr, uint64_t len, bool write)
{
    if (len == 0)
        return true;
    if (addr < USER_BASE || addr >= USER_TOP || len > USER_TOP - addr)
        return false;
    uint64_t first = addr & ~(FRAME_SIZE - 1);
    uint64_t last = (addr + len - 1) & ~(FRAME_SIZE - 1);
    for (uint64_t page = first;; page += FRAME_SIZE) {
        uint64_t frame;
        bool writable;
        if (!arch_lookup_page(&s->arch, page, &frame, &writable) || (write && !writable))
            return false;
        if (page == last)
            return true;
    }
}

int space_copy_in(const struct space *s, void *dst, uint64_t src, uint64_t len)
{
    if (!space_range_mapped(s, src, len, false))
        return E_BAD_ADDRESS;
    unsigned char *out = dst;
    while (len) {
        uint64_t frame;
        bool writable;
        arch_lookup_page(&s->arch, src & ~(FRAME_SIZE - 1), &frame, &writable);
        uint64_t offset = src & (FRAME_SIZE - 1);
        uint64_t chunk = FRAME_SIZE - offset < len ? FRAME_SIZE - offset : len;
        memcpy(out, (const void *)(uintptr_t)(frame + offset), chunk);
        out += chunk;
        src += chunk;
        len -= chunk;
    }
    return E_OK;
}

int space_map(struct space *from, uint64_t src, struct space *to, uint64_t dst,
              uint64_t npages, bool writable)
{
    if ((src | dst) & (FRAME_SIZE - 1))
        return E_INVALID_ARG;
    if (npages == 0 || npages > (USER_TOP - USER_BASE) / FRAME_SIZE)
        return E_INVALID_ARG;
    uint64_t bytes = npages * FRAME_SIZE;
    if (!space_range_mapped(from, src, bytes, writable))
        return E_BAD_ADDRESS;
    if (dst < USER_BASE || dst >= USER_TOP || bytes > USER_TOP - dst)
        return E_BAD_ADDRESS;
    /* A UTCB is the kernel's frame, freed with its thread: shared, it would outlive it. */
    for (uint64_t i = 0; i < npages; i++) {
        uint64_t frame;
        bool src_writable;
        arch_lookup_page(&from->arch, src + i * FRAME_SIZE, &frame, &src_writable);
        if (thread_owns_frame(frame))
            return E_INVALID_ARG;
    }
    for (uint64_t i = 0; i < npages; i++) {
        uint64_t frame;
        bool src_writable;
        arch_lookup_page(&from->arch, src + i * FRAME_SIZE, &frame, &src_writable);
        if (!arch_map_page(&to->arch, dst + i * FRAME_SIZE, frame, writable))
            return E_NO_MEMORY;
    }
    return E_OK;
}

/*
 * The kernel's long operation: its cost grows with the number of pages, one page-table
 * walk and one TLB invalidation each. Every page done leaves the space consistent (a
 * mapping is there or it is not), so a preemption point may stop it after any page.
 */
uint64_t space_unmap(struct space *s, uint64_t addr, uint64_t pages, uint64_t *done)
{
    uint64_t since_check = 0;
    for (uint64_t i = 0; i < pages; i++) {
        arch_unmap_page(&s->arch, addr + i * FRAME_SIZE);
        if (i + 1 < pages && preempt_point(&since_check)) {
            *done = i + 1;
            return E_RESTART;
        }
    }
    *done = pages;
    return E_OK;
}
