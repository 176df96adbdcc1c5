#!/bin/sh
# Run the powerpc64le VMM under qemu-ppc64le with the fake /dev/kvm
# preloaded (tests/kvm/fake-kvm.c): the object code a POWER host would
# run, kvm.c included. KVM_TEST_VMM and KVM_TEST_FAKE come from meson;
# with KVM_TEST_ACCEL=1 "-accel kvm" is put first (for runners that build
# the VMM command line themselves).
if [ "${KVM_TEST_ACCEL:-0}" = 1 ]; then
    exec qemu-ppc64le -E LD_PRELOAD="$KVM_TEST_FAKE" "$KVM_TEST_VMM" -accel kvm "$@"
fi
exec qemu-ppc64le -E LD_PRELOAD="$KVM_TEST_FAKE" "$KVM_TEST_VMM" "$@"
