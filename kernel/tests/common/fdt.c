/* The device-tree reader: a small tree built here, byte by byte, as a DTB lays it out. */
#include <string.h>

#include "fdt.h"
#include "unit.h"

struct blob {
    uint8_t bytes[512];
    uint32_t len;
    char strings[128];
    uint32_t strings_len;
};

static void put32(struct blob *b, uint32_t v)
{
    b->bytes[b->len++] = (uint8_t)(v >> 24);
    b->bytes[b->len++] = (uint8_t)(v >> 16);
    b->bytes[b->len++] = (uint8_t)(v >> 8);
    b->bytes[b->len++] = (uint8_t)v;
}

static void put_name(struct blob *b, const char *s)
{
    size_t n = strlen(s) + 1;
    memcpy(b->bytes + b->len, s, n);
    b->len += (uint32_t)((n + 3) & ~3u);
}

static uint32_t string_offset(struct blob *b, const char *s)
{
    uint32_t off = b->strings_len;
    memcpy(b->strings + off, s, strlen(s) + 1);
    b->strings_len += (uint32_t)strlen(s) + 1;
    return off;
}

static void prop(struct blob *b, const char *name, const void *value, uint32_t size)
{
    put32(b, 3);
    put32(b, size);
    put32(b, string_offset(b, name));
    memcpy(b->bytes + b->len, value, size);
    b->len += (size + 3) & ~3u;
}

static void prop32(struct blob *b, const char *name, const uint32_t *cells, unsigned n)
{
    uint8_t raw[16];
    for (unsigned i = 0; i < n; i++) {
        raw[4 * i] = (uint8_t)(cells[i] >> 24);
        raw[4 * i + 1] = (uint8_t)(cells[i] >> 16);
        raw[4 * i + 2] = (uint8_t)(cells[i] >> 8);
        raw[4 * i + 3] = (uint8_t)cells[i];
    }
    prop(b, name, raw, 4 * n);
}

/* Header (40 bytes), then the structure block, then the strings. */
static const uint8_t *build(struct blob *b, uint8_t *out)
{
    uint32_t header = 40, total = header + b->len + b->strings_len;
    uint32_t words[10] = {0xd00dfeed, total, header, header + b->len, header, 17, 16, 0,
                          b->strings_len, b->len};
    for (unsigned i = 0; i < 10; i++) {
        out[4 * i] = (uint8_t)(words[i] >> 24);
        out[4 * i + 1] = (uint8_t)(words[i] >> 16);
        out[4 * i + 2] = (uint8_t)(words[i] >> 8);
        out[4 * i + 3] = (uint8_t)words[i];
    }
    memcpy(out + header, b->bytes, b->len);
    memcpy(out + header + b->len, b->strings, b->strings_len);
    return out;
}

UNIT_TEST(test_fdt_properties)
{
    static struct blob b;
    static uint8_t tree[1024];
    memset(&b, 0, sizeof(b));
    uint32_t two = 2, reg[4] = {0, 0x40000000, 0, 0x10000000};
    put32(&b, 1), put_name(&b, "");                     /* root */
    prop32(&b, "#address-cells", &two, 1);
    prop32(&b, "#size-cells", &two, 1);
    put32(&b, 1), put_name(&b, "memory@40000000");
    prop(&b, "device_type", "memory", 7);
    prop32(&b, "reg", reg, 4);
    put32(&b, 2);
    put32(&b, 1), put_name(&b, "chosen");
    put32(&b, 1), put_name(&b, "inner");                /* a grandchild, not searched */
    prop(&b, "bootargs", "wrong", 6);
    put32(&b, 2);
    prop(&b, "bootargs", "clock=icount samples=5", 23);
    put32(&b, 2);
    put32(&b, 2);                                       /* end of root */
    put32(&b, 9);
    const uint8_t *t = build(&b, tree);

    uint32_t len = 0;
    EXPECT(fdt_valid(t));
    EXPECT_EQ(fdt_size(t), 40 + b.len + b.strings_len);
    const char *args = fdt_property(t, "chosen", "bootargs", &len);
    EXPECT(args && strcmp(args, "clock=icount samples=5") == 0);
    EXPECT_EQ(len, 23);
    const void *r = fdt_property(t, "memory", "reg", &len);
    EXPECT(r != NULL);
    EXPECT_EQ(len, 16);
    EXPECT_EQ(fdt_cells(r, 2), 0x40000000);
    EXPECT_EQ(fdt_cells((const uint8_t *)r + 8, 2), 0x10000000);
    EXPECT_EQ(fdt_cells(fdt_property(t, "", "#size-cells", &len), 1), 2);
    EXPECT(fdt_property(t, "chosen", "stdout-path", &len) == NULL);
    EXPECT(fdt_property(t, "cpus", "reg", &len) == NULL);
    EXPECT(fdt_property(t, "", "bootargs", &len) == NULL);   /* not a root property */
    tree[0] = 0;
    EXPECT(!fdt_valid(t));
    EXPECT(fdt_property(t, "chosen", "bootargs", &len) == NULL);
}
