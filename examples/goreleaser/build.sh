#!/bin/sh
# build.sh OUT: the Dockerfile's build step (also run by tests/goreleaser_e2e.py).
# gorelink builds the static binary and checks it; the check runs again as the
# gate before the image takes OUT: either failing stops the image build.
set -eu
out=${1:?usage: build.sh OUT}
mkdir -p "$(dirname "$out")"
gorelink --static -o "$out" . -- -trimpath -ldflags="-s -w"
gorelink check "$out"
