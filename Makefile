# SPDX-License-Identifier: GPL-2.0
#
# shadowvf: live migration for SR-IOV VFs without migration hardware.
#
#   make              build the modules against KDIR
#   make check        install dependencies, build, run every test in the
#                     emulated SR-IOV host; prints "N passed, N failed"
#   make demo         boot the emulated host, live-migrate a VM with its VF
#   make bench        migration and data-path figures (not part of check)
#   make soak         many round-trip migrations (not part of check)
#   make KDIR=...     build against another kernel tree

KVER ?= $(shell tools/testbed/kver.sh)
KDIR ?= /usr/src/linux-headers-$(KVER)
BUILD ?= $(CURDIR)/build

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

bench:
	tools/testbed/bench.sh bench

soak:
	tools/testbed/bench.sh soak

.PHONY: all modules clean deps check demo bench soak
