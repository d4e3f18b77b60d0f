/*
 * Plugin arguments, table-driven: one row per parameter says its name, where it
 * lives in struct model_params, how its value is written and its range, so parsing,
 * validation, the usage text and the record-file header can never disagree.
 */
#include "params.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum param_kind {
    KIND_BYTES,   /* uint64_t; decimal, or with a K/M/G suffix (binary multiples) */
    KIND_UINT,    /* unsigned */
    KIND_ADDRESS, /* uint64_t; decimal or 0x hex */
    KIND_INT64,   /* int64_t; decimal, may be negative */
    KIND_BOOL,    /* bool; on/off, yes/no, true/false, 1/0 */
    KIND_PAGES,   /* unsigned page shift; written 4k or 2m */
    KIND_PATH,    /* char[PARAMS_PATH_MAX] */
};

struct param_def {
    const char *name;
    enum param_kind kind;
    size_t offset;
    uint64_t min, max; /* for KIND_UINT and KIND_BYTES */
};

#define FIELD(member) offsetof(struct model_params, member)

static const struct param_def param_table[] = {
    {"l1i_size", KIND_BYTES, FIELD(l1i.size_bytes), 64, 1ull << 30},
    {"l1i_ways", KIND_UINT, FIELD(l1i.ways), 1, 64},
    {"l1i_line", KIND_UINT, FIELD(l1i.line_bytes), 4, 4096},
    {"l1i_miss_latency", KIND_UINT, FIELD(l1i_miss_latency), 0, 100000},
    {"l1d_size", KIND_BYTES, FIELD(l1d.size_bytes), 64, 1ull << 30},
    {"l1d_ways", KIND_UINT, FIELD(l1d.ways), 1, 64},
    {"l1d_line", KIND_UINT, FIELD(l1d.line_bytes), 4, 4096},
    {"l1d_miss_latency", KIND_UINT, FIELD(l1d_miss_latency), 0, 100000},
    {"l2_size", KIND_BYTES, FIELD(l2.size_bytes), 64, 1ull << 34},
    {"l2_ways", KIND_UINT, FIELD(l2.ways), 1, 64},
    {"l2_line", KIND_UINT, FIELD(l2.line_bytes), 4, 4096},
    {"l2_miss_latency", KIND_UINT, FIELD(l2_miss_latency), 0, 100000},
    {"l3_size", KIND_BYTES, FIELD(l3.size_bytes), 64, 1ull << 36},
    {"l3_ways", KIND_UINT, FIELD(l3.ways), 1, 64},
    {"l3_line", KIND_UINT, FIELD(l3.line_bytes), 4, 4096},
    {"l3_miss_latency", KIND_UINT, FIELD(l3_miss_latency), 0, 100000},
    {"itlb_entries", KIND_UINT, FIELD(itlb.entries), 1, 65536},
    {"itlb_ways", KIND_UINT, FIELD(itlb.ways), 0, 65536},
    {"itlb2m_entries", KIND_UINT, FIELD(itlb_large.entries), 1, 65536},
    {"itlb2m_ways", KIND_UINT, FIELD(itlb_large.ways), 0, 65536},
    {"itlb_miss_latency", KIND_UINT, FIELD(itlb_miss_latency), 0, 100000},
    {"dtlb_entries", KIND_UINT, FIELD(dtlb.entries), 1, 65536},
    {"dtlb_ways", KIND_UINT, FIELD(dtlb.ways), 0, 65536},
    {"dtlb2m_entries", KIND_UINT, FIELD(dtlb_large.entries), 1, 65536},
    {"dtlb2m_ways", KIND_UINT, FIELD(dtlb_large.ways), 0, 65536},
    {"dtlb_miss_latency", KIND_UINT, FIELD(dtlb_miss_latency), 0, 100000},
    {"kernel_end", KIND_ADDRESS, FIELD(kernel_end), 0, 0},
    {"kernel_pages", KIND_PAGES, FIELD(kernel_page_shift), 0, 0},
    {"kernel_global", KIND_BOOL, FIELD(kernel_global), 0, 0},
    {"serialize_cost", KIND_UINT, FIELD(serialize_cost), 0, 100000},
    {"tsc_offset", KIND_INT64, FIELD(tsc_offset), 0, 0},
    {"records", KIND_PATH, FIELD(records), 0, 0},
};

#define PARAM_COUNT (sizeof(param_table) / sizeof(param_table[0]))

