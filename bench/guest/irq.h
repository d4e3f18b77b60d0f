/*
 * User-level interrupt handling for the workloads and checks: one handle per line,
 * registered in whatever form the kernel delivers interrupts (kernel/core/irq.h; the
 * configuration string says which): an IPC from the line's pseudo-thread in the
 * handler's open receive (IRQ=ipc, DEST=tid), an IPC through an endpoint (IRQ=ipc,
 * DEST=endpoint), or a notification's signal (IRQ=notify).
 */
#ifndef IPCLAB_GUEST_IRQ_H
#define IPCLAB_GUEST_IRQ_H

#include <stdint.h>

#include "sys.h"

enum irq_mode { IRQ_BY_TID, IRQ_BY_ENDPOINT, IRQ_BY_NOTIFICATION };

struct irq_handle {
    unsigned line;
    enum irq_mode mode;
    uint64_t object;        /* the endpoint or notification slot, IPC_NIL with thread IDs */
    int made_object;        /* irq_open made it, irq_close deletes it */
};

/* The way this kernel delivers interrupts. */
enum irq_mode irq_kernel_mode(void);
/* Register the calling thread as the line's handler (making the endpoint or
 * notification it needs, or using `object` if not IPC_NIL); the kernel's error. */
uint64_t irq_open(struct irq_handle *h, unsigned line, uint64_t object);
/* Wait for the line's interrupt (nonblocking: E_WOULD_BLOCK if none is there). Returns
 * the error; *bits gets what the receive returned in r1 (sender ID, badge or bits). */
uint64_t irq_wait(const struct irq_handle *h, int nonblocking, uint64_t *bits);
uint64_t irq_ack(const struct irq_handle *h);
/* Release the line and delete the object irq_open made. */
uint64_t irq_close(struct irq_handle *h);
/* The user timer: fire once at counter value deadline (0: disarm). */
uint64_t timer_arm(uint64_t deadline);

#endif
