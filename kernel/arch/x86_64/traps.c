/*
 * The IDT and the C side of interrupts and exceptions. A trap in user mode saves the
 * whole register frame into the running thread's TCB; the timer then ticks the
 * scheduler and a fault kills the thread. In kernel mode only the interrupt that ends
 * the idle wait (idle.c) is expected; any other trap there is a kernel bug: panic.
 */
#include <arch/cpu.h>
#include <arch/regs_offsets.h>
#include <arch/skim.h>

#include "arch_api.h"
#include "dispatch.h"
#include "irq.h"
#include "kernel.h"
#include "thread.h"
#include "x86.h"

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(__builtin_offsetof(struct trap_frame, cs) == 144, "TRAP_FRAME_CS in traps.S");

/* The other vectors are in x86.h, shared with lapic.c. */
#define VECTOR_DEVICE_NOT_AVAILABLE 7

struct idt_entry {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));

static struct idt_entry idt[256] SKIM_DATA;  /* read by the CPU at every trap */

extern const uint64_t trap_vectors[22];
extern const uint64_t trap_timer_vector;
extern const uint64_t trap_spurious_vector;
extern const uint64_t trap_user_timer_vector;

static void set_gate(unsigned vector, uint64_t handler)
{
    idt[vector] = (struct idt_entry){
        .offset_low = handler & 0xffff,
        .selector = SEL_KERNEL_CODE,
        .ist = 0,
        .type_attr = 0x8E, /* present, DPL 0, 64-bit interrupt gate: IF cleared */
        .offset_mid = (handler >> 16) & 0xffff,
        .offset_high = (uint32_t)(handler >> 32),
    };
}

void idt_init(void)
{
    for (unsigned v = 0; v < ARRAY_SIZE(trap_vectors); v++)
        set_gate(v, trap_vectors[v]);
    set_gate(VECTOR_TIMER, trap_timer_vector);
    set_gate(VECTOR_SPURIOUS, trap_spurious_vector);
    set_gate(VECTOR_USER_TIMER, trap_user_timer_vector);
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

static const char *const exception_names[] = {
    "divide_error", "debug", "nmi", "breakpoint", "overflow", "bound_range",
    "invalid_opcode", "device_not_available", "double_fault", "coprocessor_overrun",
    "invalid_tss", "segment_not_present", "stack_fault", "general_protection",
    "page_fault", "reserved", "x87_error", "alignment_check", "machine_check",
    "simd_error", "virtualization", "control_protection",
};

static void save_user_frame(struct arch_regs *r, const struct trap_frame *f)
{
    r->rax = f->rax; r->rbx = f->rbx; r->rcx = f->rcx; r->rdx = f->rdx;
    r->rsi = f->rsi; r->rdi = f->rdi; r->rbp = f->rbp;
    r->r8 = f->r8; r->r9 = f->r9; r->r10 = f->r10; r->r11 = f->r11;
    r->r12 = f->r12; r->r13 = f->r13; r->r14 = f->r14; r->r15 = f->r15;
    r->rip = f->rip; r->rflags = f->rflags; r->rsp = f->rsp;
    r->resume_kind = RESUME_IRET;
}

noreturn void trap_handler(struct trap_frame *f);

noreturn void trap_handler(struct trap_frame *f)
{
    uint64_t fault_addr = f->vector == 14 ? read_cr2() : 0;
    if ((f->cs & 3) == 0 && x86_idling &&
        (f->vector == VECTOR_TIMER || f->vector == VECTOR_SPURIOUS ||
         f->vector == VECTOR_USER_TIMER)) {
        /* The interrupt that ends an idle wait: the only trap kernel mode expects. */
        x86_idling = false;
        if (f->vector == VECTOR_USER_TIMER) {
            lapic_eoi();
            kernel_idle_irq(IRQ_LINE_TIMER);
        }
        if (f->vector == VECTOR_TIMER) {
            timer_eoi();
            kernel_idle_tick();
        }
        kernel_idle_interrupt();
    }
    if ((f->cs & 3) == 0)
        panic("kernel exception %lu (%s) at rip %lx, error %lx, address %lx", f->vector,
              f->vector < ARRAY_SIZE(exception_names) ? exception_names[f->vector] : "irq",
              f->rip, f->error, fault_addr);
    save_user_frame(&current->regs, f);
    if (f->vector == VECTOR_TIMER) {
        timer_eoi();
        kernel_timer_tick();
    }
    if (f->vector == VECTOR_USER_TIMER) {
        lapic_eoi();
        kernel_irq(IRQ_LINE_TIMER);
    }
    if (f->vector == VECTOR_SPURIOUS)
        kernel_resume(current);
    if (f->vector == VECTOR_DEVICE_NOT_AVAILABLE && fpu_user_trap())
        kernel_resume(current);     /* FPU=lazy: its first use since a switch */
    kernel_user_fault((unsigned)f->vector, f->rip, fault_addr,
                      exception_names[f->vector < ARRAY_SIZE(exception_names) ? f->vector : 15]);
}
