# nullspace build. Targets: all test fuzz bench lint install clean.
# MODE=rel (default, -O2) or MODE=asan (ASan+UBSan, what `make test` uses).
# New .c files are picked up by wildcard: core/ cert/ transport/*/ api/ form
# libnullspace, cli/ forms bin/nullspace, tests/test_*.c are cmocka suites,
# fuzz/fuzz_*.c are libFuzzer targets.

MODE ?= rel
# `make static`: musl-gcc against the musl builds of libsodium and BearSSL that
# scripts/static_deps.sh makes from Debian's source packages into STATIC_DEPS;
# the stripped binary must stay within STATIC_MAX bytes.
STATIC_DEPS ?= build/static-deps
STATIC_OPT ?= -O2
STATIC_MAX := 1048576
CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
VERSION := $(shell sed -n 's/^#define NS_VERSION_STRING "\(.*\)"/\1/p' include/nullspace/version.h)
SOMAJOR := $(shell sed -n 's/^\#define NS_VERSION_MAJOR //p' include/nullspace/version.h)
SOMINOR := $(shell sed -n 's/^\#define NS_VERSION_MINOR //p' include/nullspace/version.h)
# Before 1.0 every minor version may change the ABI: the soname names it
# (libnullspace.so.0.2); from 1.0 on, the major version alone.
SONAME := libnullspace.so.$(SOMAJOR)$(if $(filter 0,$(SOMAJOR)),.$(SOMINOR))
FUZZ_SECONDS ?= 20

B := build/$(MODE)
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wredundant-decls \
	-Wno-missing-field-initializers
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -g -fvisibility=hidden $(WARN) -Iinclude -Icore -Icert -Itransport/common -Itransport/client -Itransport/agent -Itransport/relay -Iapi \
	$(shell pkg-config --cflags libsodium 2>/dev/null)
ifeq ($(MODE),asan)
OPT := -O1 -fPIC -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
else ifeq ($(MODE),static-build)
# `make static`: musl, fully static, every function in its own section so the
# linker drops what no command reaches (docs/container.md has the sizes).
OPT := $(STATIC_OPT) -ffunction-sections -fdata-sections -I$(STATIC_DEPS)/include
else
OPT := -O2 -fPIC
endif
CFLAGS ?=
ALL_CFLAGS := $(BASE_CFLAGS) $(OPT) $(CFLAGS) $(if $(filter static-build,$(MODE)),-DNS_NO_API)
API_PKGS := libcurl jansson libmicrohttpd
ifeq ($(MODE),static-build)
LIBS := -L$(STATIC_DEPS)/lib -lsodium -lbearssl -lutil
else
LIBS := $(shell pkg-config --libs libsodium 2>/dev/null || echo -lsodium) -lbearssl -lutil
endif
# The control plane (api/) and the commands over it need libcurl, jansson and
# libmicrohttpd; the static build (`make static`, for minimal containers)
# leaves them out and keeps agent, relay, connect, keygen and cert.
ifneq ($(MODE),static-build)
LIBS += $(shell pkg-config --libs $(API_PKGS) 2>/dev/null || echo -lcurl -ljansson -lmicrohttpd)
endif
LDFLAGS ?=

API_CLI_SRC := cli/cmd_up.c cli/up_util.c cli/up_state.c cli/up_lock.c cli/up_relay.c cli/up_tls.c cli/up_hostca.c cli/cmd_sandbox.c cli/cmd_ssh.c cli/sshfiles.c cli/api_exit.c \
	cli/sandbox_util.c cli/sandbox_access.c cli/sshfiles_access.c cli/sshfiles_argv.c \
	cli/sshfiles_pin.c cli/cmd_isolate.c cli/cmd_ssh_config.c cli/ssh_config_run.c \
	cli/sandbox_files.c cli/ssh_args.c
