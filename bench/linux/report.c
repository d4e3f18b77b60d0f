/*
 * The result lines: bench/FORMAT.md, with format version 2 (BEGIN without the
 * microkernel's design axes, followed by a CONFIG line; bench/linux/README.md).
 *
 * Output goes through stdio to /dev/console (the serial port). report_flush() also
 * waits until the UART has sent everything, so no transmit interrupt of an earlier
 * line lands inside the samples that are timed next.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "linuxbench.h"

#define MAGIC "IPCLAB 2 "
#define VALUES_PER_LINE 16

void report_flush(void)
{
    fflush(stdout);
    tcdrain(STDOUT_FILENO);    /* fails harmlessly if stdout is not a tty */
}

/* A free-text log line: never read for numbers (it does not start with IPCLAB). */
void report_text(const char *fmt, ...)
{
    va_list ap;
    fputs("linux-init: ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
}

void report_begin(const struct run *r, const char *clock)
{
    printf(MAGIC "BEGIN variant=linux arch=x86_64 clock=%s build=release samples=%u "
           "warmup=%u counter=tsc reg_words=0 max_words=0\n",
           clock, r->samples, r->warmup);
}

void report_config(const char *kernel, const char *version, const char *pti,
                   const char *mitigations, const char *policy)
{
    printf(MAGIC "CONFIG kernel=%s version=%s pti=%s mitigations=%s policy=%s\n", kernel,
           version, pti, mitigations, policy);
}

void report_case(struct run *r, const char *bench, const char *space, unsigned len,
                 const char *metric, uint64_t overhead, const int64_t *values)
{
    unsigned id = r->cases++;
    printf(MAGIC "CASE id=%u bench=%s space=%s len=%u metric=%s overhead=%llu "
           "samples=%u\n", id, bench, space, len, metric, (unsigned long long)overhead,
           r->samples);
    long long sum = 0;
    for (unsigned i = 0; i < r->samples; i++) {
        if (i % VALUES_PER_LINE == 0)
            printf(MAGIC "DATA id=%u", id);
        printf(" %lld", (long long)values[i]);
        sum += values[i];
        if (i % VALUES_PER_LINE == VALUES_PER_LINE - 1 || i == r->samples - 1)
            putchar('\n');
    }
    printf(MAGIC "CASE-END id=%u count=%u sum=%lld\n", id, r->samples, sum);
    report_flush();
}

void report_skip(const char *bench, const char *space, unsigned len, const char *reason)
{
    printf(MAGIC "SKIP bench=%s space=%s len=%u reason=%s\n", bench, space, len, reason);
}

void report_check(struct run *r, const char *name, int64_t expect, int64_t got)
{
    r->checks++;
    r->failed += expect != got;
    printf(MAGIC "CHECK name=%s expect=%lld got=%lld result=%s\n", name,
           (long long)expect, (long long)got, expect == got ? "pass" : "fail");
}

void report_end(const struct run *r)
{
    printf(MAGIC "END status=%s cases=%u checks=%u failed=%u\n",
           r->failed ? "fail" : "ok", r->cases, r->checks, r->failed);
    report_flush();
}