void params_defaults(struct model_params *p)
{
    /* Intel Skylake client core, i7-6700K (README.md, "Defaults"). A miss latency is
     * the next level's load-to-use latency less the missing level's: L1 4, L2 12,
     * L3 44 cycles (Intel), memory about 240 (an assumption: 60 ns at 4 GHz). */
    *p = (struct model_params){
        .l1i = {.size_bytes = 32 * 1024, .ways = 8, .line_bytes = 64},
        .l1d = {.size_bytes = 32 * 1024, .ways = 8, .line_bytes = 64},
        .l2 = {.size_bytes = 256 * 1024, .ways = 4, .line_bytes = 64},
        .l3 = {.size_bytes = 8 * 1024 * 1024, .ways = 16, .line_bytes = 64},
        .l1i_miss_latency = 8,  /* served by L2: 12 - 4 */
        .l1d_miss_latency = 8,
        .l2_miss_latency = 32,  /* served by L3: 44 - 12 */
        .l3_miss_latency = 196, /* served by memory: 240 - 44 (an assumption) */
        .itlb = {.entries = 128, .ways = 8, .page_shift = 12},
        .itlb_large = {.entries = 8, .ways = 0, .page_shift = 21},
        .dtlb = {.entries = 64, .ways = 4, .page_shift = 12},
        .dtlb_large = {.entries = 32, .ways = 4, .page_shift = 21},
        .itlb_miss_latency = 20, /* an assumption, see README.md */
        .dtlb_miss_latency = 20,
        .kernel_end = 0x40000000, /* ipclab's kernel: identity map of the first GiB */
        .kernel_page_shift = 21,  /* ... in 2 MiB pages (boot.S), */
        .kernel_global = false,   /* ... not global (no PTE G bit, CR4.PGE clear) */
        .serialize_cost = 0,
        .tsc_offset = -2,         /* measured: README.md, "TSC and instruction count" */
        .records = "",
    };
}

static const char *kind_usage(enum param_kind kind)
{
    switch (kind) {
    case KIND_BYTES: return "<bytes, K/M/G suffix allowed>";
    case KIND_UINT: return "<n>";
    case KIND_ADDRESS: return "<address>";
    case KIND_INT64: return "<signed n>";
    case KIND_BOOL: return "<on|off>";
    case KIND_PAGES: return "<4k|2m>";
    case KIND_PATH: return "<file>";
    }
    return "?";
}

size_t params_usage(char *buf, size_t buf_size)
{
    size_t n = 0;
    if (buf_size)
        buf[0] = '\0';
    for (size_t i = 0; i < PARAM_COUNT && n < buf_size; i++) {
        int w = snprintf(buf + n, buf_size - n, "%s%s=%s", i ? " " : "", param_table[i].name,
                         kind_usage(param_table[i].kind));
        if (w < 0)
            break;
        n += (size_t)w;
    }
    return n < buf_size ? n : buf_size - 1;
}

static const struct param_def *find_param(const char *name, size_t name_len)
{
    for (size_t i = 0; i < PARAM_COUNT; i++)
        if (strlen(param_table[i].name) == name_len &&
            memcmp(param_table[i].name, name, name_len) == 0)
            return &param_table[i];
    return NULL;
}

/* Whole-string unsigned number: decimal or 0x hex; false on junk or overflow. */
static bool parse_u64(const char *text, uint64_t *out, char **rest)
{
    if (*text == '\0' || *text == '-' || *text == '+' || *text == ' ')
        return false;
    errno = 0;
    unsigned long long v = strtoull(text, rest, 0);
    if (errno || *rest == text)
        return false;
    *out = v;
    return true;
}

static bool parse_bytes(const char *text, uint64_t *out)
{
    char *rest;
    uint64_t v;
    if (!parse_u64(text, &v, &rest))
        return false;
    unsigned shift = 0;
    if (*rest == 'K' || *rest == 'k')
        shift = 10;
    else if (*rest == 'M' || *rest == 'm')
        shift = 20;
    else if (*rest == 'G' || *rest == 'g')
        shift = 30;
    if (shift)
        rest++;
    if (*rest != '\0' || (shift && v > (UINT64_MAX >> shift)))
        return false;
    *out = v << shift;
    return true;
}

static bool parse_value(const struct param_def *def, const char *text, void *field,
                        const char **why)
{
    char *rest;
    uint64_t v;
    switch (def->kind) {
    case KIND_BYTES:
        if (!parse_bytes(text, &v)) {
            *why = "not a byte count";
            return false;
        }
        if (v < def->min || v > def->max) {
            *why = "out of range";
            return false;
        }
        *(uint64_t *)field = v;
        return true;
    case KIND_UINT:
        if (!parse_u64(text, &v, &rest) || *rest != '\0') {
            *why = "not a whole number";
            return false;
        }
        if (v < def->min || v > def->max) {
            *why = "out of range";
            return false;
        }
        *(unsigned *)field = (unsigned)v;
        return true;
    case KIND_ADDRESS:
        if (!parse_u64(text, &v, &rest) || *rest != '\0') {
            *why = "not an address";
            return false;
        }
        *(uint64_t *)field = v;
        return true;
    case KIND_INT64: {
        errno = 0;
        long long s = strtoll(text, &rest, 10);
        if (errno || rest == text || *rest != '\0') {
            *why = "not a whole number";
            return false;
        }
        *(int64_t *)field = s;
        return true;
    }
    case KIND_BOOL:
        if (!strcmp(text, "on") || !strcmp(text, "yes") || !strcmp(text, "true") ||
            !strcmp(text, "1")) {
            *(bool *)field = true;
            return true;
        }
        if (!strcmp(text, "off") || !strcmp(text, "no") || !strcmp(text, "false") ||
            !strcmp(text, "0")) {
            *(bool *)field = false;
            return true;
        }
        *why = "not on or off";
        return false;
    case KIND_PAGES:
        if (!strcmp(text, "4k") || !strcmp(text, "4K")) {
            *(unsigned *)field = 12;
            return true;
        }
        if (!strcmp(text, "2m") || !strcmp(text, "2M")) {
            *(unsigned *)field = 21;
            return true;
        }
        *why = "not 4k or 2m";
        return false;
    case KIND_PATH:
        if (text[0] == '\0' || strlen(text) >= PARAMS_PATH_MAX) {
            *why = "empty or too long";
            return false;
        }
        strcpy((char *)field, text);
        return true;
    }
    *why = "unknown kind";
    return false;
}

