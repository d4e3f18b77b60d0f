/*
 * What /init needs from the system around it: /proc and /sys, the kernel command
 * line, which page-table isolation mode the kernel really runs, CPU pinning, shared
 * memory for the two processes, and the way out through QEMU's isa-debug-exit port.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linuxbench.h"

#define DEBUG_EXIT_PORT 0xf4

int system_mount(void)
{
    int bad = 0;
    /* The initramfs ships the mount points; mkdir covers an initramfs without them. */
    mkdir("/proc", 0555);
    mkdir("/sys", 0555);
    if (mount("proc", "/proc", "proc", 0, NULL) != 0 && errno != EBUSY)
        bad++;
    if (mount("sysfs", "/sys", "sysfs", 0, NULL) != 0 && errno != EBUSY)
        bad++;
    return bad;
}

static const char *cmdline(void)
{
    static char line[4096];
    static int loaded;
    if (!loaded) {
        loaded = 1;
        read_first_line("/proc/cmdline", line, sizeof(line));
    }
    return line;
}

/* The value of key=value on the kernel command line (the last one wins, as for the
 * kernel's own parameters), or NULL. */
const char *cmdline_value(const char *key, char *buf, size_t size)
{
    const char *found = NULL;
    size_t klen = strlen(key), flen = 0;
    for (const char *p = cmdline(); *p;) {
        while (*p == ' ')
            p++;
        const char *end = p + strcspn(p, " ");
        if ((size_t)(end - p) > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            found = p + klen + 1;
            flen = (size_t)(end - found);
        }
        p = end;
    }
    if (!found || size == 0)
        return NULL;
    if (flen >= size)
        flen = size - 1;
    memcpy(buf, found, flen);
    buf[flen] = '\0';
    return buf;
}

unsigned long cmdline_ulong(const char *key, unsigned long fallback)
{
    char buf[32], *end;
    if (!cmdline_value(key, buf, sizeof(buf)))
        return fallback;
    unsigned long v = strtoul(buf, &end, 10);
    return *end == '\0' && end != buf ? v : fallback;
}

void read_first_line(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (!fgets(buf, (int)size, f))
        buf[0] = '\0';
    fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
}

/* 1 if the kernel runs with page-table isolation, 0 if not, -1 if unknown. The
 * X86_FEATURE_PTI flag ("pti" in /proc/cpuinfo) is set exactly when the kernel
 * switches page tables on entry and exit. The Meltdown line in /sys says only whether
 * the CPU model is affected: on a model the kernel believes unaffected it reads "Not
 * affected" even when pti=on has forced isolation. */
int pti_active(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return -1;
    char line[4096];
    int result = -1;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "flags", 5) != 0)
            continue;
        result = 0;
        for (char *tok = strtok(strchr(line, ':') ? strchr(line, ':') + 1 : line, " \n");
             tok; tok = strtok(NULL, " \n"))
            if (strcmp(tok, "pti") == 0)
                result = 1;
        break;
    }
    fclose(f);
    return result;
}

/* Both processes of every benchmark run on CPU 0; fork() inherits the mask. */
int pin_to_cpu0(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    return sched_setaffinity(0, sizeof(set), &set);
}

/* Memory both sides of a fork() see: timestamps and tallies travel through it.
 * Every page is written once here so that no first-touch fault happens while timing. */
void *shared_alloc(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    memset(p, 0, bytes);
    return p;
}

/* QEMU's isa-debug-exit device ends the run with status (value << 1) | 1: 1 for ok,
 * 3 for fail, as the microkernel's runs do (bench/FORMAT.md, "Exit status"). */
_Noreturn void debug_exit(int ok)
{
    report_flush();
    if (ioperm(DEBUG_EXIT_PORT, 4, 1) == 0)
        outl(ok ? 0u : 1u, DEBUG_EXIT_PORT);
    /* Still here: no such device (or no ioperm). Power off; QEMU then exits 0, which
     * the harness reads as "QEMU stopped", never as a good run. */
    report_text("isa-debug-exit failed (%s); powering off", strerror(errno));
    report_flush();
    sync();
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}
