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

# config.h: for each axis one CONFIG_<AXIS>_<VALUE> macro per value (1 for the chosen
# one, 0 for the others) and CONFIG_<AXIS>_NAME, the chosen value as a string.
$(BUILD)/config.h: variants/$(VARIANT).conf kernel/config.mk
	@mkdir -p $(@D)
	@{ echo '/* generated from variants/$(VARIANT).conf by kernel/config.mk: do not edit */'; \
	  echo '#ifndef IPCLAB_CONFIG_H'; echo '#define IPCLAB_CONFIG_H'; \
	  echo '#define CONFIG_VARIANT "$(VARIANT)"'; echo '#define CONFIG_ARCH "$(ARCH)"'; \
	  $(foreach a,$(AXES),for v in $(AXIS_$(a)); do \
	    n=0; [ "$$v" = "$($(a))" ] && n=1; \
	    echo "#define CONFIG_$(a)_$$(echo $$v | tr a-z- A-Z_) $$n"; done; \
	    echo '#define CONFIG_$(a)_NAME "$($(a))"';) \
	  echo '#include "config_check.h"'; echo '#endif'; } > $@.tmp
	@mv $@.tmp $@