static void usage_error(char *err, size_t err_size, const char *arg, const char *why)
{
    char usage[2048];
    params_usage(usage, sizeof(usage));
    snprintf(err, err_size, "bad argument '%s': %s; valid arguments: %s", arg, why, usage);
}

bool params_apply(struct model_params *p, const char *arg, char *err, size_t err_size)
{
    const char *eq = strchr(arg, '=');
    if (!eq) {
        usage_error(err, err_size, arg, "not name=value");
        return false;
    }
    const struct param_def *def = find_param(arg, (size_t)(eq - arg));
    if (!def) {
        usage_error(err, err_size, arg, "no such parameter");
        return false;
    }
    const char *why = NULL;
    if (!parse_value(def, eq + 1, (char *)p + def->offset, &why)) {
        usage_error(err, err_size, arg, why);
        return false;
    }
    return true;
}

static bool check_cache(const struct cache_geometry *g, const char *level, char *err,
                        size_t err_size)
{
    const char *why;
    if (cache_geometry_valid(g, &why))
        return true;
    snprintf(err, err_size, "bad %s geometry (%s_size=%" PRIu64 " %s_ways=%u %s_line=%u): %s",
             level, level, g->size_bytes, level, g->ways, level, g->line_bytes, why);
    return false;
}

static bool check_tlb(const struct tlb_geometry *g, const char *name, char *err,
                      size_t err_size)
{
    const char *why;
    if (tlb_geometry_valid(g, &why))
        return true;
    snprintf(err, err_size, "bad %s geometry (%s_entries=%u %s_ways=%u): %s", name, name,
             g->entries, name, g->ways, why);
    return false;
}

bool params_validate(const struct model_params *p, char *err, size_t err_size)
{
    return check_cache(&p->l1i, "l1i", err, err_size) &&
           check_cache(&p->l1d, "l1d", err, err_size) &&
           check_cache(&p->l2, "l2", err, err_size) &&
           check_cache(&p->l3, "l3", err, err_size) &&
           check_tlb(&p->itlb, "itlb", err, err_size) &&
           check_tlb(&p->dtlb, "dtlb", err, err_size) &&
           check_tlb(&p->itlb_large, "itlb2m", err, err_size) &&
           check_tlb(&p->dtlb_large, "dtlb2m", err, err_size);
}

static int format_value(const struct param_def *def, const void *field, char *buf,
                        size_t size)
{
    switch (def->kind) {
    case KIND_BYTES:
        return snprintf(buf, size, "%" PRIu64, *(const uint64_t *)field);
    case KIND_UINT:
        return snprintf(buf, size, "%u", *(const unsigned *)field);
    case KIND_ADDRESS:
        return snprintf(buf, size, "0x%" PRIx64, *(const uint64_t *)field);
    case KIND_INT64:
        return snprintf(buf, size, "%" PRId64, *(const int64_t *)field);
    case KIND_BOOL:
        return snprintf(buf, size, "%s", *(const bool *)field ? "on" : "off");
    case KIND_PAGES:
        return snprintf(buf, size, "%s", *(const unsigned *)field == 21 ? "2m" : "4k");
    case KIND_PATH:
        return snprintf(buf, size, "%s", (const char *)field);
    }
    return 0;
}

size_t params_format(const struct model_params *p, char *buf, size_t buf_size)
{
    size_t n = 0;
    if (buf_size)
        buf[0] = '\0';
    for (size_t i = 0; i < PARAM_COUNT && n + 1 < buf_size; i++) {
        const struct param_def *def = &param_table[i];
        if (def->kind == KIND_PATH)
            continue; /* where output goes is not part of the model */
        int w = snprintf(buf + n, buf_size - n, "%s%s=", n ? "," : "", def->name);
        if (w < 0 || (size_t)w >= buf_size - n)
            return buf_size - 1;
        n += (size_t)w;
        w = format_value(def, (const char *)p + def->offset, buf + n, buf_size - n);
        if (w < 0 || (size_t)w >= buf_size - n)
            return buf_size - 1;
        n += (size_t)w;
    }
    return n;
}
