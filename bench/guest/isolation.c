/*
 * Isolation and authority, checked from user mode: the holes once found by hand in
 * this kernel, each provoked the way an attacker would, each answered by an error code
 * or the death of the offending thread while the kernel and every other thread run on.
 *
 *   - the top of the user half: the page whose last bytes would make SYSRET return to
 *     a non-canonical address cannot be mapped; a syscall at the very end of the
 *     highest page that can be returns to an unmapped (canonical) page and faults there;
 *   - authority: a task that did not create another cannot act on it, learns nothing
 *     about which IDs or handles are alive, cannot re-badge a badged capability, mint
 *     into another task, or create endpoints beyond its quota;
 *   - a caller whose partner died carries no stale partner link into a later send;
 *   - the FPU is denied to user threads, so no FPU state leaks between them (under
 *     FPU=lazy, fpu_check.c checks instead that each thread's state is its own);
 *   - threads and spaces give back every frame they took, and their IDs go stale;
 *   - a thread other than the root task's cannot forge a result or PANIC line;
 *   - starting a thread of higher priority runs it at once; a bad stack is refused.
 */
#include "runtime.h"

#define FORGERY_BADGE 0x99
#define CLIENT_BADGE 0x42
#define PREEMPT_PRIORITY (BENCH_PRIORITY + 50)
#define LIFECYCLE_ROUNDS 200

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

/* Let every thread of the root's priority run until it blocks or dies. */
static void let_others_run(void)
{
    for (unsigned i = 0; i < 4; i++)
        sys(SYS_YIELD, 0, 0, 0, 0, 0);
}

static bool is_dead(uint64_t tid)
{
    /* A dead thread's ID is stale: starting it is refused as an unknown destination. */
    return sys(SYS_THREAD_START, tid, ROOT_IMAGE_BASE, ROOT_UTCB_ADDRESS, 0, 0) ==
           E_INVALID_DEST;
}

static bool endpoints(void)
{
    return kip_config_is("dest", "endpoint");
}

/* What a thread of the root's space receives from to block for good: IPC_ANY with
 * thread IDs, an endpoint nobody sends to with endpoints (made in isolation_checks). */
static uint64_t never_slot = IPC_ANY;

/* Blocks for good: a receive nobody will ever answer. */
static void block_forever(uint64_t from)
{
    for (;;)
        ipc_error(SYS_RECV, 0, 0, from);
}

static void crash(uint64_t unused)
{
    (void)unused;
    *(volatile uint64_t *)0 = 1;
}

/* ---- the top of the user half ---- */

static unsigned char code_page[USER_PAGE_SIZE] __attribute__((aligned(4096)));

static void top_of_user_half(void)
{
    check("map_last_canonical_page", E_BAD_ADDRESS,
          sys(SYS_MAP, kip->root_space, (uint64_t)(uintptr_t)code_page,
              USER_CANONICAL_END - USER_PAGE_SIZE, 1, 0));
    uint64_t top_page = USER_TOP - USER_PAGE_SIZE;
    check("map_highest_user_page", E_OK,
          sys(SYS_MAP, kip->root_space, (uint64_t)(uintptr_t)code_page, top_page, 1, 0));
    unsigned len;
    const unsigned char *code = arch_null_syscall_code(&len);
    for (unsigned i = 0; i < len; i++)
        code_page[USER_PAGE_SIZE - len + i] = code[i];
    struct thread_info t;
    check("top_thread_make", E_OK, (uint64_t)thread_make(kip->root_space, BENCH_PRIORITY, &t));
    check("top_thread_start", E_OK,
          sys(SYS_THREAD_START, t.tid, top_page + USER_PAGE_SIZE - len,
              (uint64_t)(uintptr_t)code_page + USER_PAGE_SIZE - 64, 0, 0));
    let_others_run();
    /* Its syscall returned to USER_TOP, which is canonical and unmapped: a user fault. */
    check("syscall_at_top_killed_alone", 1, is_dead(t.tid));
    thread_release(&t);
}

/* ---- a task without authority ---- */

struct outsider_report {
    volatile uint64_t done;
    volatile uint64_t start_live, start_dead, create_here, create_bad, map_here, map_bad;
    volatile uint64_t destroy_space, destroy_thread, destroy_bad;
    volatile uint64_t rebadge, copy, copy_badge, inject, endpoint, forged_write;
    uint64_t live_tid, dead_tid, root_space, own_space, send_slot, never_slot,
        root_free_slot;
};

