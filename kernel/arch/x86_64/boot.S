/*
 * Multiboot entry: QEMU's -kernel loader starts us in 32-bit protected mode with
 * paging off. We build an identity map of the first 1 GiB in 2 MiB pages (supervisor
 * only: user address spaces start at USER_BASE = 1 GiB), enter long mode and call
 * kmain(magic, info). The image is linked as ELF64 and converted to ELF32 for the
 * loader; nothing here divides 64-bit numbers, so no 32-bit libgcc is needed.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-aligned modules, memory information */

#define PTE_PRESENT 0x001
#define PTE_WRITE 0x002
#define PTE_LARGE 0x080

#define CR0_PE 0x00000001
#define CR0_WP 0x00010000
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define MSR_EFER 0xC0000080
#define EFER_SCE 0x001
#define EFER_LME 0x100

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .boot.text, "ax"
    .code32
    .global _start
_start:
    cli
    movl %eax, %edi                 /* multiboot magic, kept for kmain */
    movl %ebx, %esi                 /* multiboot information */
    movl $boot_stack_top, %esp

    /* Zero .bss: the loader zero-fills it, but a kernel should not rely on that. */
    movl %edi, %ebp
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    shrl $2, %ecx
    xorl %eax, %eax
    rep stosl
    movl %ebp, %edi

    /* PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] -> 2 MiB page i. */
    movl $boot_pdpt, %eax
    orl $(PTE_PRESENT | PTE_WRITE), %eax
    movl %eax, boot_pml4
    movl $boot_pd, %eax
    orl $(PTE_PRESENT | PTE_WRITE), %eax
    movl %eax, boot_pdpt
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $21, %eax
    orl $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
    movl %eax, boot_pd(, %ecx, 8)
    incl %ecx
    cmpl $512, %ecx
    jne 1b

    movl %cr4, %eax
    orl $CR4_PAE, %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $MSR_EFER, %ecx
    rdmsr
    orl $(EFER_LME | EFER_SCE), %eax
    wrmsr
    movl %cr0, %eax
    orl $(CR0_PE | CR0_PG | CR0_WP), %eax
    movl %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x08, $long_mode_entry

    .code64
long_mode_entry:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movabsq $boot_stack_top, %rsp
    /* edi = magic, esi = info: already the first two C arguments. */
    movl %edi, %edi
    movl %esi, %esi
    call kmain
2:  hlt
    jmp 2b

    /* A minimal GDT for the switch; gdt.c installs the real one with user segments. */
    .section .boot.data, "a"
    .align 16
boot_gdt:
    .quad 0
    .quad 0x00209A0000000000        /* 0x08: 64-bit kernel code */
    .quad 0x0000920000000000        /* 0x10: kernel data */
boot_gdt_end:
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .section .bss
    .align 4096
    .global boot_pml4
boot_pml4:  .skip 4096
boot_pdpt:  .skip 4096
boot_pd:    .skip 4096
    .global boot_stack_top
boot_stack: .skip 16384
boot_stack_top:
