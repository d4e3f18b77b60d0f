/*
 * The time lessons' checks, run by the ipc workload after its benchmarks (so nothing
 * they do moves a measured sample): interrupt lines delivered to user threads
 * (registration, delivery, masking until the ack, bad input), the user timer,
 * SYS_UNMAP and its restart at preemption points, the user-level scheduler's calls,
 * SYS_KSTAT. Each misuse must come back with its error code while the kernel runs on.
 */
#include "irq.h"
#include "runtime.h"

#define UNUSED_SLOT 60
#define NOT_A_LINE 99
#define KERNEL_ADDRESS 0x100000ull
/* Scratch addresses for mappings, in the user half of every architecture. */
#define SCRATCH (ROOT_IMAGE_BASE + 0x10000000ull)
#define SCRATCH2 (ROOT_IMAGE_BASE + 0x18000000ull)
#define LONG_UNMAP_PAGES 2048

extern char __image_base[], __image_end[];

static unsigned *n_checks, *n_failed;
static int icount;
static int release_kernel;

static void check(const char *name, uint64_t expect, uint64_t got)
{
    report_check_count(n_checks, n_failed, name, expect, got);
}

static uint64_t sys(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    return syscall5(nr, a0, a1, a2, 0, 0).error;
}

static uint64_t kstat(unsigned which)
{
    return syscall5(SYS_KSTAT, which, 0, 0, 0, 0).value;
}

/* ---- one call made by another thread: it runs at once (above the root's priority),
 * makes the call, and parks in a receive nobody answers until it is destroyed ---- */

static volatile uint64_t helper_nr, helper_a[3], helper_error;

static void helper(uint64_t park_from)
{
    helper_error = syscall5(helper_nr, helper_a[0], helper_a[1], helper_a[2], 0, 0).error;
    for (;;)
        ipc_op(SYS_RECV, 0, 0, park_from);
}

static uint64_t park_endpoint;   /* DEST=endpoint: an endpoint no one sends to */
static int64_t other_space = -1;

static uint64_t call_from_thread(int other_task, uint64_t nr, uint64_t a0, uint64_t a1,
                                 uint64_t a2)
{
    uint64_t space = kip->root_space, park_from = IPC_ANY;
    if (kip_config_is("dest", "endpoint"))
        park_from = park_endpoint;
    if (other_task) {
        if (other_space < 0) {
            other_space = space_with_root_image();
            if (other_space >= 0 && park_from != IPC_ANY)
                syscall5(SYS_CAP_MINT, (uint64_t)other_space, park_endpoint, 1, 0,
                         CAP_RIGHT_RECV);
        }
        space = (uint64_t)other_space;
        if (park_from != IPC_ANY)
            park_from = 1;      /* the slot the mint above filled in that task */
    }
    helper_nr = nr;
    helper_a[0] = a0;
    helper_a[1] = a1;
    helper_a[2] = a2;
    helper_error = ~0ull;
    struct thread_info t;
    if (thread_spawn(space, helper, park_from, BENCH_PRIORITY + 1, &t) != E_OK)
        return ~0ull;
    thread_release(&t);
    return helper_error;
}

/* Sleep until counter + ticks on the user timer (the line registered by h). */
static void sleep_for(const struct irq_handle *h, uint64_t ticks)
{
    timer_arm(counter_read() + ticks);
    irq_wait(h, 0, 0);
    irq_ack(h);
}

static void spin_for(uint64_t ticks)
{
    uint64_t until = counter_read() + ticks;
    while (counter_read() < until)
        ;
}

/* What the handler sees as r1 of its interrupt: the pseudo-thread's ID, the unbadged
 * endpoint capability's badge (0), or the unbadged notification's bit (1). */
static uint64_t expected_bits(const struct irq_handle *h)
{
    return h->mode == IRQ_BY_TID ? IRQ_SENDER_ID(h->line)
                                 : h->mode == IRQ_BY_ENDPOINT ? 0 : 1;
}