static struct outsider_report outsider;

static const char forged[] = RESULT_LINE("PANIC") " reason=forged by a user thread\n";

static void outsider_thread(uint64_t arg)
{
    struct outsider_report *r = (struct outsider_report *)(uintptr_t)arg;
    r->start_live = sys(SYS_THREAD_START, r->live_tid, ROOT_IMAGE_BASE, USER_BASE, 0, 0);
    r->start_dead = sys(SYS_THREAD_START, r->dead_tid, ROOT_IMAGE_BASE, USER_BASE, 0, 0);
    r->create_here = sys(SYS_THREAD_CREATE, r->root_space, ROOT_UTCB_ADDRESS + 0x300000,
                         BENCH_PRIORITY, 0, 0);
    r->create_bad = sys(SYS_THREAD_CREATE, 999, ROOT_UTCB_ADDRESS + 0x300000, 1, 0, 0);
    r->map_here = sys(SYS_MAP, r->root_space, ROOT_IMAGE_BASE, ROOT_IMAGE_BASE, 1, 0);
    r->map_bad = sys(SYS_MAP, 999, ROOT_IMAGE_BASE, ROOT_IMAGE_BASE, 1, 0);
    r->destroy_space = sys(SYS_SPACE_DESTROY, r->root_space, 0, 0, 0, 0);
    r->destroy_bad = sys(SYS_SPACE_DESTROY, 999, 0, 0, 0, 0);
    r->destroy_thread = sys(SYS_THREAD_DESTROY, r->live_tid, 0, 0, 0, 0);
    /* Capabilities: the root minted us a send capability badged CLIENT_BADGE. */
    uint64_t mine = r->send_slot + 2; /* send_slot + 1 is never_slot */
    r->rebadge = sys(SYS_CAP_MINT, r->own_space, r->send_slot, mine, FORGERY_BADGE,
                     CAP_RIGHT_SEND);
    r->inject = sys(SYS_CAP_MINT, r->root_space, r->send_slot, r->root_free_slot, 0,
                    CAP_RIGHT_SEND);
    r->endpoint = sys(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
    r->forged_write = sys(SYS_DEBUG_WRITE, (uint64_t)(uintptr_t)forged, sizeof(forged) - 1,
                          0, 0, 0);
    r->done = 1;
    block_forever(r->never_slot);
}

static void authority(uint64_t *other_space_out)
{
    int64_t other = space_with_root_image();
    check("outsider_space", 1, other >= 0);
    if (other < 0)
        return;
    *other_space_out = (uint64_t)other;
    struct thread_info live, dead;
    thread_make(kip->root_space, BENCH_PRIORITY, &live);
    thread_spawn(kip->root_space, crash, 0, BENCH_PRIORITY, &dead);
    let_others_run();
    outsider.live_tid = live.tid;
    outsider.dead_tid = dead.tid;
    outsider.root_space = kip->root_space;
    outsider.own_space = (uint64_t)other;
    /* A badged send capability for the outsider, in its own table (slot 5), and one to
     * receive on where nobody sends (slot 6). */
    outsider.send_slot = 5;
    outsider.never_slot = IPC_ANY;
    outsider.root_free_slot = 50;
    uint64_t minted = E_OK;
    if (endpoints()) {
        struct sys_result ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
        minted = ep.error ? ep.error :
                 sys(SYS_CAP_MINT, (uint64_t)other, ep.value, outsider.send_slot,
                     CLIENT_BADGE, CAP_RIGHT_SEND);
        outsider.never_slot = 6;
        minted |= sys(SYS_CAP_MINT, (uint64_t)other, never_slot, outsider.never_slot, 0,
                      CAP_RIGHT_RECV);
    }
    check("outsider_cap", E_OK, minted);
    struct thread_info t;
    check("outsider_spawn", E_OK, (uint64_t)thread_spawn((uint64_t)other, outsider_thread,
                                                         (uint64_t)(uintptr_t)&outsider,
                                                         BENCH_PRIORITY, &t));
    let_others_run();
    check("outsider_ran", 1, outsider.done);
    /* Authority first: live or dead, real or bogus, the answer is the same. */
    check("outsider_start_live_thread", E_NO_PERMISSION, outsider.start_live);
    check("outsider_start_dead_thread", E_NO_PERMISSION, outsider.start_dead);
    check("outsider_create_in_root_space", E_NO_PERMISSION, outsider.create_here);
    check("outsider_create_in_bad_space", E_NO_PERMISSION, outsider.create_bad);
    check("outsider_map_root_space", E_NO_PERMISSION, outsider.map_here);
    check("outsider_map_bad_space", E_NO_PERMISSION, outsider.map_bad);
    check("outsider_destroy_root_space", E_NO_PERMISSION, outsider.destroy_space);
    check("outsider_destroy_bad_space", E_NO_PERMISSION, outsider.destroy_bad);
    check("outsider_destroy_root_thread", E_NO_PERMISSION, outsider.destroy_thread);
    check("outsider_forged_panic_written", E_OK, outsider.forged_write);
    if (endpoints()) {
        check("outsider_rebadge", E_NO_PERMISSION, outsider.rebadge);
        check("outsider_inject_into_root", E_NO_PERMISSION, outsider.inject);
        check("outsider_endpoint_quota", E_QUOTA, outsider.endpoint);
    } else {
        check("outsider_mint_without_caps", E_INVALID_CAP, outsider.rebadge);
        check("outsider_inject_into_root", E_NO_PERMISSION, outsider.inject);
        check("outsider_endpoint_create", E_INVALID_SYSCALL, outsider.endpoint);
    }
    thread_release(&t);
    thread_release(&live);
    thread_release(&dead);
}

/* ---- a caller's partner link after its partner died (endpoint addressing) ---- */

struct stale_ctx {
    uint64_t first, second;        /* endpoints: the call's, the later send's */
    volatile uint64_t call_error, send_error, send_done;
};

static struct stale_ctx stale;

static void receive_then_crash(uint64_t from)
{
    ipc_error(SYS_RECV, 0, 0, from);
    crash(0);
}

static void caller_thread(uint64_t arg)
{
    struct stale_ctx *c = (struct stale_ctx *)(uintptr_t)arg;
    c->call_error = ipc_error(SYS_CALL, c->first, 0, 0);    /* the callee dies holding it */
    c->send_error = ipc_error(SYS_SEND, c->second, 0, 0);   /* blocks until the root takes it */
    c->send_done = 1;
    block_forever(never_slot);
}

static void stale_partner(void)
{
    struct sys_result a = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
    struct sys_result b = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
    check("stale_endpoints", E_OK, a.error | b.error);
    stale.first = a.value;
    stale.second = b.value;
    struct thread_info callee, caller, reuser;
    thread_spawn(kip->root_space, receive_then_crash, stale.first, BENCH_PRIORITY, &callee);
    let_others_run();
    thread_spawn(kip->root_space, caller_thread, (uint64_t)(uintptr_t)&stale,
                 BENCH_PRIORITY, &caller);
    let_others_run();
    check("stale_call_aborted", E_ABORTED, stale.call_error);
    check("stale_sender_blocked", 0, stale.send_done);
    /* A new thread takes the dead callee's TCB slot, and dies too. */
    thread_release(&callee);
    thread_spawn(kip->root_space, crash, 0, BENCH_PRIORITY, &reuser);
    let_others_run();
    check("stale_reuser_died", 1, is_dead(reuser.tid));
    /* The caller's send was not aborted by it: the root takes the message now. */
    check("stale_take_send", E_OK, ipc_error(SYS_RECV, 0, TAG_RECV_NONBLOCK, stale.second));
    let_others_run();
    check("stale_send_ok", E_OK, stale.send_error);
    thread_release(&reuser);
    thread_release(&caller);
    sys(SYS_CAP_DELETE, stale.first, 0, 0, 0, 0);
    sys(SYS_CAP_DELETE, stale.second, 0, 0, 0, 0);
}

/* ---- the FPU ---- */

static volatile uint64_t fpu_survived;

static void fpu_thread(uint64_t unused)
{
    (void)unused;
    arch_touch_fpu();
    fpu_survived = 1;
    block_forever(never_slot);
}

static void fpu_denied(void)
{
    struct thread_info t;
    thread_spawn(kip->root_space, fpu_thread, 0, BENCH_PRIORITY, &t);
    let_others_run();
    check("fpu_use_kills_thread", 0, fpu_survived);
    check("fpu_thread_dead", 1, is_dead(t.tid));
    thread_release(&t);
}

/* ---- lifetimes: frames come back, IDs and handles go stale ---- */

static void lifecycle(void)
{
    struct thread_info t;
    /* The first round may build page tables for the UTCB area; count from the second. */
    thread_make(kip->root_space, BENCH_PRIORITY, &t);
    thread_release(&t);
    uint64_t before = kip->frames_free;
    uint64_t stale_ids = 0, previous = 0;
    for (unsigned i = 0; i < LIFECYCLE_ROUNDS; i++) {
        thread_make(kip->root_space, BENCH_PRIORITY, &t);
        stale_ids += t.tid == previous;
        previous = t.tid;
        thread_release(&t);
        stale_ids += !is_dead(t.tid);
    }
    check("thread_cycles_frames_back", before, kip->frames_free);
    check("thread_cycles_ids_fresh_and_stale", 0, stale_ids);

    /* A thread that dies by faulting gives its UTCB frame back too. */
    thread_spawn(kip->root_space, crash, 0, BENCH_PRIORITY, &t);
    let_others_run();
    check("faulted_thread_frames_back", before, kip->frames_free);
    thread_release(&t);

    /* A whole space: its page tables and its threads' UTCBs. */
    int64_t s = space_with_root_image();
    check("space_cycle_create", 1, s >= 0);
    if (s < 0)
        return;
    thread_spawn((uint64_t)s, crash, 0, BENCH_PRIORITY, &t);
    check("space_destroy", E_OK, sys(SYS_SPACE_DESTROY, (uint64_t)s, 0, 0, 0, 0));
    check("space_cycle_frames_back", before, kip->frames_free);
    check("destroyed_space_handle_stale", E_INVALID_ARG,
          sys(SYS_MAP, (uint64_t)s, ROOT_IMAGE_BASE, ROOT_IMAGE_BASE, 1, 0));
    check("destroyed_space_thread_dead", 1, is_dead(t.tid));
    thread_release(&t);
    check("destroy_root_space", E_NO_PERMISSION,       /* nobody created it */
          sys(SYS_SPACE_DESTROY, kip->root_space, 0, 0, 0, 0));
}

/* ---- starting threads ---- */

static volatile uint64_t high_ran;

static void high_thread(uint64_t unused)
{
    (void)unused;
    high_ran = 1;
    block_forever(never_slot);
}

static void thread_start_rules(void)
{
    struct thread_info t;
    thread_make(kip->root_space, PREEMPT_PRIORITY, &t);
    check("start_noncanonical_stack", E_BAD_ADDRESS,
          sys(SYS_THREAD_START, t.tid, ROOT_IMAGE_BASE, USER_CANONICAL_END, 0, 0));
    check("start_kernel_half_stack", E_BAD_ADDRESS,
          sys(SYS_THREAD_START, t.tid, ROOT_IMAGE_BASE, 0xffff800000000000ull, 0, 0));
    thread_release(&t);
    /* A higher-priority thread runs before the start even returns to the starter. */
    check("spawn_higher_priority", E_OK,
          (uint64_t)thread_spawn(kip->root_space, high_thread, 0, PREEMPT_PRIORITY, &t));
    check("higher_priority_ran_first", 1, high_ran);
    thread_release(&t);
}

void isolation_checks(unsigned *checks, unsigned *failed)
{
    n_checks = checks;
    n_failed = failed;
    if (endpoints()) {
        struct sys_result never = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
        check("never_endpoint", E_OK, never.error);
        never_slot = never.value;
    }
    top_of_user_half();
    uint64_t outsider_space = 0;
    authority(&outsider_space);
    if (endpoints())
        stale_partner();
    if (kip_config_is("fpu", "lazy"))
        fpu_lazy_checks(n_checks, n_failed);   /* FPU=lazy: usable, and kept apart */
    else
        fpu_denied();
    lifecycle();
    thread_start_rules();
    if (outsider_space)
        check("outsider_space_destroy", E_OK,
              sys(SYS_SPACE_DESTROY, outsider_space, 0, 0, 0, 0));
    check("kernel_runs_on_after_isolation", E_OK, sys(SYS_NULL, 0, 0, 0, 0, 0));
}
