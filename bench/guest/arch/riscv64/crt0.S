/*
 * The root task's start: the image header the kernel loads by, a stack, main(kip),
 * then the end of the run with main's status.
 */
#include <ipclab/abi.h>

#define USER_IMAGE_MAGIC 0x474d494c43504931

    .section .image_header, "a"
    .quad USER_IMAGE_MAGIC
    .quad _start
    .quad __image_base
    .quad __image_size

    .text
    .global _start
_start:
    la sp, root_stack_top
    /* a0 = the kernel info page, passed by the kernel as the first argument */
    call main
    li a7, SYS_SHUTDOWN
    ecall
1:  j 1b

    .bss
    .balign 16
root_stack:
    .skip 65536
root_stack_top:
