/* Address spaces: creation, checked access to user memory, and page sharing. */
#include "space.h"

#include "frame.h"
#include "kernel.h"

static struct space spaces[MAX_SPACES];

void space_table_init(void)
{
    memset(spaces, 0, sizeof(spaces));
}

struct space *space_create(void)
{
    for (uint32_t i = 0; i < MAX_SPACES; i++) {
        struct space *s = &spaces[i];
        if (s->used)
            continue;
        memset(s, 0, sizeof(*s));
        if (!arch_space_init(&s->arch))
            return NULL;
        s->used = true;
        s->handle = i;
        return s;
    }
    return NULL;
}

struct space *space_lookup(uint64_t handle)
{
    if (handle >= MAX_SPACES || !spaces[handle].used)
        return NULL;
    return &spaces[handle];
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
    for (uint64_t i = 0; i < npages; i++) {
        uint64_t frame;
        bool src_writable;
        arch_lookup_page(&from->arch, src + i * FRAME_SIZE, &frame, &src_writable);
        if (!arch_map_page(&to->arch, dst + i * FRAME_SIZE, frame, writable))
            return E_NO_MEMORY;
    }
    return E_OK;
}
