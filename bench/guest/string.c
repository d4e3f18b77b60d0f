/*
 * memset and memcpy: a freestanding C compiler may call them for aggregate copies and
 * initialisations (GCC on aarch64 and riscv64 does for struct ipc_args), and the root
 * task has no C library. Byte loops: nothing measured runs them.
 */
#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}
