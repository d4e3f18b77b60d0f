# Builds build/x86_64/<variant>/ipclab.elf: the portable core (kernel/core) and this
# directory, linked at 1 MiB, with the root task image (bench/guest) carried inside.
# QEMU's multiboot loader takes ELF32 only, so the ELF64 link is converted at the end.

CC      ?= gcc
KCC     := gcc
OBJCOPY := objcopy

KERNEL_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-builtin \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
	-mcmodel=small -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
	-MMD -MP
KERNEL_CPPFLAGS := -I$(BUILD) -iquote kernel/core -Ikernel/include -Ikernel/arch/x86_64/include \
	-Ikernel/arch/x86_64
KERNEL_LDFLAGS := -nostdlib -static -no-pie -Wl,--no-dynamic-linker -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,--build-id=none -Wl,--no-warn-rwx-segments

KERNEL_SRCS := $(wildcard kernel/core/*.c) $(wildcard kernel/arch/x86_64/*.c) \
	$(wildcard kernel/arch/x86_64/*.S)
KERNEL_OBJS := $(patsubst kernel/%,$(BUILD)/kernel/%.o,$(KERNEL_SRCS))

# The fast path must leave the message registers it does not save in the CPU: no
# callee-saved register needs this, r8-r10 do (see include/arch/regs.h).
$(BUILD)/kernel/core/fastpath.c.o: KERNEL_CFLAGS += -ffixed-r8 -ffixed-r9 -ffixed-r10
# ...which only holds if it calls nothing compiled without those flags: refuse any call.
FASTPATH_CHECK = if objdump -d $@ | grep -qE '\<call'; then \
	echo "$<: the fast path must not call out of line (it would clobber r8-r10):" >&2; \
	objdump -d $@ | grep -E '\<call' >&2; rm -f $@; exit 1; fi

$(BUILD)/kernel/%.c.o: kernel/%.c $(BUILD)/config.h kernel/arch/x86_64/kernel.mk
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(KCC) $(KERNEL_CPPFLAGS) $(KERNEL_CFLAGS) -c $< -o $@
	@$(if $(filter %/fastpath.c.o,$@),$(FASTPATH_CHECK))

$(BUILD)/kernel/arch/x86_64/user_image.S.o: $(BUILD)/user.bin
$(BUILD)/kernel/%.S.o: kernel/%.S $(BUILD)/config.h kernel/arch/x86_64/kernel.mk
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(KCC) $(KERNEL_CPPFLAGS) -DUSER_IMAGE='"$(BUILD)/user.bin"' -g -MMD -MP -c $< -o $@

$(BUILD)/kernel64.elf: $(KERNEL_OBJS) kernel/arch/x86_64/kernel.ld
	@echo "  LD      $@"
	@$(KCC) $(KERNEL_LDFLAGS) -T kernel/arch/x86_64/kernel.ld -o $@ $(KERNEL_OBJS)

$(IMAGE): $(BUILD)/kernel64.elf
	@$(OBJCOPY) -O elf32-i386 --strip-debug $< $@

-include $(KERNEL_OBJS:.o=.d)
