/*
 * Threads and address spaces for the benchmark, built from the kernel's system calls:
 * each new thread gets a slot of a static pool (a stack, and a UTCB page at the slot's
 * address of the UTCB area), given back when the thread is released; a new address
 * space gets the whole root image mapped at the same addresses (code, data and result
 * arrays, shared frames), so a server in it writes its timestamps straight into the
 * root task's arrays while every switch into it is a real address-space switch.
 */
#include "runtime.h"

#define STACK_SIZE 16384
#define MAX_THREADS 72
#define UTCB_AREA (ROOT_UTCB_ADDRESS + 0x100000)

extern char __image_base[], __image_end[];

static unsigned char stacks[MAX_THREADS][STACK_SIZE] __attribute__((aligned(16)));
static bool slot_used[MAX_THREADS];

int thread_make(uint64_t space, unsigned prio, struct thread_info *out)
{
    unsigned slot = 0;
    while (slot < MAX_THREADS && slot_used[slot])
        slot++;
    if (slot == MAX_THREADS)
        return E_NO_MEMORY;
    uint64_t utcb = UTCB_AREA + slot * USER_PAGE_SIZE;
    struct sys_result r = syscall5(SYS_THREAD_CREATE, space, utcb, prio, 0, 0);
    if (r.error != E_OK)
        return (int)r.error;
    out->tid = r.value;
    out->utcb_addr = utcb;
    out->slot = slot;
    slot_used[slot] = true;
    return E_OK;
}

int thread_begin(const struct thread_info *t, void (*fn)(uint64_t), uint64_t arg)
{
    /* Where sp starts, below the top, is the architecture's calling convention. */
    uint64_t top = (uint64_t)(uintptr_t)&stacks[t->slot][STACK_SIZE];
    uint64_t sp = thread_stack_pointer(top);
    struct sys_result r = syscall5(SYS_THREAD_START, t->tid, (uint64_t)(uintptr_t)fn, sp,
                                   arg, 0);
    return (int)r.error;
}

int thread_spawn(uint64_t space, void (*fn)(uint64_t), uint64_t arg, unsigned prio,
                 struct thread_info *out)
{
    int error = thread_make(space, prio, out);
    if (error != E_OK)
        return error;
    return thread_begin(out, fn, arg);
}

uint64_t thread_release(struct thread_info *t)
{
    uint64_t error = syscall5(SYS_THREAD_DESTROY, t->tid, 0, 0, 0, 0).error;
    slot_used[t->slot] = false;
    return error;
}

int kip_config_is(const char *key, const char *value)
{
    char got[KIP_STRING];
    cmdline_str(kip->config, key, got, sizeof(got), "");
    return str_eq(got, value);
}

int64_t space_with_root_image(void)
{
    struct sys_result s = syscall5(SYS_SPACE_CREATE, 0, 0, 0, 0, 0);
    if (s.error != E_OK)
        return -1;
    uint64_t base = (uint64_t)(uintptr_t)__image_base;
    uint64_t pages = ((uint64_t)(uintptr_t)__image_end - base) / USER_PAGE_SIZE;
    struct sys_result m = syscall5(SYS_MAP, s.value, base, base, pages, MAP_WRITABLE);
    if (m.error != E_OK)
        return -1;
    return (int64_t)s.value;
}

struct sys_result ipc_op(uint64_t nr, uint64_t dest, uint64_t tag, uint64_t from)
{
    return ipc5(nr, dest, tag, from);
}

uint64_t ipc_error(uint64_t nr, uint64_t dest, uint64_t tag, uint64_t from)
{
    struct ipc_args a = {.nr = nr, .dest = dest, .tag = tag, .from = from};
    ipc_stub(&a);
    return a.error;
}
