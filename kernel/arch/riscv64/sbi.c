/* Calls into the SBI firmware (OpenSBI, in M-mode): one ecall, arguments in a0, a6, a7. */
#include "riscv.h"

long sbi_call(unsigned long ext, unsigned long fid, unsigned long arg0)
{
    register unsigned long a0 __asm__("a0") = arg0;
    register unsigned long a1 __asm__("a1") = 0;
    register unsigned long a6 __asm__("a6") = fid;
    register unsigned long a7 __asm__("a7") = ext;
    __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
    return (long)a0;
}
