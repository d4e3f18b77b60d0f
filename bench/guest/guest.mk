# Builds the root task (the in-guest benchmark) as a flat binary, which every kernel
# image of the architecture carries (kernel/core/user_image.S). Portable C in
# bench/guest/; the counter read, the system-call and IPC stubs, the start code and the
# linker script in bench/guest/arch/$(ARCH)/ (see bench/guest/README.md).
#
# The root task reads the kernel's configuration from the kernel info page at run time
# and includes no config.h, so one binary, built once per architecture, measures every
# variant: no variant's numbers can differ because its benchmark was compiled apart.

GUEST_ARCH_DIR := bench/guest/arch/$(ARCH)
GUEST_BUILD    := build/$(ARCH)/guest
USER_IMAGE_BIN := $(GUEST_BUILD)/user.bin
GUEST_CFLAGS    = $(FREESTANDING_CFLAGS)
GUEST_CPPFLAGS := -Ikernel/include -Ikernel/arch/$(ARCH)/include -Ibench/guest -I$(GUEST_ARCH_DIR)
GUEST_SRCS := $(wildcard bench/guest/*.c bench/guest/workloads/*.c $(GUEST_ARCH_DIR)/*.c \
	$(GUEST_ARCH_DIR)/*.S)
GUEST_OBJS := $(patsubst bench/guest/%,$(GUEST_BUILD)/user/%.o,$(GUEST_SRCS))
GUEST_BUILD_FILES := bench/guest/guest.mk kernel/kernel.mk kernel/arch/$(ARCH)/arch.mk

$(GUEST_BUILD)/user/%.c.o: bench/guest/%.c $(GUEST_BUILD_FILES)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(KCC) $(GUEST_CPPFLAGS) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_BUILD)/user/%.S.o: bench/guest/%.S $(GUEST_BUILD_FILES)
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(KCC) $(GUEST_CPPFLAGS) $(ARCH_CFLAGS) -MMD -MP -c $< -o $@

$(GUEST_BUILD)/user.elf: $(GUEST_OBJS) $(GUEST_ARCH_DIR)/user.ld
	@echo "  LD      $@"
	@$(KCC) $(KERNEL_LDFLAGS) -T $(GUEST_ARCH_DIR)/user.ld -o $@ $(GUEST_OBJS)

$(GUEST_BUILD)/user.bin: $(GUEST_BUILD)/user.elf
	@$(OBJCOPY) -O binary $< $@

-include $(GUEST_OBJS:.o=.d)
