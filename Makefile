GO ?= go
BIN ?= selfassess
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/selfassess/selfassess/cmd.Version=$(VERSION)

.PHONY: build test lint install demo fuzz bench release-check

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

# The test command (README, .ci/run): vet, then every test with the race detector,
# then the time limits of the hostile-server and signal tests without its slowdown.
test:
	$(GO) vet ./...
	$(GO) test -race ./...
	$(GO) test -count=1 -run 'TestHostileSuite|TestSignalDuring' ./probes/httpprobe/ ./cmd/

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' ':!:**/testdata/**')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

install:
	$(GO) install -ldflags "$(LDFLAGS)" .

demo:
	$(GO) run . run --demo

# A snapshot release as .ci/run builds it: goreleaser and the SBOM tool from the module proxy,
# a throw-away release key, then the checks a user makes on a downloaded release.
GORELEASER_VERSION ?= v2.15.1
CYCLONEDX_VERSION ?= v1.10.0
release-check:
	$(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)
	$(GO) install github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@$(CYCLONEDX_VERSION)
	./scripts/release-check
