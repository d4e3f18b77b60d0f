/*
 * Routines GCC calls where the ISA lacks an instruction: without the Zbb extension,
 * __builtin_clzll (the scheduler's priority bitmap, sched.c) becomes a call to
 * __clzdi2. Debian's riscv64 libgcc is built for the lp64d ABI, which cannot be linked
 * into this lp64 (integer-only) kernel, so the one routine needed is here.
 */
int __clzdi2(unsigned long long x);

int __clzdi2(unsigned long long x)
{
    int n = 0;
    for (unsigned long long bit = 1ull << 63; bit && !(x & bit); bit >>= 1)
        n++;
    return n;
}
