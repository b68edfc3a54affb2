# Exchange: the two commands a new machine needs are `make run` and `make test`.
DOTNET ?= dotnet
CONFIGURATION ?= Release

.PHONY: run test test-postgres build bench bench-scale clean cli dev-certs fuzz

## run: start the hub on https://127.0.0.1:7443 and the operators' console on https://127.0.0.1:7445/console (embedded SQLite, development PKI in certs/dev on first run; the console's first operator and its one-time password are in the log)
run:
	$(DOTNET) run --project src/Exchange.Host -c $(CONFIGURATION) -- --environment Development --Exchange:Pki:DevelopmentDirectory=$(CURDIR)/certs/dev --Exchange:DataDirectory=$(CURDIR)/data --Exchange:Console:Listen=https://127.0.0.1:7445

## test: build everything and run every test (unit, integration over real mTLS, interop with python3-grpcio)
test:
	$(DOTNET) build Exchange.sln -c $(CONFIGURATION)
	$(DOTNET) test Exchange.sln -c $(CONFIGURATION) --no-build

## test-postgres: `make test` with the PostgreSQL lane too, on a throwaway server in a temporary folder (needs Debian's postgresql; CI runs this)
test-postgres:
	.ci/with-postgres $(MAKE) test

## fuzz: the request fuzz of `make test`, longer: FUZZ_CALLS random and mutated requests (default 100,000) or FUZZ_SECONDS (default 900), FUZZ_SEED to vary
FUZZ_CALLS ?= 100000
FUZZ_SECONDS ?= 900
FUZZ_SEED ?= 20261206
fuzz:
	$(DOTNET) build tests/Exchange.Host.Tests -c $(CONFIGURATION)
	EXCHANGE_FUZZ_CALLS=$(FUZZ_CALLS) EXCHANGE_FUZZ_SECONDS=$(FUZZ_SECONDS) EXCHANGE_FUZZ_SEED=$(FUZZ_SEED) $(DOTNET) test tests/Exchange.Host.Tests -c $(CONFIGURATION) --no-build --filter "FullyQualifiedName~FuzzTests" --logger "console;verbosity=detailed"

## bench: an in-process hub over mTLS on loopback: unary, server-streamed and duplex calls, then batched record writes and purpose-checked reads, each beside its floor measured in the same run, about 2½ minutes (BENCH_ARGS="--provider postgres": on a throwaway PostgreSQL server unless EXCHANGE_BENCH_POSTGRES or EXCHANGE_TEST_POSTGRES names one; BENCH_ARGS=--help lists all)
# A PostgreSQL run with no server named gets one from .ci/with-postgres, as the tests do.
BENCH_SERVER = $(if $(and $(findstring --provider postgres,$(BENCH_ARGS)),$(if $(findstring --postgres ,$(BENCH_ARGS) ),,y),$(if $(EXCHANGE_BENCH_POSTGRES)$(EXCHANGE_TEST_POSTGRES),,y)),.ci/with-postgres)
bench:
	$(DOTNET) build bench/Exchange.Bench -c Release
	$(BENCH_SERVER) $(DOTNET) run --project bench/Exchange.Bench -c Release --no-build -- $(BENCH_ARGS)

## bench-scale: `make bench BENCH_ARGS="--scale"`: grows a hub to 1,000,000 customers and ~6,000,000 log entries in three steps and prints disk, WAL, memory, search, read and Verify costs at each, over half an hour (BENCH_ARGS="--scale-customers 100000" for a quick run, "--provider postgres" as above)
bench-scale:
	$(MAKE) bench BENCH_ARGS="--scale $(BENCH_ARGS)"

## cli: build the `exchange` command-line tool into artifacts/cli (then: export PATH=$$PWD/artifacts/cli:$$PATH)
cli:
	$(DOTNET) publish src/Exchange.Cli -c $(CONFIGURATION) -o $(CURDIR)/artifacts/cli

## dev-certs: create the development PKI in certs/dev (if missing) without starting the hub; delete certs/dev to start over
dev-certs:
	$(DOTNET) run --project src/Exchange.Host -c $(CONFIGURATION) -- --create-dev-pki --Exchange:Pki:DevelopmentDirectory=$(CURDIR)/certs/dev --Exchange:DataDirectory=$(CURDIR)/data

build:
	$(DOTNET) build Exchange.sln -c $(CONFIGURATION)

clean:
	$(DOTNET) clean Exchange.sln -c $(CONFIGURATION)
