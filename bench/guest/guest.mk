# Builds the root task (the in-guest benchmark) as a flat binary, $(BUILD)/user.bin,
# which the kernel image carries (kernel/arch/$(ARCH)/user_image.S).

GUEST_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-builtin \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns -MMD -MP
GUEST_CPPFLAGS := -Ikernel/include -Ibench/guest
GUEST_SRCS := $(wildcard bench/guest/*.c) $(wildcard bench/guest/*.S)
GUEST_OBJS := $(patsubst bench/guest/%,$(BUILD)/user/%.o,$(GUEST_SRCS))

$(BUILD)/user/%.c.o: bench/guest/%.c bench/guest/guest.mk
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(KCC) $(GUEST_CPPFLAGS) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/user/%.S.o: bench/guest/%.S bench/guest/guest.mk
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(KCC) $(GUEST_CPPFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/user.elf: $(GUEST_OBJS) bench/guest/user.ld
	@echo "  LD      $@"
	@$(KCC) $(KERNEL_LDFLAGS) -T bench/guest/user.ld -o $@ $(GUEST_OBJS)

$(BUILD)/user.bin: $(BUILD)/user.elf
	@$(OBJCOPY) -O binary $< $@

-include $(GUEST_OBJS:.o=.d)
