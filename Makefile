GO ?= go
BIN ?= selfassess
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/selfassess/selfassess/cmd.Version=$(VERSION)

.PHONY: build test lint install demo fuzz bench

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

# The test command (README, .ci/run): vet, then every test with the race detector.
test:
	$(GO) vet ./...
	$(GO) test -race ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

install:
	$(GO) install -ldflags "$(LDFLAGS)" .

demo:
	$(GO) run . run --demo
