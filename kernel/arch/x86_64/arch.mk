# x86_64: flags, and how the image is packed (see kernel/kernel.mk for the rest).
# The kernel runs identity mapped in the first GiB, linked at 1 MiB; QEMU's multiboot
# loader takes ELF32 only, so the ELF64 link is converted at the end.

CROSS_COMPILE ?=
ARCH_CFLAGS := -mno-red-zone -mgeneral-regs-only
ARCH_KERNEL_CFLAGS := -mcmodel=small
ARCH_LDSCRIPT := kernel/arch/x86_64/kernel.ld

# The fast path leaves r8-r10 (message registers the C ABI does not preserve) in the
# CPU; the compiler must not use them, and so the fast path may call nothing compiled
# without these flags (see include/arch/regs.h).
ARCH_FASTPATH_CFLAGS := -ffixed-r8 -ffixed-r9 -ffixed-r10
ARCH_CALL_RE := \<call

$(IMAGE): $(BUILD)/kernel.elf
	@$(OBJCOPY) -O elf32-i386 --strip-debug $< $@
