# riscv64: flags, and how the image is packed (see kernel/kernel.mk for the rest).
# The kernel runs in S-mode identity mapped in RAM, linked 2 MiB into it, where QEMU's
# OpenSBI firmware (fw_dynamic, in the first 2 MiB) jumps to it; QEMU's -kernel loader
# takes the ELF as it is.

CROSS_COMPILE ?= riscv64-linux-gnu-
# Integer only (the kernel saves no FP state; the root task needs none); medany: the
# kernel lives above 2 GiB, the root task at 4 GiB. No linker relaxation: nothing sets
# up gp, which stays the user's.
ARCH_CFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mno-relax
ARCH_KERNEL_CFLAGS :=
ARCH_LDSCRIPT := kernel/arch/riscv64/kernel.ld

# The fast path never touches a7 or t0..t3: a7 keeps the call number for the general
# path if the fast path declines, and the exit reloads only a0..a6, t4..t6, ra and sp,
# so no kernel value is left in any register (see include/ipclab/abi_arch.h). Without
# a frame pointer it needs no callee-saved register (mem transfer's copy loop saves a
# few, as any C function may). The message registers
# s0..s11 are callee-saved, which the compiler honours by itself; so the fast path may
# call nothing out of line.
ARCH_FASTPATH_CFLAGS := -fomit-frame-pointer -ffixed-a7 -ffixed-t0 -ffixed-t1 -ffixed-t2 \
	-ffixed-t3
ARCH_CALL_RE := [[:space:]](jal|jalr|call)[[:space:]]

$(IMAGE): $(BUILD)/kernel.elf
	@$(OBJCOPY) --strip-debug $< $@
