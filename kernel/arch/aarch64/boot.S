/*
 * Entry from QEMU's -kernel loader: the CPU is in EL1 (the virt board without
 * virtualization or security extensions has no EL2 or EL3), MMU and caches off,
 * interrupts masked. We take the kernel stack, zero .bss, install the exception
 * vectors and call kmain(); kmain turns the MMU on first thing.
 */
#define CURRENT_EL_EL1 (1 << 2)

    .section .text.boot, "ax"
    .global _start
_start:
    msr daifset, #0xf
    mrs x0, CurrentEL
    cmp x0, #CURRENT_EL_EL1
    b.ne wrong_el
    adrp x0, kernel_stack_top
    add x0, x0, :lo12:kernel_stack_top
    mov sp, x0
    adrp x0, __bss_start
    add x0, x0, :lo12:__bss_start
    adrp x1, __bss_end
    add x1, x1, :lo12:__bss_end
1:  cmp x0, x1
    b.hs 2f
    stp xzr, xzr, [x0], #16
    b 1b
2:  adrp x0, exception_vectors
    add x0, x0, :lo12:exception_vectors
    msr vbar_el1, x0
    isb
    bl kmain
3:  wfi
    b 3b

/* Started at another exception level (QEMU with virtualization=on or secure=on): this
 * kernel runs at EL1 only, and has nothing to print with yet. */
wrong_el:
    wfi
    b wrong_el
