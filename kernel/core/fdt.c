/*
 * A flattened device tree reader (see fdt.h): walks the structure block token by
 * token. The tree's numbers are big-endian 32-bit words at 4-byte aligned offsets, read
 * a byte at a time so that nothing here depends on the host's order or alignment rules
 * (the kernel may read the tree before its MMU makes RAM normal memory).
 */
#include "fdt.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u

static uint32_t be32(const void *p)
{
    const volatile uint8_t *b = p;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static uint32_t header(const void *fdt, unsigned word)
{
    return be32((const uint8_t *)fdt + 4 * word);
}

bool fdt_valid(const void *fdt)
{
    return fdt && header(fdt, 0) == FDT_MAGIC && header(fdt, 6) >= 16;
}

uint32_t fdt_size(const void *fdt)
{
    return header(fdt, 1);
}

uint64_t fdt_cells(const void *p, uint32_t cells)
{
    uint64_t value = 0;
    for (uint32_t i = 0; i < cells; i++)
        value = (value << 32) | be32((const uint8_t *)p + 4 * i);
    return value;
}

/* Whether a node's name (up to its '@') is `want`. */
static bool name_is(const char *name, const char *want)
{
    while (*want && *name == *want) {
        name++;
        want++;
    }
    return *want == '\0' && (*name == '\0' || *name == '@');
}

static bool str_same(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static uint32_t align4(uint32_t n)
{
    return (n + 3) & ~3u;
}

const void *fdt_property(const void *fdt, const char *node, const char *prop, uint32_t *len)
{
    if (!fdt_valid(fdt))
        return 0;
    const uint8_t *base = fdt;
    const uint8_t *p = base + header(fdt, 2);
    const uint8_t *end = p + header(fdt, 9);
    const char *strings = (const char *)base + header(fdt, 3);
    unsigned depth = 0;
    unsigned node_depth = 0;   /* the wanted node's depth once found (the root is 1) */
    while (p + 4 <= end) {
        uint32_t token = be32(p);
        p += 4;
        if (token == FDT_BEGIN_NODE) {
            const char *name = (const char *)p;
            uint32_t n = 0;
            while (p + n < end && name[n])
                n++;
            p += align4(n + 1);
            depth++;
            if (!node_depth && ((depth == 1 && node[0] == '\0') ||
                                (depth == 2 && node[0] != '\0' && name_is(name, node))))
                node_depth = depth;
        } else if (token == FDT_END_NODE) {
            if (depth == node_depth)
                return 0;
            depth--;
        } else if (token == FDT_PROP) {
            uint32_t size = be32(p);
            const char *name = strings + be32(p + 4);
            const uint8_t *value = p + 8;
            p = value + align4(size);
            if (depth == node_depth && str_same(name, prop)) {
                if (len)
                    *len = size;
                return value;
            }
        } else if (token != FDT_NOP) {
            return 0; /* FDT_END or a malformed tree */
        }
    }
    return 0;
}
