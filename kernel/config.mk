# Turns a variant file (variants/<name>.conf: TRANSFER, SCHED, DEST, FASTPATH) into
# the CONFIG_ macros of a generated config.h. An unknown value fails the build here,
# naming the option; kernel/core/config_check.h repeats the check for the C side.

AXIS_TRANSFER := regs vregs mem
AXIS_SCHED    := lazy benno
AXIS_DEST     := tid endpoint
AXIS_FASTPATH := on off
AXES          := TRANSFER SCHED DEST FASTPATH

# $(call check_axis,NAME): stop unless $(NAME) holds exactly one valid value.
define check_axis
$(if $(filter-out 1,$(words $($(1)))),$(error variant '$(VARIANT)': option $(1) must have exactly one value, one of: $(AXIS_$(1)) (got '$($(1))')))
$(if $(filter $($(1)),$(AXIS_$(1))),,$(error variant '$(VARIANT)': option $(1)=$($(1)) is invalid; valid values: $(AXIS_$(1))))
endef

# $(call config_lines,NAME): one #define per value of the axis, 1 for the chosen one.
config_lines = $(foreach v,$(AXIS_$(1)),\#define CONFIG_$(1)_$(shell echo $(v) | tr a-z- A-Z_) $(if $(filter $(v),$($(1))),1,0)\n)\#define CONFIG_$(1)_NAME "$($(1))"\n
