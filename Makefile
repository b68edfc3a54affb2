# Exchange: the two commands a new machine needs are `make run` and `make test`.
DOTNET ?= dotnet
CONFIGURATION ?= Release

.PHONY: run test build bench clean

## run: start the hub on https://127.0.0.1:7443 (embedded SQLite, development PKI in certs/dev on first run)
run:
	$(DOTNET) run --project src/Exchange.Host -c $(CONFIGURATION) -- --Exchange:Pki:DevelopmentDirectory=$(CURDIR)/certs/dev --Exchange:DataDirectory=$(CURDIR)/data

## test: build everything and run every test (unit, integration over real mTLS, interop with python3-grpcio)
test:
	$(DOTNET) build Exchange.sln -c $(CONFIGURATION)
	$(DOTNET) test Exchange.sln -c $(CONFIGURATION) --no-build

## bench: throughput over real mTLS on loopback (BENCH_ARGS="--seconds 10 --concurrency 64 --streams 4 --connections 4")
bench:
	$(DOTNET) run --project bench/Exchange.Bench -c Release -- $(BENCH_ARGS)

build:
	$(DOTNET) build Exchange.sln -c $(CONFIGURATION)

clean:
	$(DOTNET) clean Exchange.sln -c $(CONFIGURATION)
