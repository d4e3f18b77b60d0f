# x86_64: flags, and how the image is packed (see kernel/kernel.mk for the rest).
# The kernel runs identity mapped in the first GiB, linked at 1 MiB; QEMU's multiboot
# loader takes ELF32 only, so the ELF64 link is converted at the end.

CROSS_COMPILE ?=
ARCH_CFLAGS := -mno-red-zone -mgeneral-regs-only
ARCH_KERNEL_CFLAGS := -mcmodel=small
ARCH_LDSCRIPT := kernel/arch/x86_64/kernel.ld

# The fast path leaves r8-r10 (message registers the C ABI does not preserve) in the
# CPU; the compiler must not use them, and so the fast path may call nothing compiled
# without these flags (see include/arch/regs.h). Under FRAME=full the entry saved them
# and the exit reloads them from the receiver's frame, so the compiler may use them.
ifneq ($(CONFIG_FRAME),full)
ARCH_FASTPATH_CFLAGS := -ffixed-r8 -ffixed-r9 -ffixed-r10
endif
ARCH_CALL_RE := \<call

$(IMAGE): $(BUILD)/kernel.elf
	@$(OBJCOPY) -O elf32-i386 --strip-debug $< $@

# FASTPATH=asm: the assembly fast path reads the C structures through offsets made from
# this configuration's own headers (fastpath_asm.offsets, compiled as C to assembly).
ifeq ($(CONFIG_FASTPATH),asm)
$(BUILD)/fastpath_offsets.h: kernel/arch/x86_64/fastpath_asm.offsets $(BUILD)/config.h \
		kernel/arch/x86_64/arch.mk
	@mkdir -p $(@D)
	@$(KCC) $(KERNEL_CPPFLAGS) $(filter-out -MMD -MP,$(KERNEL_CFLAGS)) -x c -S $< -o - | \
	    sed -n 's/^[[:space:]]*->\([A-Z_0-9]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\).*/#define \1 \2/p' > $@.tmp
	@mv $@.tmp $@
$(BUILD)/kernel/arch/x86_64/fastpath_asm.S.o: $(BUILD)/fastpath_offsets.h
endif
