/* The root task's flat binary, built from bench/guest/, carried inside the kernel. */
    .section .rodata
    .balign 4096
    .global user_image_start, user_image_end
user_image_start:
    .incbin USER_IMAGE
user_image_end:
