#!/bin/sh
# The build refuses bad configurations by name, and never reuses a stale one:
#  - an unknown variant or architecture lists the valid ones;
#  - an invalid axis value names the option and its values, in a variant file or on
#    the command line; a misspelled key in a variant file names the valid keys;
#  - a hand-edited config.h that sets two values of one axis is refused by the
#    compiler, naming the option;
#  - a command-line override (TRANSFER=mem) is undone by the next plain build: the
#    configuration is made afresh every time, so the image carries the right string.
set -u
passed=0
failed=0
MAKE="make -s --no-print-directory"

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

expect_text() { # description, expected text, file
    if grep -qF -- "$2" "$3"; then passed=$((passed + 1)); else
        echo "FAIL $1: no '$2' in $3"; failed=$((failed + 1)); fi
}

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

expect_failure "unknown variant" "valid variants: classic-benno" \
    $MAKE VARIANT=no-such-variant config
expect_failure "unknown arch" "valid architectures: aarch64 riscv64 x86_64" \
    $MAKE ARCH=no-such-arch config
expect_failure "invalid value" "option TRANSFER=bogus is invalid; valid values: regs vregs mem" \
    $MAKE VARIANT=l4-classic TRANSFER=bogus config
expect_failure "two values" "option SCHED must have exactly one value" \
    $MAKE VARIANT=l4-classic SCHED="lazy benno" config
expect_failure "bad DEBUG" "DEBUG=2 is invalid; valid values: 0 1" \
    $MAKE VARIANT=l4-classic DEBUG=2 config

# A value that cannot exist on an architecture, or without another axis's value.
expect_failure "x86_64-only value on aarch64" "option FRAME=full cannot exist on ARCH=aarch64" \
    $MAKE VARIANT=sel4-faithful ARCH=aarch64 config
expect_failure "asm fast path under thread IDs" "option FASTPATH=asm requires DEST=endpoint" \
    $MAKE VARIANT=l4-classic FASTPATH=asm config
expect_failure "CNode depth of a flat table" "option CSPACE_DEPTH=2 requires CSPACE=guarded" \
    $MAKE VARIANT=sel4-like CSPACE_DEPTH=2 config

# A variant file with a misspelled key, and one whose value is invalid.
mkdir -p "$dir/variants"
printf 'BASE = l4-classic\nTRANSFR = mem\n' > "$dir/variants/typo.conf"
printf 'BASE = sel4-like\nDEST = carrier-pigeon\n' > "$dir/variants/badvalue.conf"
cp variants/l4-classic.conf variants/sel4-like.conf "$dir/variants/"
expect_failure "misspelled key" "unknown key 'TRANSFR'; valid keys: BASE, TRANSFER" \
    ${PYTHON:-python3} kernel/configure.py --variants-dir "$dir/variants" show typo
expect_failure "bad value in a file" "option DEST=carrier-pigeon is invalid; valid values: tid endpoint" \
    ${PYTHON:-python3} kernel/configure.py --variants-dir "$dir/variants" --variant badvalue \
        --arch x86_64 --out "$dir/out"

# A hand-edited config.h: two values of one axis.
$MAKE VARIANT=l4-classic config >/dev/null
sed 's/#define CONFIG_TRANSFER_VREGS 0/#define CONFIG_TRANSFER_VREGS 1/' \
    build/x86_64/l4-classic/config.h > "$dir/config.h"
expect_failure "two values in config.h" 'option TRANSFER: choose exactly one of regs, vregs, mem' \
    gcc -fsyntax-only -x c "$dir/config.h"

# An override is undone by the next plain build (config.h and the image alike).
image=build/x86_64/l4-classic/ipclab.elf
$MAKE VARIANT=l4-classic TRANSFER=mem image >/dev/null
expect_text "override applied" "transfer=mem sched=lazy" build/x86_64/l4-classic/config.h
grep -qa "transfer=mem sched=lazy" "$image" && passed=$((passed + 1)) || {
    echo "FAIL override: the image does not carry transfer=mem"; failed=$((failed + 1)); }
$MAKE VARIANT=l4-classic image >/dev/null
expect_text "override undone in config.h" "transfer=regs sched=lazy" build/x86_64/l4-classic/config.h
grep -qa "transfer=regs sched=lazy" "$image" && passed=$((passed + 1)) || {
    echo "FAIL stale image: a plain build after TRANSFER=mem kept transfer=mem"; failed=$((failed + 1)); }
# ... and the unit tests of the plain variant do not reuse the override's build either.
$MAKE VARIANT=l4-classic TRANSFER=mem unit-one >/dev/null
out=$($MAKE VARIANT=l4-classic unit-one 2>&1)
case $out in
*"(transfer=regs sched=lazy"*) passed=$((passed + 1)) ;;
*) echo "FAIL stale unit tests: $out"; failed=$((failed + 1)) ;;
esac

echo "build-errors: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