ifeq ($(MODE),static-build)
LIB_SRC := $(wildcard core/*.c cert/*.c transport/*/*.c)
CLI_SRC := $(filter-out $(API_CLI_SRC),$(wildcard cli/*.c))
else
LIB_SRC := $(wildcard core/*.c cert/*.c transport/*/*.c api/*.c)
CLI_SRC := $(wildcard cli/*.c)
endif
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(B)/tests/%)
TEST_LIB_SRC := $(wildcard tests/lib_*.c)
TEST_LIB_OBJ := $(TEST_LIB_SRC:%.c=$(B)/%.o)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
REPLAY_BIN := $(FUZZ_SRC:fuzz/%.c=$(B)/replay/%)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)
EXAMPLES := $(patsubst examples/%.c,$(B)/examples/%,$(wildcard examples/*.c))
HEADERS := $(wildcard include/nullspace/*.h)

.PHONY: all lib test test-build fuzz bench demo lint install clean static

all: $(B)/libnullspace.a $(B)/libnullspace.so $(B)/nullspace $(B)/nullspace.pc $(EXAMPLES)
ifeq ($(MODE),rel)
	@mkdir -p bin && cp $(B)/nullspace bin/nullspace.tmp && mv -f bin/nullspace.tmp bin/nullspace
endif

$(B)/%.o: %.c $(HEADERS) $(wildcard */*.h */*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/libnullspace.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/libnullspace.so: $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,$(SONAME) -o $@ $^ $(LIBS) $(LDFLAGS)

$(B)/nullspace: $(CLI_OBJ) $(B)/libnullspace.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(B)/libnullspace.a $(LIBS) $(LDFLAGS)

ifeq ($(MODE),static-build)
$(B)/nullspace: $(STATIC_DEPS)/stamp # relink when scripts/static_deps.sh rebuilt the libraries
endif

$(B)/nullspace.pc: Makefile
	@mkdir -p $(B)
	printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: nullspace\nDescription: Embeddable SSH-2 client/server engine\nVersion: %s\nRequires.private: libsodium libcurl jansson libmicrohttpd\nLibs: -L$${libdir} -lnullspace\nLibs.private: -lbearssl -lutil\nCflags: -I$${includedir}\n' \
		'$(PREFIX)' '$(VERSION)' > $@

# A suite that tests cli/ code links those objects too: TEST_EXTRA_<suite>.
TEST_EXTRA_test_sshfiles := $(addprefix $(B)/cli/,sshfiles.o sshfiles_access.o sshfiles_argv.o \
	sshfiles_pin.o sshfiles_ws.o)
$(B)/tests/test_sshfiles: $(TEST_EXTRA_test_sshfiles)
TEST_EXTRA_test_sshfiles_pin := $(TEST_EXTRA_test_sshfiles)
TEST_EXTRA_test_ssh_args := $(B)/cli/ssh_args.o
TEST_EXTRA_test_connect_fwd := $(B)/cli/connect_fwd.o
$(B)/tests/test_connect_fwd: $(TEST_EXTRA_test_connect_fwd)
$(B)/tests/test_ssh_args: $(TEST_EXTRA_test_ssh_args)
$(B)/tests/test_sshfiles_pin: $(TEST_EXTRA_test_sshfiles_pin)

$(B)/tests/%: tests/%.c $(TEST_LIB_OBJ) $(B)/libnullspace.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(TEST_LIB_OBJ) $(TEST_EXTRA_$*) $(B)/libnullspace.a \
		-lcmocka $(LIBS)

# A target that needs code outside the library compiles it too: FUZZ_EXTRA_<target>.
FUZZ_EXTRA_fuzz_up_lock := cli/up_lock.c
$(B)/replay/fuzz_up_lock build/fuzz/fuzz_up_lock: $(FUZZ_EXTRA_fuzz_up_lock) cli/up_int.h
# fuzz_conn drives a seeded engine pair: the tests' pair and random source.
FUZZ_EXTRA_fuzz_conn := tests/lib_pair.c tests/lib_rng.c
$(B)/replay/fuzz_conn build/fuzz/fuzz_conn: $(FUZZ_EXTRA_fuzz_conn) tests/lib_pair.h tests/lib_rng.h

$(B)/replay/%: fuzz/%.c fuzz/replay_main.c $(B)/libnullspace.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< fuzz/replay_main.c $(FUZZ_EXTRA_$*) $(B)/libnullspace.a $(LIBS)

$(B)/examples/%: examples/%.c $(B)/libnullspace.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libnullspace.a $(LIBS)

test-build: all $(TEST_BIN) $(REPLAY_BIN)

# The static build first (its deps build takes minutes once, then is cached):
# if it fails, interop/static_root runs it again and fails with the reason.
test:
	./scripts/deps.sh
	-$(MAKE) static
	./scripts/test.sh

# libFuzzer: clang, one binary per target, each run FUZZ_SECONDS on its corpus.
FUZZ_CFLAGS := $(BASE_CFLAGS) -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
build/fuzz/%: fuzz/%.c $(LIB_SRC) $(HEADERS)
	@mkdir -p build/fuzz
	clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_EXTRA_$*) $(LIB_SRC) $(LIBS)

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
		t=$$(basename $$f | sed 's/^fuzz_//'); mkdir -p build/fuzz/corpus/$$t; \
		echo "== $$t ($(FUZZ_SECONDS)s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=70000 build/fuzz/corpus/$$t fuzz/corpus/$$t \
			>build/fuzz/$$t.log 2>&1 || { tail -40 build/fuzz/$$t.log; exit 1; }; \
		grep -E '^(#[0-9]+ *DONE|Done)' build/fuzz/$$t.log | tail -1; \
	done

$(B)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBS)

bench: all $(B)/bench/crypto
	./bench/run.sh

demo:
	./scripts/demo.sh

static:
	./scripts/static_deps.sh $(STATIC_DEPS)
	$(MAKE) MODE=static-build CC=musl-gcc LDFLAGS='-static -Wl,--gc-sections' \
		build/static-build/nullspace
	@mkdir -p bin
	strip -o bin/nullspace-static.tmp build/static-build/nullspace
	@mv -f bin/nullspace-static.tmp bin/nullspace-static
	@size=$$(stat -c %s bin/nullspace-static); \
	echo "bin/nullspace-static: $$size bytes stripped (limit $(STATIC_MAX))"; \
	if [ "$$size" -gt $(STATIC_MAX) ]; then \
		echo "static: bin/nullspace-static is over $(STATIC_MAX) bytes" >&2; rm -f bin/nullspace-static; exit 1; \
	fi

lint:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')
	./scripts/check_layers.sh
	$(MAKE) MODE=lint-clang CC=clang all

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/nullspace
	install -m 0755 $(B)/nullspace $(DESTDIR)$(PREFIX)/bin/nullspace
	install -m 0644 $(B)/libnullspace.a $(DESTDIR)$(PREFIX)/lib/
	install -m 0755 $(B)/libnullspace.so $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libnullspace.so
	install -m 0644 $(HEADERS) $(DESTDIR)$(PREFIX)/include/nullspace/
	install -m 0644 $(B)/nullspace.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/

clean:
	rm -rf build bin
