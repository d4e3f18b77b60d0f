/*
 * Writes records with explicit little-endian byte order, so the file means the same
 * on any host and Python's struct module reads it with "<".
 */
#include "record_file.h"

#include <string.h>

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

bool record_file_open(struct record_file *rf, const char *path, const char *params_text)
{
    rf->written = 0;
    rf->file = fopen(path, "wb");
    if (!rf->file)
        return false;
    /* Large buffer: records arrive at every rdtsc, tens of thousands per boot. */
    setvbuf(rf->file, NULL, _IOFBF, 1 << 20);
    size_t text_len = strlen(params_text);
    uint8_t header[8 + 4 * 4];
    memcpy(header, RECORD_MAGIC, 8);
    put_u32(header + 8, RECORD_FORMAT_VERSION);
    put_u32(header + 12, (uint32_t)sizeof(struct record));
    put_u32(header + 16, (uint32_t)RECORD_FIELDS);
    put_u32(header + 20, (uint32_t)text_len);
    return fwrite(header, sizeof(header), 1, rf->file) == 1 &&
           (text_len == 0 || fwrite(params_text, text_len, 1, rf->file) == 1);
}

bool record_file_write(struct record_file *rf, const struct record *r)
{
    const uint64_t fields[] = {r->tsc,        r->pc,          r->kind,
                               r->insns,      r->cycles,      r->l1i_misses,
                               r->l1d_misses, r->l2_misses,   r->l3_misses,
                               r->itlb_misses, r->dtlb_misses, r->serializing};
    _Static_assert(sizeof(fields) == sizeof(struct record), "every field of struct record");
    uint8_t bytes[sizeof(struct record)];
    for (size_t i = 0; i < RECORD_FIELDS; i++)
        put_u64(bytes + 8 * i, fields[i]);
    if (fwrite(bytes, sizeof(bytes), 1, rf->file) != 1)
        return false;
    rf->written++;
    return true;
}

bool record_file_close(struct record_file *rf)
{
    if (!rf->file)
        return true;
    bool ok = !ferror(rf->file);
    ok = fclose(rf->file) == 0 && ok;
    rf->file = NULL;
    return ok;
}
