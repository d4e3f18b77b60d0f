/*
 * A tiny guest with known answers for the model plugin (tests/known_answers.py).
 * Multiboot, 32-bit protected mode, identity-mapped 4 KiB pages. Every rdtsc it
 * executes is printed as a window "W <name> <tsc before> <tsc after>" (hex), so the
 * checker can find each record by the value the guest read and compare the window's
 * counts with what this code is known to do:
 *
 *   cold_lines  flush marker, then 64 loads from 64 lines of one page: 64 L1D misses
 *               (each also an L2 and an L3 miss, as is every code line fetched),
 *               1 DTLB miss
 *   warm_lines  the same loads again: no L1D or DTLB miss
 *   cr3         CR3 reloaded with its own value, then one load from each of 4 pages
 *               whose lines are cached: 4 DTLB misses, 1 ITLB miss (this code's page),
 *               no L1D miss, 1 serialising instruction
 *   fault_mid   a store that page-faults in mid-block; the handler skips it: it never
 *               retires, 8 instructions in the window
 *   fault_end   a jump through an unmapped address (faults, ends its block): 7
 *   mmio        a load from the local APIC in mid-block (QEMU re-runs it alone): 5
 *   serialize   cpuid: 1 serialising instruction, 4 instructions
 * "M <address>" gives the flush marker's address. Ends through isa-debug-exit (status 1).
 * TSC values are printed as 32 bits: the whole run is a few million instructions.
 */
    .set COM1, 0x3f8
    .set DEBUG_EXIT, 0xf4
    .set FAULT_ADDR, 0x00800000      /* past the identity-mapped 4 MiB: not present */
    .set LAPIC_VERSION, 0xfee00030
    .set LINE, 64
    .set PTE_PW, 0x003               /* present, writable */
    .set PDE_4M, 0x083               /* present, writable, 4 MiB page */

    .section .multiboot, "a"
    .align 4
    .long 0x1BADB002, 0, -0x1BADB002

/* rdtsc into %esi (window start) / %edi (window end), then print the window. */
.macro WINDOW_BEGIN
    rdtsc
    movl %eax, %esi
.endm
.macro WINDOW_END name
    rdtsc
    movl %eax, %edi
    movl $\name, %ebx
    call print_window
.endm

    .text
    .code32
    .p2align 12        /* all code in one 4 KiB page: the cr3 window's 1 ITLB miss */
    .global _start
_start:
    cli
    lgdt gdt_ptr
    ljmp $0x08, $1f
1:  movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    movl $stack_top, %esp
    WINDOW_BEGIN
    WINDOW_END name_first

    /* Identity map of the first 4 MiB in 4 KiB pages; the local APIC's 4 MiB page. */
    movl $page_table, %edi
    movl $PTE_PW, %eax
    movl $1024, %ecx
2:  movl %eax, (%edi)
    addl $4096, %eax
    addl $4, %edi
    loop 2b
    movl $(page_table + PTE_PW), page_dir
    movl $(0xfec00000 + PDE_4M), page_dir + (0xfec00000 >> 22) * 4
    movl %cr4, %eax
    orl $0x10, %eax                  /* PSE: 4 MiB pages */
    movl %eax, %cr4
    movl $page_dir, %eax
    movl %eax, %cr3
    movl %cr0, %eax
    orl $0x80000000, %eax
    movl %eax, %cr0

    /* Page faults go to page_fault (interrupt gate, ring 0). */
    movl $page_fault, %eax
    movw %ax, idt + 14 * 8
    movw $0x08, idt + 14 * 8 + 2
    movw $0x8e00, idt + 14 * 8 + 4
    shrl $16, %eax
    movw %ax, idt + 14 * 8 + 6
    lidt idt_ptr

flush_marker:
    .byte 0x0f, 0x1f, 0x84, 0x00, 0x46, 0x4c, 0x53, 0x48
    WINDOW_BEGIN
    movl $buf0, %ebx
    movl $64, %ecx
