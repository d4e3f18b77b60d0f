#!/bin/sh
# The build refuses bad configurations by name: an unknown variant lists the valid
# ones, an invalid axis value names the option and its values, and config_check.h
# names the option when a hand-written config.h sets two values of one axis.
set -u
passed=0
failed=0

expect_failure() { # description, expected text, command...
    what=$1 text=$2
    shift 2
    if out=$("$@" 2>&1); then
        echo "FAIL $what: succeeded"; failed=$((failed + 1)); return
    fi
    case $out in
    *"$text"*) passed=$((passed + 1)) ;;
    *) echo "FAIL $what: no '$text' in: $out"; failed=$((failed + 1)) ;;
    esac
}

expect_failure "unknown variant" "valid variants: classic-benno" \
    make -s --no-print-directory VARIANT=no-such-variant config
expect_failure "unknown arch" "valid architectures: x86_64" \
    make -s --no-print-directory ARCH=no-such-arch config
expect_failure "invalid value" "option TRANSFER=bogus is invalid; valid values: regs vregs mem" \
    make -s --no-print-directory VARIANT=l4-classic TRANSFER=bogus config
expect_failure "two values" "option SCHED must have exactly one value" \
    make -s --no-print-directory VARIANT=l4-classic SCHED="lazy benno" config

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/config.h" <<'CONF'
#define CONFIG_TRANSFER_REGS 1
#define CONFIG_TRANSFER_VREGS 1
#define CONFIG_TRANSFER_MEM 0
#define CONFIG_SCHED_LAZY 1
#define CONFIG_SCHED_BENNO 0
#define CONFIG_DEST_TID 1
#define CONFIG_DEST_ENDPOINT 0
#define CONFIG_FASTPATH_ON 1
#define CONFIG_FASTPATH_OFF 0
#include "config_check.h"
CONF
expect_failure "two values in config.h" 'option TRANSFER: choose exactly one of regs, vregs, mem' \
    gcc -fsyntax-only -Ikernel/core -Ikernel/include -x c "$dir/config.h"

echo "build-errors: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
