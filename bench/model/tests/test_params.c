/* Plugin arguments: accepted forms, refused ones, and the messages that name them. */
#include <string.h>

#include "check.h"
#include "params.h"

static bool apply(struct model_params *p, const char *arg, char *err, size_t size)
{
    err[0] = '\0';
    return params_apply(p, arg, err, size);
}

void test_params(void)
{
    struct model_params p;
    char err[4096];
    params_defaults(&p);
    CHECK(params_validate(&p, err, sizeof(err)));

    CHECK(apply(&p, "l1d_size=64K", err, sizeof(err)));
    CHECK_EQ(p.l1d.size_bytes, 65536);
    CHECK(apply(&p, "l2_size=1M", err, sizeof(err)));
    CHECK_EQ(p.l2.size_bytes, 1 << 20);
    CHECK(apply(&p, "l2_ways=16", err, sizeof(err)));
    CHECK(apply(&p, "l3_size=16M", err, sizeof(err)));
    CHECK_EQ(p.l3.size_bytes, 16u << 20);
    CHECK(apply(&p, "l3_miss_latency=300", err, sizeof(err)));
    CHECK_EQ(p.l3_miss_latency, 300);
    CHECK(apply(&p, "kernel_end=0x80000000", err, sizeof(err)));
    CHECK_EQ(p.kernel_end, 0x80000000ull);
    CHECK(apply(&p, "kernel_pages=4k", err, sizeof(err)));
    CHECK_EQ(p.kernel_page_shift, 12);
    CHECK(apply(&p, "kernel_global=on", err, sizeof(err)));
    CHECK(p.kernel_global);
    CHECK(apply(&p, "tsc_offset=-5", err, sizeof(err)));
    CHECK_EQ(p.tsc_offset, -5);
    CHECK(apply(&p, "itlb2m_ways=0", err, sizeof(err)));
    CHECK(apply(&p, "records=/tmp/x.rec", err, sizeof(err)));
    CHECK(strcmp(p.records, "/tmp/x.rec") == 0);
    CHECK(params_validate(&p, err, sizeof(err)));

    /* Refused: each message names the argument and lists the valid ones. */
    const char *bad[] = {"l1d_sise=32K", "l1d_ways=x", "l1d_ways=0", "l1d_ways=-1",
                         "l1d_size=12Q", "kernel_pages=1g", "kernel_global=maybe",
                         "records=", "l1d_ways", "tsc_offset=1.5", "l2_size=99999999999G"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct model_params q;
        params_defaults(&q);
        CHECK(!apply(&q, bad[i], err, sizeof(err)));
        CHECK(strstr(err, bad[i]) != NULL);
        CHECK(strstr(err, "valid arguments: l1i_size=") != NULL);
        CHECK(strstr(err, "records=<file>") != NULL);
    }

    /* Geometry is checked once all arguments are in. */
    params_defaults(&p);
    CHECK(apply(&p, "l1d_ways=3", err, sizeof(err)));
    CHECK(!params_validate(&p, err, sizeof(err)));
    CHECK(strstr(err, "l1d_ways=3") != NULL);
    params_defaults(&p);
    CHECK(apply(&p, "dtlb_entries=48", err, sizeof(err)));
    CHECK(!params_validate(&p, err, sizeof(err)));
    CHECK(strstr(err, "dtlb_entries=48") != NULL);

    /* The header text lists every parameter, in a form params_apply accepts back. */
    params_defaults(&p);
    char text[4096];
    params_format(&p, text, sizeof(text));
    CHECK(strstr(text, "l1d_size=32768,") != NULL);
    CHECK(strstr(text, "l3_size=8388608,l3_ways=16,l3_line=64,l3_miss_latency=196,") != NULL);
    CHECK(strstr(text, "kernel_end=0x40000000,kernel_pages=2m,kernel_global=off") != NULL);
    CHECK(strstr(text, ",tsc_offset=-2") != NULL);
    struct model_params back;
    params_defaults(&back);
    char *save = NULL;
    CHECK(strstr(text, "records=") == NULL);
    for (char *item = strtok_r(text, ",", &save); item; item = strtok_r(NULL, ",", &save))
        CHECK(apply(&back, item, err, sizeof(err)));
    CHECK(memcmp(&back, &p, sizeof(p)) == 0);
}
