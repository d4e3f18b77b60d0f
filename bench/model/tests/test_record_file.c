/* The record file's bytes: header layout, parameter text, little-endian fields. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "record_file.h"

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

void test_record_file(void)
{
    char path[] = "/tmp/model_record_test_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    struct record_file rf;
    CHECK(record_file_open(&rf, path, "a=1,b=2"));
    struct record r = {.tsc = 0x0102030405060708ull, .pc = 1, .kind = RECORD_RDTSC,
                       .insns = 3, .cycles = 4, .l1i_misses = 5, .l1d_misses = 6,
                       .l2_misses = 7, .l3_misses = 8, .itlb_misses = 9, .dtlb_misses = 10,
                       .serializing = 11};
    CHECK(record_file_write(&rf, &r));
    r.kind = RECORD_FLUSH_MARKER;
    CHECK(record_file_write(&rf, &r));
    CHECK(record_file_close(&rf));
    CHECK_EQ(rf.written, 2);

    FILE *f = fopen(path, "rb");
    uint8_t buf[512];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    unlink(path);
    size_t header = 24 + 7;
    CHECK_EQ(n, header + 2 * 96);
    CHECK(memcmp(buf, "IPCLMDL1", 8) == 0);
    CHECK_EQ(buf[8], 2);     /* version */
    CHECK_EQ(buf[12], 96);   /* record size */
    CHECK_EQ(buf[16], 12);   /* fields */
    CHECK_EQ(buf[20], 7);    /* parameter text length */
    CHECK(memcmp(buf + 24, "a=1,b=2", 7) == 0);
    CHECK_EQ(buf[header], 0x08); /* tsc, least significant byte first */
    CHECK_EQ(le64(buf + header), 0x0102030405060708ull);
    for (unsigned i = 1; i < 12; i++) /* field i holds i, except kind (2) */
        if (i != 2)
            CHECK_EQ(le64(buf + header + 8 * i), i);
    CHECK_EQ(le64(buf + header + 16), RECORD_RDTSC);
    CHECK_EQ(le64(buf + header + 96 + 16), RECORD_FLUSH_MARKER);
}
