/*
 * /init of the Linux guest: one boot measures Linux IPC the way bench/guest/ measures
 * the microkernel's, and prints it in the format of bench/FORMAT.md (version 2).
 *
 * Order: BEGIN and CONFIG lines, environment checks, the counter read, the stub
 * calibration, the null system call, then each cross-process mechanism
 * (pingpong.c), the END line, and the exit through isa-debug-exit.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "linuxbench.h"

#define MAX_SAMPLES 100000u

/* Back-to-back counter reads: what one read costs, reported raw (nothing subtracted). */
static void counter_case(struct run *r)
{
    for (unsigned i = 0; i < r->warmup + r->samples; i++) {
        uint64_t a = counter_read();
        uint64_t b = counter_read();
        if (i >= r->warmup)
            r->values[i - r->warmup] = (int64_t)(b - a);
    }
    report_case(r, "counter", "self", 0, "read", 0, r->values);
}

/* The overheads every other case subtracts: the stub and the pair of stubs with a nop
 * for the trap. The minimum is the one value no interrupt has inflated; under icount
 * every sample is that value except the ones a timer interrupt lands in. */
static void calibrate(struct run *r)
{
    struct sc a = {.nr = SYS_getppid}, b = {.nr = SYS_getppid};
    r->ovh_one = r->ovh_pair = UINT64_MAX;
    for (unsigned i = 0; i < r->warmup + r->samples; i++) {
        sc_timed_nop(&a);
        if (i >= r->warmup && a.t_after - a.t_before < r->ovh_one)
            r->ovh_one = a.t_after - a.t_before;
        sc_pair_nop(&a, &b);
        if (i >= r->warmup && b.t_after - a.t_before < r->ovh_pair)
            r->ovh_pair = b.t_after - a.t_before;
    }
    report_text("overhead: one nop stub %llu, nop pair %llu",
                (unsigned long long)r->ovh_one, (unsigned long long)r->ovh_pair);
    report_flush();
}

/* getppid: a system call that reads one field and returns; through syscall, never a
 * libc cache or the vDSO. For PID 1 it returns 0. */
static void null_syscall_case(struct run *r)
{
    struct sc s;
    int64_t wrong = 0;
    for (unsigned i = 0; i < r->warmup + r->samples; i++) {
        s = (struct sc){.nr = SYS_getppid};
        sc_timed(&s);
        wrong += s.ret != 0;
        if (i >= r->warmup)
            r->values[i - r->warmup] = (int64_t)(s.t_after - s.t_before - r->ovh_one);
    }
    report_case(r, "null_syscall", "self", 0, "round", r->ovh_one, r->values);
    report_check(r, "null_syscall_result", 0, wrong);
}

/* The environment the numbers depend on: one CPU, pinned, and the isolation mode the
 * command line asked for really in force. */
static void environment_checks(struct run *r, int mount_failures, int pinned, int pti)
{
    char want[8], line[64];
    report_check(r, "mount_proc_sys", 0, mount_failures);
    report_check(r, "online_cpus", 1, sysconf(_SC_NPROCESSORS_ONLN));
    report_check(r, "pinned_cpu0", 0, pinned);
    report_check(r, "pti_known", 1, pti >= 0);
    if (cmdline_value("pti", want, sizeof(want)))
        report_check(r, "pti_as_requested", want[0] == 'o' && want[1] == 'n', pti);
    /* The TSC is the clocksource the boot line asks for: the numbers assume no other
     * clocksource and no clocksource watchdog (bench/linux/README.md). */
    read_first_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", line,
                    sizeof(line));
    report_check(r, "clocksource_tsc", 1, strcmp(line, "tsc") == 0);
}

/* The distribution's version of the kernel build, from uname -v ("... Debian
 * 6.1.192-3 (date)"): uname -r names the ABI, which several package versions share. */
static void build_version(const char *uts_version, char *out, size_t size)
{
    const char *p = strstr(uts_version, "Debian ");
    size_t n = p ? strcspn(p + 7, " ") : 0;
    if (n == 0 || n >= size) {
        snprintf(out, size, "unknown");
        return;
    }
    memcpy(out, p + 7, n);
    out[n] = '\0';
}

int main(void)
{
    struct run r = {0};
    int mount_failures = system_mount();
    char clock[32], mitigations[32], policy[16], version[64], line[256];

    r.samples = (unsigned)cmdline_ulong("samples", 1000);
    r.warmup = (unsigned)cmdline_ulong("warmup", 100);
    if (r.samples < 1)
        r.samples = 1;
    if (r.samples > MAX_SAMPLES)
        r.samples = MAX_SAMPLES;
    if (r.warmup > MAX_SAMPLES)
        r.warmup = MAX_SAMPLES;
    r.values = calloc(r.samples, sizeof(*r.values));
    if (!cmdline_value("clock", clock, sizeof(clock)))
        snprintf(clock, sizeof(clock), "unknown");
    if (!cmdline_value("mitigations", mitigations, sizeof(mitigations)))
        snprintf(mitigations, sizeof(mitigations), "auto");
    if (!cmdline_value("policy", policy, sizeof(policy)) || strcmp(policy, "fifo") != 0)
        snprintf(policy, sizeof(policy), "other");
    r.fifo = strcmp(policy, "fifo") == 0;
    int pinned = pin_to_cpu0();
    int pti = pti_active();
    struct utsname u;
    if (uname(&u) != 0) {
        snprintf(u.release, sizeof(u.release), "unknown");
        u.version[0] = '\0';
    }
    build_version(u.version, version, sizeof(version));

    report_begin(&r, clock);
    report_config(u.release, version, pti == 1 ? "on" : pti == 0 ? "off" : "unknown",
                  mitigations, policy);
    report_text("kernel %s %s", u.release, u.version);
    read_first_line("/sys/devices/system/cpu/vulnerabilities/meltdown", line, sizeof(line));
    report_text("meltdown: %s", line);
    read_first_line("/sys/devices/system/cpu/vulnerabilities/spectre_v2", line, sizeof(line));
    report_text("spectre_v2: %s", line);
    environment_checks(&r, mount_failures, pinned, pti);
    if (!r.values) {
        report_check(&r, "sample_memory", 0, 1);
        report_end(&r);
        debug_exit(0);
    }
    report_flush();

    counter_case(&r);
    calibrate(&r);
    null_syscall_case(&r);
    run_cross_process(&r);

    report_end(&r);
    debug_exit(r.failed == 0);
}
