/* User-level interrupt handling for the workloads and checks (irq.h). */
#include "irq.h"

#include "runtime.h"

enum irq_mode irq_kernel_mode(void)
{
    if (kip_config_is("irq", "notify"))
        return IRQ_BY_NOTIFICATION;
    return kip_config_is("dest", "endpoint") ? IRQ_BY_ENDPOINT : IRQ_BY_TID;
}

uint64_t irq_open(struct irq_handle *h, unsigned line, uint64_t object)
{
    h->line = line;
    h->mode = irq_kernel_mode();
    h->object = object;
    h->made_object = 0;
    if (h->mode != IRQ_BY_TID && object == IPC_NIL) {
        uint64_t nr = h->mode == IRQ_BY_NOTIFICATION ? SYS_NOTIFY_CREATE : SYS_ENDPOINT_CREATE;
        struct sys_result r = syscall5(nr, 0, 0, 0, 0, 0);
        if (r.error != E_OK)
            return r.error;
        h->object = r.value;
        h->made_object = 1;
    }
    uint64_t error = syscall5(SYS_IRQ_REGISTER, line, h->object, 0, 0, 0).error;
    if (error != E_OK && h->made_object)
        syscall5(SYS_CAP_DELETE, h->object, 0, 0, 0, 0);
    return error;
}

uint64_t irq_wait(const struct irq_handle *h, int nonblocking, uint64_t *bits)
{
    struct sys_result r;
    if (h->mode == IRQ_BY_NOTIFICATION)
        r = syscall5(nonblocking ? SYS_POLL : SYS_WAIT, h->object, 0, 0, 0, 0);
    else
        r = ipc_op(SYS_RECV, 0, nonblocking ? TAG_RECV_NONBLOCK : 0,
                   h->mode == IRQ_BY_TID ? IPC_ANY : h->object);
    if (bits)
        *bits = r.value;
    return r.error;
}

uint64_t irq_ack(const struct irq_handle *h)
{
    return syscall5(SYS_IRQ_ACK, h->line, 0, 0, 0, 0).error;
}

uint64_t irq_close(struct irq_handle *h)
{
    uint64_t error = syscall5(SYS_IRQ_RELEASE, h->line, 0, 0, 0, 0).error;
    if (h->made_object)
        syscall5(SYS_CAP_DELETE, h->object, 0, 0, 0, 0);
    return error;
}

uint64_t timer_arm(uint64_t deadline)
{
    return syscall5(SYS_TIMER_ARM, deadline, 0, 0, 0, 0).error;
}
