# SPDX-License-Identifier: GPL-2.0
#
# shadowvf: live migration for SR-IOV VFs without migration hardware.
#
#   make              build the modules against KDIR
#   make check        install dependencies, build, run every test in the
#                     emulated SR-IOV host; prints "N passed, N failed"
#   make demo         boot the emulated host, live-migrate a VM with its VF
#   make quick        developers' inner loop: the L1 suites and one nested
#                     round trip in one boot (Documentation/testbed.rst)
#   make bench        migration and data-path figures (not part of check)
#   make soak         many round-trip migrations (not part of check)
#   make KDIR=...     build against another kernel tree
#   make tools        user-space tools (svf-inspect) into $(BUILD)/tools
#   make dkms-src     copy what DKMS builds to $(DKMS_SRC) (README, DKMS)

KVER ?= $(shell tools/testbed/kver.sh)
KDIR ?= /usr/src/linux-headers-$(KVER)
BUILD ?= $(CURDIR)/build
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC ?= /usr/src/shadowvf-$(DKMS_VERSION)
# the sources of the module, without kbuild's output (*.mod.c)
DKMS_FILES := dkms.conf Makefile Kbuild COPYING \
	$(wildcard drivers/vfio/pci/igbvf/Makefile) \
	$(filter-out %.mod.c,$(wildcard drivers/vfio/pci/igbvf/*.[ch])) \
	$(wildcard include/uapi/linux/shadowvf/*.h)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)

deps:
	tools/testbed/deps.sh

check:
	tools/testbed/check.sh

demo:
	tools/testbed/demo.sh

quick:
	tools/testbed/quick.sh

tools:
	$(MAKE) -C tools/shadowvf O=$(BUILD)/tools

dkms-src:
	@test -n "$(DKMS_VERSION)" || { echo "no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	for f in $(DKMS_FILES); do install -D -m 644 $$f $(DKMS_SRC)/$$f || exit 1; done
	@echo "shadowvf $(DKMS_VERSION) sources in $(DKMS_SRC)"

bench:
	tools/testbed/bench.sh bench

soak:
	tools/testbed/bench.sh soak

.PHONY: all modules clean deps check demo quick tools dkms-src bench soak