static void irq_checks(void)
{
    struct irq_handle h;
    check("irq_register_no_line", E_INVALID_ARG, sys(SYS_IRQ_REGISTER, NOT_A_LINE, IPC_NIL, 0));
    check("irq_ack_no_line", E_INVALID_ARG, sys(SYS_IRQ_ACK, NOT_A_LINE, 0, 0));
    check("irq_ack_unowned", E_NOT_OWNER, sys(SYS_IRQ_ACK, IRQ_LINE_TIMER, 0, 0));
    check("irq_release_unowned", E_NOT_OWNER, sys(SYS_IRQ_RELEASE, IRQ_LINE_TIMER, 0, 0));
    check("timer_arm_unowned", E_NOT_OWNER, timer_arm(1));
    if (irq_kernel_mode() == IRQ_BY_TID)
        check("irq_register_object_with_tids", E_INVALID_ARG,
              sys(SYS_IRQ_REGISTER, IRQ_LINE_TIMER, UNUSED_SLOT, 0));
    else
        check("irq_register_empty_slot", E_INVALID_CAP,
              sys(SYS_IRQ_REGISTER, IRQ_LINE_TIMER, UNUSED_SLOT, 0));

    check("irq_register", E_OK, irq_open(&h, IRQ_LINE_TIMER, IPC_NIL));
    check("irq_register_twice", E_IRQ_BUSY, sys(SYS_IRQ_REGISTER, IRQ_LINE_TIMER, h.object, 0));
    check("irq_ack_other_thread", E_NOT_OWNER,
          call_from_thread(0, SYS_IRQ_ACK, IRQ_LINE_TIMER, 0, 0));
    check("irq_release_other_thread", E_NOT_OWNER,
          call_from_thread(0, SYS_IRQ_RELEASE, IRQ_LINE_TIMER, 0, 0));
    check("irq_register_other_task", E_NO_PERMISSION,
          call_from_thread(1, SYS_IRQ_REGISTER, IRQ_LINE_TIMER, IPC_NIL, 0));
    check("timer_arm_other_task", E_NOT_OWNER, call_from_thread(1, SYS_TIMER_ARM, 1, 0, 0));

    /* Delivery: the timer fires once, the handler wakes after the deadline. */
    uint64_t irqs = kstat(KSTAT_IRQS);
    check("irq_none_pending", E_WOULD_BLOCK, irq_wait(&h, 1, 0));
    uint64_t deadline = counter_read() + 50000;
    check("timer_arm", E_OK, timer_arm(deadline));
    uint64_t bits = 0;
    check("irq_delivered", E_OK, irq_wait(&h, 0, &bits));
    uint64_t woke = counter_read();
    check("irq_sender_right", 1, bits == expected_bits(&h));
    check("irq_not_early", 1, woke >= deadline);
    /* The deadline converts exactly only where the counter is icount; and a debug
     * kernel sweeps every object invariant at each system call and interrupt, so its
     * wake-up latency measures the sweeps (which grow with every axis's checks). */
    if (icount && release_kernel)
        check("irq_on_time", 1, woke - deadline < 20000);

    /* Masked until the ack: one that fires meanwhile waits, and comes at the ack. */
    timer_arm(counter_read() + 1000);
    spin_for(20000);
    check("irq_masked_until_ack", E_WOULD_BLOCK, irq_wait(&h, 1, 0));
    check("irq_ack", E_OK, irq_ack(&h));
    check("irq_pending_delivered_at_ack", E_OK, irq_wait(&h, 1, &bits));
    check("irq_pending_sender_right", 1, bits == expected_bits(&h));
    check("irq_ack_pending", E_OK, irq_ack(&h));
    check("irq_ack_idempotent", E_OK, irq_ack(&h));
    check("irq_none_after_ack", E_WOULD_BLOCK, irq_wait(&h, 1, 0));
    check("kstat_irqs_delivered", 2, kstat(KSTAT_IRQS) - irqs);

    /* Released: the line and its timer are no one's until registered again. */
    timer_arm(counter_read() + 5000);
    check("irq_release", E_OK, irq_close(&h));
    spin_for(20000);
    check("timer_arm_released", E_NOT_OWNER, timer_arm(1));
    check("irq_ack_released", E_NOT_OWNER, sys(SYS_IRQ_ACK, IRQ_LINE_TIMER, 0, 0));
    check("irq_register_again", E_OK, irq_open(&h, IRQ_LINE_TIMER, IPC_NIL));
    check("irq_released_timer_quiet", E_WOULD_BLOCK, irq_wait(&h, 1, 0));
    check("irq_release_again", E_OK, irq_close(&h));
}

/* Map `pages` pages of the root image, repeated, at addr of the root task's space. */
static uint64_t map_repeated(uint64_t addr, uint64_t pages)
{
    uint64_t base = (uint64_t)(uintptr_t)__image_base;
    uint64_t image = ((uint64_t)(uintptr_t)__image_end - base) / USER_PAGE_SIZE;
    for (uint64_t done = 0; done < pages;) {
        uint64_t n = pages - done < image ? pages - done : image;
        uint64_t error = syscall5(SYS_MAP, kip->root_space, base, addr + done * USER_PAGE_SIZE,
                                  n, 0).error;
        if (error != E_OK)
            return error;
        done += n;
    }
    return E_OK;
}

static uint64_t mapped(uint64_t addr)
{
    return syscall5(SYS_MAP, kip->root_space, addr, SCRATCH2, 1, 0).error;
}

static void unmap_checks(void)
{
    uint64_t root = kip->root_space;
    check("unmap_unaligned", E_INVALID_ARG, sys(SYS_UNMAP, root, SCRATCH + 8, 1));
    check("unmap_no_pages", E_INVALID_ARG, sys(SYS_UNMAP, root, SCRATCH, 0));
    check("unmap_kernel_address", E_BAD_ADDRESS, sys(SYS_UNMAP, root, KERNEL_ADDRESS, 1));
    check("unmap_past_user_top", E_BAD_ADDRESS, sys(SYS_UNMAP, root, SCRATCH, ~0ull >> 12));
    check("unmap_bad_space", E_INVALID_ARG, sys(SYS_UNMAP, 999, SCRATCH, 1));
    check("unmap_other_task", E_NO_PERMISSION, call_from_thread(1, SYS_UNMAP, root, SCRATCH, 1));

    check("unmap_setup", E_OK, map_repeated(SCRATCH, 4));
    check("unmap_source_mapped", E_OK, mapped(SCRATCH + 3 * USER_PAGE_SIZE));
    check("unmap", E_OK, sys(SYS_UNMAP, root, SCRATCH, 4));
    check("unmapped_first", E_BAD_ADDRESS, mapped(SCRATCH));
    check("unmapped_last", E_BAD_ADDRESS, mapped(SCRATCH + 3 * USER_PAGE_SIZE));
    check("unmap_absent_pages", E_OK, sys(SYS_UNMAP, root, SCRATCH, 4));
    sys(SYS_UNMAP, root, SCRATCH2, 1);

    /* A long unmap with the user timer firing in the middle: under PREEMPT=points it
     * stops there and restarts with the rest, under none it runs through; either way
     * every page is gone and the interrupt reaches its handler. */
    struct irq_handle h;
    check("unmap_long_setup", E_OK, map_repeated(SCRATCH, LONG_UNMAP_PAGES));
    check("unmap_long_irq", E_OK, irq_open(&h, IRQ_LINE_TIMER, IPC_NIL));
    uint64_t before = kstat(KSTAT_PREEMPTIONS);
    timer_arm(counter_read() + 5000);
    check("unmap_long", E_OK, sys(SYS_UNMAP, root, SCRATCH, LONG_UNMAP_PAGES));
    uint64_t preemptions = kstat(KSTAT_PREEMPTIONS) - before;
    check("unmap_long_first_gone", E_BAD_ADDRESS, mapped(SCRATCH));
    check("unmap_long_last_gone", E_BAD_ADDRESS,
          mapped(SCRATCH + (LONG_UNMAP_PAGES - 1) * USER_PAGE_SIZE));
    if (kip_config_is("preempt", "points"))
        check("unmap_long_preempted", 1, preemptions > 0);
    else
        check("unmap_long_not_preempted", 0, preemptions);
    check("unmap_long_irq_arrived", E_OK, irq_wait(&h, 1, 0));
    irq_ack(&h);
    irq_close(&h);
}

/* A managed thread: says it ran, then blocks for good. */
static volatile uint64_t managed_ran;

static void managed_thread(uint64_t park_from)
{
    managed_ran = 1;
    for (;;)
        ipc_op(SYS_RECV, 0, 0, park_from);
}

