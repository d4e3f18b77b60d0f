/*
 * Bad input from user mode: each misuse of a system call must come back with its
 * error code while the kernel and every other thread run on. Also checks that a
 * faulting thread is killed alone, that its thread ID is then refused, and that a
 * caller waiting on it is released with E_ABORTED, and that the timer preempts a thread
 * that never blocks.
 */
#include "runtime.h"

#define UNUSED_SLOT 60
#define RECV_ONLY_SLOT 61
#define SEND_ONLY_SLOT 62
#define NOT_A_SYSCALL 99
/* The kernel image's first byte on this architecture (abi_arch.h): mapped in every
 * space, for the kernel only. */
#define KERNEL_ADDRESS KERNEL_IMAGE_BASE
#define UNMAPPED_ADDRESS 0x500000000ull

static unsigned *n_checks, *n_failed;

static void check(const char *name, uint64_t expect, uint64_t got)
{
    report_check_count(n_checks, n_failed, name, expect, got);
}

static uint64_t sys(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                    uint64_t a4)
{
    return syscall5(nr, a0, a1, a2, a3, a4).error;
}

/* A thread that optionally takes one message, then touches address 0 and dies; or,
 * with crash_address set, reads that address first, which must kill it there: a
 * thread that survives the read says so before it dies at address 0. */
static volatile uint64_t crash_recv_from, crash_address, crash_read_survived;

static void crashing_thread(uint64_t take_message)
{
    if (take_message)
        ipc_error(SYS_RECV, 0, 0, crash_recv_from);
    if (crash_address) {
        (void)*(volatile uint64_t *)(uintptr_t)crash_address;
        crash_read_survived = 1;
    }
    *(volatile uint64_t *)0 = 1;
}

/* The kernel's image is mapped in every space for the kernel alone: a user thread
 * that reads it is killed there (its caller gets E_ABORTED), it never reads on.
 * call() makes the crashing thread's partner call it; it returns the call's error. */
static void kernel_image_unreadable(uint64_t recv_from, uint64_t (*call)(uint64_t tid))
{
    struct thread_info crash;
    crash_recv_from = recv_from;
    crash_address = KERNEL_ADDRESS;
    crash_read_survived = 0;
    thread_spawn(kip->root_space, crashing_thread, 1, BENCH_PRIORITY, &crash);
    check("read_kernel_image_kills", E_ABORTED, call(crash.tid));
    check("read_kernel_image_stopped", 0, crash_read_survived);
    crash_address = 0;
}

static uint64_t call_tid(uint64_t tid)
{
    return ipc_error(SYS_CALL, tid, 0, 0);
}

static uint64_t call_send_slot(uint64_t tid)
{
    (void)tid;
    return ipc_error(SYS_CALL, SEND_ONLY_SLOT, 0, 0);
}

static void common_checks(void)
{
    check("unknown_syscall", E_INVALID_SYSCALL, sys(NOT_A_SYSCALL, 0, 0, 0, 0, 0));
    check("write_kernel_address", E_BAD_ADDRESS, sys(SYS_DEBUG_WRITE, KERNEL_ADDRESS, 16, 0, 0, 0));
    check("write_unmapped", E_BAD_ADDRESS, sys(SYS_DEBUG_WRITE, UNMAPPED_ADDRESS, 16, 0, 0, 0));
    check("write_wraparound", E_BAD_ADDRESS, sys(SYS_DEBUG_WRITE, ~0ull - 8, 16, 0, 0, 0));
    check("create_bad_space", E_INVALID_ARG,
          sys(SYS_THREAD_CREATE, 999, ROOT_UTCB_ADDRESS + 0x200000, BENCH_PRIORITY, 0, 0));
    check("create_unaligned_utcb", E_INVALID_ARG,
          sys(SYS_THREAD_CREATE, kip->root_space, ROOT_UTCB_ADDRESS + 0x200008, 1, 0, 0));
    check("create_bad_priority", E_INVALID_ARG,
          sys(SYS_THREAD_CREATE, kip->root_space, ROOT_UTCB_ADDRESS + 0x200000, 300, 0, 0));
    check("map_unmapped_source", E_BAD_ADDRESS,
          sys(SYS_MAP, kip->root_space, UNMAPPED_ADDRESS, UNMAPPED_ADDRESS + 0x1000, 1, 0));
    check("map_into_kernel", E_BAD_ADDRESS,
          sys(SYS_MAP, kip->root_space, ROOT_IMAGE_BASE, KERNEL_ADDRESS, 1, 0));
    check("shutdown_bad_space_map", E_INVALID_ARG,
          sys(SYS_MAP, 999, ROOT_IMAGE_BASE, ROOT_IMAGE_BASE, 1, 0));

    struct thread_info idle;
    check("make_thread", E_OK, (uint64_t)thread_make(kip->root_space, BENCH_PRIORITY, &idle));
    check("start_kernel_ip", E_BAD_ADDRESS, sys(SYS_THREAD_START, idle.tid, KERNEL_ADDRESS,
                                                ROOT_UTCB_ADDRESS, 0, 0));
    check("start_stale_version", E_INVALID_DEST,
          sys(SYS_THREAD_START, idle.tid + 1, ROOT_IMAGE_BASE, ROOT_UTCB_ADDRESS, 0, 0));
}

static void tid_checks(void)
{
    struct thread_info idle;
    thread_make(kip->root_space, BENCH_PRIORITY, &idle);
    uint64_t too_long = kip->max_words + 1;
    check("call_too_long", E_MSG_TOO_LONG, ipc_error(SYS_CALL, idle.tid, tag_make(too_long, 0), 0));
    check("call_unknown_tid", E_INVALID_DEST,
          ipc_error(SYS_CALL, ((uint64_t)63 << TID_VERSION_BITS) | 77, 0, 0));
    check("call_number_out_of_range", E_INVALID_DEST,
          ipc_error(SYS_CALL, (uint64_t)5000 << TID_VERSION_BITS | 1, 0, 0));
    check("call_self", E_SELF_IPC, ipc_error(SYS_CALL, kip->root_tid, 0, 0));
    check("recv_from_self", E_SELF_IPC, ipc_error(SYS_RECV, 0, 0, kip->root_tid));
    check("send_nonblocking_no_receiver", E_WOULD_BLOCK,
          ipc_error(SYS_SEND, idle.tid, TAG_SEND_NONBLOCK, 0));
    check("recv_nonblocking_no_sender", E_WOULD_BLOCK,
          ipc_error(SYS_RECV, 0, TAG_RECV_NONBLOCK, IPC_ANY));
    check("reply_to_thread_not_waiting", E_WOULD_BLOCK,
          ipc_error(SYS_REPLY_WAIT, idle.tid, 0, IPC_ANY));
    check("endpoint_create_without_endpoints", E_INVALID_SYSCALL,
          sys(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0));

    /* A caller is released with E_ABORTED when its partner dies; the dead thread's
     * ID is stale from then on. */
    struct thread_info crash;
    crash_recv_from = IPC_ANY;
    thread_spawn(kip->root_space, crashing_thread, 1, BENCH_PRIORITY, &crash);
    check("call_partner_dies", E_ABORTED, ipc_error(SYS_CALL, crash.tid, 0, 0));
    check("call_dead_thread", E_INVALID_DEST, ipc_error(SYS_CALL, crash.tid, 0, 0));
    kernel_image_unreadable(IPC_ANY, call_tid);
}

