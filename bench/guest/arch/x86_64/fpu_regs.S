/*
 * The FPU registers of the running thread, for the lazy-FPU check (fpu_check.c): the
 * guest's C is built without FPU and SSE code, so these few are written by hand.
 *
 *   void arch_fpu_fill(uint64_t seed)     xmm<i> = seed + i (i = 0..15), x87 st(0) = seed
 *   uint64_t arch_fpu_wrong(uint64_t seed)  how many of those 17 differ now (state kept)
 *   uint64_t arch_fpu_first(void)          xmm0, as found
 */
    .text
    .global arch_fpu_fill
    .type arch_fpu_fill, @function
arch_fpu_fill:
    movq %rdi, %rax
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    movq %rax, %xmm\n
    incq %rax
    .endr
    fninit
    pushq %rdi
    fildq (%rsp)
    popq %rdi
    ret

    .global arch_fpu_wrong
    .type arch_fpu_wrong, @function
arch_fpu_wrong:
    xorl %eax, %eax
    movq %rdi, %rdx
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    movq %xmm\n, %rcx
    cmpq %rdx, %rcx
    setne %cl
    movzbl %cl, %ecx
    addq %rcx, %rax
    incq %rdx
    .endr
    subq $8, %rsp
    fld %st(0)                      /* a copy to store and pop: st(0) stays */
    fistpq (%rsp)
    popq %rcx
    cmpq %rdi, %rcx
    setne %cl
    movzbl %cl, %ecx
    addq %rcx, %rax
    ret

    .global arch_fpu_first
    .type arch_fpu_first, @function
arch_fpu_first:
    movq %xmm0, %rax
    ret