static void usched_checks(void)
{
    if (!kip_config_is("notify", "notify")) {
        check("sched_control_without_notify", E_INVALID_SYSCALL,
              sys(SYS_SCHED_CONTROL, IPC_NIL, 0, 0));
        return;
    }
    check("sched_run_not_scheduler", E_NOT_OWNER, sys(SYS_SCHED_RUN, kip->root_tid, 0, 0));
    check("sched_control_empty_slot", E_INVALID_CAP, sys(SYS_SCHED_CONTROL, UNUSED_SLOT, 0, 0));
    struct sys_result n = syscall5(SYS_NOTIFY_CREATE, 0, 0, 0, 0, 0);
    check("sched_events_create", E_OK, n.error);
    check("sched_control", E_OK, sys(SYS_SCHED_CONTROL, n.value, 0, 0));
    check("sched_control_twice", E_INVALID_ARG, sys(SYS_SCHED_CONTROL, n.value, 0, 0));
    check("sched_control_other_task", E_NO_PERMISSION,
          call_from_thread(1, SYS_SCHED_CONTROL, IPC_NIL + 1, 0, 0));

    struct irq_handle h;
    irq_open(&h, IRQ_LINE_TIMER, IPC_NIL);
    uint64_t park_from = kip_config_is("dest", "endpoint") ? park_endpoint : IPC_ANY;
    struct thread_info w, plain;
    managed_ran = 0;
    thread_make(kip->root_space, BENCH_PRIORITY - 1, &w);
    thread_make(kip->root_space, BENCH_PRIORITY - 1, &plain);
    check("sched_manage", E_OK, sys(SYS_SCHED_MANAGE, w.tid, 1, 0));
    check("sched_manage_self", E_INVALID_ARG, sys(SYS_SCHED_MANAGE, kip->root_tid, 1, 0));
    check("sched_run_unmanaged", E_NOT_MANAGED, sys(SYS_SCHED_RUN, plain.tid, 0, 0));
    check("sched_release_unmanaged", E_NOT_MANAGED, sys(SYS_SCHED_MANAGE, plain.tid, 0, 0));
    check("sched_run_not_ready", E_WOULD_BLOCK, sys(SYS_SCHED_RUN, w.tid, 0, 0));
    check("sched_managed_start", E_OK, (uint64_t)thread_begin(&w, managed_thread, park_from));
    uint64_t bit = 1ull << (w.tid >> TID_VERSION_BITS);
    struct sys_result ev = syscall5(SYS_POLL, n.value, 0, 0, 0, 0);
    check("sched_event_ready", bit, ev.value & bit);
    sleep_for(&h, 30000);       /* the root blocks: a parked thread must not run */
    check("sched_parked_not_run", 0, managed_ran);
    check("sched_run", E_OK, sys(SYS_SCHED_RUN, w.tid, 0, 0));
    sleep_for(&h, 30000);       /* now it runs, and blocks: the scheduler is told */
    check("sched_dispatched_ran", 1, managed_ran);
    ev = syscall5(SYS_POLL, n.value, 0, 0, 0, 0);
    check("sched_event_stopped", USCHED_EVENT_STOPPED, ev.value & USCHED_EVENT_STOPPED);
    thread_release(&w);
    thread_release(&plain);
    check("sched_run_dead", E_INVALID_DEST, sys(SYS_SCHED_RUN, w.tid, 0, 0));
    check("sched_manage_dead", E_INVALID_DEST, sys(SYS_SCHED_MANAGE, w.tid, 1, 0));
    check("sched_control_end", E_OK, sys(SYS_SCHED_CONTROL, IPC_NIL, 0, 0));
    check("sched_run_after_end", E_NOT_OWNER, sys(SYS_SCHED_RUN, w.tid, 0, 0));
    irq_close(&h);
    sys(SYS_CAP_DELETE, n.value, 0, 0);
}

/* Runs whenever the checks block on the timer, so that the kernel never idles: under
 * icount an idle CPU lets QEMU jump virtual time ahead, and the counter would then run
 * ahead of the instructions executed (the model's plugin, bench/model, assumes it never
 * does in a boot of the default mode). */
static void busy(uint64_t unused)
{
    (void)unused;
    for (;;)
        __asm__ volatile("" ::: "memory");
}

void time_checks(unsigned *checks, unsigned *failed)
{
    n_checks = checks;
    n_failed = failed;
    struct thread_info spinner;
    check("time_busy_thread", E_OK,
          (uint64_t)thread_spawn(kip->root_space, busy, 0, 1, &spinner));
    char clock[16];
    cmdline_str(kip->cmdline, "clock", clock, sizeof(clock), "");
    icount = str_eq(clock, "icount");
    release_kernel = str_eq(kip->build, "release");
    if (kip_config_is("dest", "endpoint"))
        park_endpoint = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0).value;
    check("kstat_no_counter", E_INVALID_ARG, sys(SYS_KSTAT, KSTAT_COUNT, 0, 0));
    irq_checks();
    unmap_checks();
    usched_checks();
    if (other_space >= 0)
        sys(SYS_SPACE_DESTROY, (uint64_t)other_space, 0, 0);
    check("time_busy_thread_released", E_OK, thread_release(&spinner));
    check("kernel_runs_on_time", E_OK, sys(SYS_NULL, 0, 0, 0));
}
