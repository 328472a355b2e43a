# zonestat: build, test, run.  `make run` and `make test` first install the
# Debian packages they need (see .ci/deps.sh).
LUA      ?= lua5.4
CC       ?= cc
LUA_INC  ?= $(shell pkg-config --cflags lua5.4 2>/dev/null || echo -I/usr/include/lua5.4)
# the libraries from Debian: libzip + expat (xlsx reading), libxlsxwriter (xlsx writing), SQLite, ICU (collation)
FORMAT_LIBS = libzip expat xlsxwriter sqlite3 icu-i18n
CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Wno-unused-parameter -Wshadow -Wmissing-prototypes
# one exported symbol, luaopen_zonestat_core (ZS_EXPORT in csrc/zs.h)
ALL_CFLAGS = $(CFLAGS) $(WARN) -std=gnu11 -fPIC -fvisibility=hidden $(LUA_INC) $(shell pkg-config --cflags $(FORMAT_LIBS))
LDFLAGS  ?=
LIBS      = -lpthread -lutf8proc $(shell pkg-config --libs $(FORMAT_LIBS))

SRC  = $(wildcard csrc/*.c)
OBJ  = $(patsubst csrc/%.c,build/obj/%.o,$(SRC))
SO   = build/zonestat/core.so

export LUA_PATH  := lua/?.lua;lua/?/init.lua;;
export LUA_CPATH := build/?.so;;

.PHONY: all deps run test sanitize stress repl valgrind clean lint bench

all: $(SO)

build/obj/%.o: csrc/%.c $(wildcard csrc/*.h)
	@mkdir -p build/obj
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(SO): $(OBJ)
	@mkdir -p build/zonestat
	$(CC) -shared $(LDFLAGS) -o $@ $(OBJ) $(LIBS)

deps:
	@sh .ci/deps.sh

run: deps all
	@mkdir -p out
	$(LUA) bin/zonestat report --province "Quảng Ngãi" --province "Hải Phòng" --html out/report.html

test: deps all
	busted --lua=$(LUA) spec

# the core built with ASan + UBSan (clang, into fuzz/out/asan) and the whole
# spec suite under it, one busted process per spec file; a sanitizer report
# fails the test (see fuzz/README.md).  Ends with "N passed, N failed".
SANITIZE_PKGS = clang libclang-rt-14-dev llvm-14
sanitize: deps all
	@ZS_EXTRA_PKGS="$(SANITIZE_PKGS)" sh .ci/deps.sh
	$(MAKE) -C fuzz -j2 asan
	sh fuzz/sanitize.sh

# the stress build: the thresholds below which work is not split lowered
# (the same -D flags as the fuzzers), so that the suite's small inputs reach
# every grouping strategy and parallel plan.  The suite runs in a copy of the
# checkout (build/stress/tree) whose build/zonestat/core.so is that build, so
# that every child process a spec starts loads it too; .ci/run counts it.
STRESS = -DZS_MIN_CHUNK_BYTES=16 -DZS_MIN_ROWS_PER_PART=4 -DZS_DIRECT_MIN=16 -DZS_GROUP_SAMPLE=64
STRESS_OBJ = $(patsubst csrc/%.c,build/stress/obj/%.o,$(SRC))
STRESS_TREE = build/stress/tree
build/stress/obj/%.o: csrc/%.c $(wildcard csrc/*.h)
	@mkdir -p build/stress/obj
	$(CC) $(ALL_CFLAGS) $(STRESS) -c $< -o $@
build/stress/core.so: $(STRESS_OBJ)
	$(CC) -shared $(LDFLAGS) -o $@ $(STRESS_OBJ) $(LIBS)
stress: deps all build/stress/core.so
	rm -rf $(STRESS_TREE)
	mkdir -p $(STRESS_TREE)/build/zonestat
	git ls-files -z | xargs -0 cp --parents -t $(STRESS_TREE)
	cp build/stress/core.so $(STRESS_TREE)/build/zonestat/core.so
	if [ -d ../shared ]; then ln -sfn "$$(cd ../shared && pwd)" build/stress/shared; fi
	cd $(STRESS_TREE) && busted --lua=$(LUA) spec

repl: all
	$(LUA) -i -e 'zs = require "zonestat"'

# busted re-runs itself under lua5.4 (.busted): --ignore-lua keeps it in the
# process valgrind watches
valgrind: all
	valgrind --leak-check=full --error-exitcode=1 --errors-for-leak-kinds=definite \
	  $(LUA) /usr/bin/busted --ignore-lua spec

# the benchmark (not part of CI; see bench/README.md)
bench: all
	sh bench/run.sh

lint:
	luacheck lua spec bin examples bench fuzz

clean:
	rm -rf build
