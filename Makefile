# berth: the two set-up commands of the README (`make demo`, `make test`) and their parts.
# Every target installs what it needs first (Debian 12, as root), so a fresh machine works.

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
RUNTIME    := $(BUILD)/tools/berth-runtime/berth-runtime
TESTBIN    := $(BUILD)/tests/testbin/berth-testbin
IMAGE_TOOL := $(BUILD)/tools/berth-image/berth-image
TEST_ENV   := BERTH_RUNTIME=$(CURDIR)/$(RUNTIME) BERTH_TESTBIN=$(CURDIR)/$(TESTBIN) BERTH_IMAGE=$(CURDIR)/$(IMAGE_TOOL) BERTH_SHIM=$(CURDIR)/$(BUILD)/tools/berth-shim/berth-shim BERTH_INIT=$(CURDIR)/$(BUILD)/tools/berth-init/berth-init BERTHD=$(CURDIR)/$(BUILD)/tools/berthd/berthd BERTH_CLI=$(CURDIR)/$(BUILD)/tools/berth/berth

# Debian packages: build, test and benchmark tools.
PACKAGES := build-essential cmake ninja-build pkg-config git \
  libseccomp-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev \
  libgtest-dev libgmock-dev googletest \
  libssl-dev libsqlite3-dev libarchive-dev libzstd-dev zlib1g-dev \
  liblzma-dev liblz4-dev libbz2-dev libacl1-dev nettle-dev \
  bats jq perl procps iproute2 util-linux busybox-static runc docker.io hyperfine \
  skopeo umoci debootstrap zstd pigz bc python3 \
  libboost-dev curl python3-docker docker-compose bash-completion

# make install [PREFIX=/usr/local] [DESTDIR=...]: the binaries into $(DESTDIR)$(PREFIX)/bin
# (berthd finds its helpers beside itself), bash completion where bash-completion looks.
PREFIX           ?= /usr/local
INSTALL_TOOLS    := berth berthd berth-shim berth-runtime $(notdir $(wildcard tools/berth-init))
COMPLETION_DIR   ?= /usr/share/bash-completion/completions

.PHONY: all deps build demo install test test-unit test-system test-compat test-asan bench format clean

all: build

deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(BUILD)/build.ninja:
	cmake -G Ninja -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD) -j$(JOBS)

# The demo: berthd on the default socket (started if needed), a base image, containers.
demo: build
	@install -D -m 0644 contrib/completion/bash/berth $(DESTDIR)$(COMPLETION_DIR)/berth
	@$(TEST_ENV) tests/lib/demo.sh

# Builds (as `make build` does), then installs the binaries and the bash completion.
install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(foreach t,$(INSTALL_TOOLS),$(BUILD)/tools/$(t)/$(t)) $(DESTDIR)$(PREFIX)/bin/
	install -D -m 0644 contrib/completion/bash/berth $(DESTDIR)$(COMPLETION_DIR)/berth

# Every suite runs even when an earlier one failed; the last line adds up all of them.
test: build
	@BUILD=$(BUILD) JOBS=$(JOBS) tests/run-all.sh

test-unit:
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

test-system:
	$(TEST_ENV) tests/run-bats.sh system tests/system

test-compat:
	$(TEST_ENV) tests/run-bats.sh compat tests/compat

test-asan: deps
	cmake -G Ninja -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DBERTH_SANITIZE=ON
	ninja -C $(ASAN_BUILD) -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j$(JOBS)

bench: build
	$(TEST_ENV) bench/runtime.sh
	$(TEST_ENV) bench/images.sh
	$(TEST_ENV) bench/run.sh

format:
	find src tools tests -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
