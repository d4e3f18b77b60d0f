# aarch64: flags, and how the image is packed (see kernel/kernel.mk for the rest).
# The kernel runs at EL1 identity mapped in RAM, linked 2 MiB into it (QEMU's virt
# board puts the device tree at the start of RAM for an ELF kernel); QEMU's -kernel
# loader takes the ELF as it is.

CROSS_COMPILE ?= aarch64-linux-gnu-
# No FP/SIMD registers anywhere: the kernel saves none, and the root task needs none.
ARCH_CFLAGS := -mgeneral-regs-only -mno-outline-atomics
ARCH_KERNEL_CFLAGS :=
ARCH_LDSCRIPT := kernel/arch/aarch64/kernel.ld

# The fast path never touches x8 or x12..x18: x8 keeps the call number for the general
# path if the fast path declines, and the exit reloads only x0..x7, x9..x11, x30 and sp, so no
# kernel value is left in any register (see include/ipclab/abi_arch.h). Without a frame
# pointer it needs no callee-saved register (mem transfer's copy loop saves a few, as any
# C function may). The message registers x19..x28 are
# callee-saved, which the compiler honours by itself; so the fast path may call
# nothing out of line.
ARCH_FASTPATH_CFLAGS := -fomit-frame-pointer -ffixed-x8 -ffixed-x12 -ffixed-x13 \
	-ffixed-x14 -ffixed-x15 -ffixed-x16 -ffixed-x17 -ffixed-x18
ARCH_CALL_RE := [[:space:]]blr?[[:space:]]

$(IMAGE): $(BUILD)/kernel.elf
	@$(OBJCOPY) --strip-debug $< $@