3:  movl (%ebx), %eax
    addl $LINE, %ebx
    loop 3b
    WINDOW_END name_cold_lines

    WINDOW_BEGIN
    movl $buf0, %ebx
    movl $64, %ecx
4:  movl (%ebx), %eax
    addl $LINE, %ebx
    loop 4b
    WINDOW_END name_warm_lines

    movl buf1, %eax                  /* cache a line of each other page first */
    movl buf2, %eax
    movl buf3, %eax
    WINDOW_BEGIN
    movl %cr3, %eax
    movl %eax, %cr3
    movl buf0, %eax
    movl buf1, %eax
    movl buf2, %eax
    movl buf3, %eax
    WINDOW_END name_cr3

    WINDOW_BEGIN
    movl $10, %ebp                   /* the length of the faulting store, for the handler */
    movl $1, FAULT_ADDR
    nop
    nop
    WINDOW_END name_fault_mid

    WINDOW_BEGIN
    movl $6, %ebp
    jmp *FAULT_ADDR
    nop
    WINDOW_END name_fault_end

    WINDOW_BEGIN
    movl LAPIC_VERSION, %eax
    nop
    nop
    WINDOW_END name_mmio

    WINDOW_BEGIN
    xorl %eax, %eax
    cpuid
    WINDOW_END name_serialize

    movb $'M', %al
    call putc
    movb $' ', %al
    call putc
    movl $flush_marker, %eax
    call put_hex
    movb $'\n', %al
    call putc
    movb $0, %al
    outb %al, $DEBUG_EXIT            /* QEMU exits with status (0 << 1) | 1 */
5:  hlt
    jmp 5b

/* Skip the faulting instruction, whose length the code put in %ebp. */
page_fault:
    addl $4, %esp                    /* the error code */
    addl %ebp, (%esp)
    iret

/* "W <name at %ebx> <%esi> <%edi>\n" */
print_window:
    movb $'W', %al
    call putc
    movb $' ', %al
    call putc
1:  movb (%ebx), %al
    testb %al, %al
    jz 2f
    call putc
    incl %ebx
    jmp 1b
2:  movb $' ', %al
    call putc
    movl %esi, %eax
    call put_hex
    movb $' ', %al
    call putc
    movl %edi, %eax
    call put_hex
    movb $'\n', %al
    call putc
    ret

putc:
    pushl %edx
    movw $COM1, %dx
    outb %al, %dx
    popl %edx
    ret

/* %eax as 8 hex digits. */
put_hex:
    pushl %ecx
    pushl %edx
    movl %eax, %edx
    movl $8, %ecx
1:  roll $4, %edx
    movl %edx, %eax
    andl $0xf, %eax
    movb hex_digits(%eax), %al
    call putc
    loop 1b
    popl %edx
    popl %ecx
    ret

    .section .rodata
hex_digits:      .ascii "0123456789abcdef"
name_first:      .asciz "first"
name_cold_lines: .asciz "cold_lines"
name_warm_lines: .asciz "warm_lines"
name_cr3:        .asciz "cr3"
name_fault_mid:  .asciz "fault_mid"
name_fault_end:  .asciz "fault_end"
name_mmio:       .asciz "mmio"
name_serialize:  .asciz "serialize"
    .p2align 3
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff         /* 0x08: flat 32-bit code */
    .quad 0x00cf92000000ffff         /* 0x10: flat data */
gdt_ptr:
    .word 3 * 8 - 1
    .long gdt
idt_ptr:
    .word 256 * 8 - 1
    .long idt

    .bss
    .p2align 12
page_dir:   .skip 4096
page_table: .skip 4096
buf0:       .skip 4096
buf1:       .skip 4096
buf2:       .skip 4096
buf3:       .skip 4096
idt:        .skip 256 * 8
    .p2align 4
stack:      .skip 4096
stack_top:
