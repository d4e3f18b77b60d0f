/*
 * Entry from QEMU's OpenSBI firmware (fw_dynamic): S-mode, paging off, interrupts
 * disabled, a0 = hart ID, a1 = the device tree. We take the kernel stack, zero .bss,
 * install the trap vectors and call kmain(dtb); kmain turns paging on first thing.
 */

    .section .text.boot, "ax"
    .global _start
_start:
    csrw sie, zero
    mv s0, a1
    la sp, kernel_stack_top
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  la t0, trap_vectors               /* direct mode: every trap enters there */
    csrw stvec, t0
    mv a0, s0
    call kmain
3:  wfi
    j 3b