static void endpoint_checks(void)
{
    struct sys_result ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
    check("endpoint_create", E_OK, ep.error);
    uint64_t slot = ep.value;
    uint64_t too_long = kip->max_words + 1;
    check("call_too_long", E_MSG_TOO_LONG, ipc_error(SYS_CALL, slot, tag_make(too_long, 0), 0));
    check("call_empty_slot", E_INVALID_CAP, ipc_error(SYS_CALL, UNUSED_SLOT, 0, 0));
    check("call_slot_out_of_range", E_INVALID_CAP, ipc_error(SYS_CALL, 1000, 0, 0));
    check("call_nil", E_INVALID_CAP, ipc_error(SYS_CALL, IPC_NIL, 0, 0));
    check("mint_recv_only", E_OK,
          sys(SYS_CAP_MINT, kip->root_space, slot, RECV_ONLY_SLOT, 0, CAP_RIGHT_RECV));
    check("mint_send_only", E_OK,
          sys(SYS_CAP_MINT, kip->root_space, slot, SEND_ONLY_SLOT, 7, CAP_RIGHT_SEND));
    check("mint_into_used_slot", E_INVALID_ARG,
          sys(SYS_CAP_MINT, kip->root_space, slot, SEND_ONLY_SLOT, 7, CAP_RIGHT_SEND));
    check("call_with_recv_only_cap", E_INVALID_CAP, ipc_error(SYS_CALL, RECV_ONLY_SLOT, 0, 0));
    check("recv_with_send_only_cap", E_INVALID_CAP, ipc_error(SYS_RECV, 0, 0, SEND_ONLY_SLOT));
    check("send_nonblocking_no_receiver", E_WOULD_BLOCK,
          ipc_error(SYS_SEND, SEND_ONLY_SLOT, TAG_SEND_NONBLOCK, 0));
    check("recv_nonblocking_no_sender", E_WOULD_BLOCK,
          ipc_error(SYS_RECV, 0, TAG_RECV_NONBLOCK, RECV_ONLY_SLOT));
    check("reply_without_caller", E_INVALID_DEST, ipc_error(SYS_REPLY_WAIT, 0, 0, RECV_ONLY_SLOT));

    /* The receiver dies holding our call: E_ABORTED, and its ID is stale after. */
    struct thread_info crash;
    crash_recv_from = RECV_ONLY_SLOT;
    thread_spawn(kip->root_space, crashing_thread, 1, BENCH_PRIORITY, &crash);
    check("call_partner_dies", E_ABORTED, ipc_error(SYS_CALL, SEND_ONLY_SLOT, 0, 0));
    check("start_dead_thread", E_INVALID_DEST,
          sys(SYS_THREAD_START, crash.tid, ROOT_IMAGE_BASE, ROOT_UTCB_ADDRESS, 0, 0));
    kernel_image_unreadable(RECV_ONLY_SLOT, call_send_slot);
}

/* A thread that never blocks until told: only the timer can take the CPU from it. */
static volatile uint64_t spin_count, spin_stop;

static void spinning_thread(uint64_t block_on)
{
    while (!spin_stop)
        spin_count++;
    ipc_error(SYS_RECV, 0, 0, block_on); /* nobody ever sends: blocked for good */
}

/* Timeslices: the root yields to a spinner of its own priority and gets the CPU back
 * only if the timer preempts the spinner and round robin comes back to the root. */
static void preemption_check(void)
{
    uint64_t block_on = IPC_ANY;
    if (kip_config_is("dest", "endpoint"))
        block_on = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0).value;
    struct thread_info spinner;
    check("spawn_spinner", E_OK, (uint64_t)thread_spawn(kip->root_space, spinning_thread,
                                                        block_on, BENCH_PRIORITY, &spinner));
    check("yield", E_OK, sys(SYS_YIELD, 0, 0, 0, 0, 0));
    check("preempted_spinner_ran", 1, spin_count > 0);
    spin_stop = 1;
    sys(SYS_YIELD, 0, 0, 0, 0, 0);
}

void bad_input_checks(unsigned *checks, unsigned *failed)
{
    n_checks = checks;
    n_failed = failed;
    common_checks();
    if (kip_config_is("dest", "endpoint"))
        endpoint_checks();
    else
        tid_checks();
    preemption_check();
    /* After all of it the kernel still serves a plain system call. */
    check("kernel_runs_on", E_OK, sys(SYS_NULL, 0, 0, 0, 0, 0));
}
