#!/usr/bin/env bash
# Build llama.cpp's llama-bench from the llama-cpp-python 0.3.36 sources (the same llama.cpp the [bench] extra
# runs), once, into a cache folder; print the binary's path. GGML_NATIVE=OFF as for the Python build.
set -euo pipefail
VERSION=0.3.36
cache="${XDG_CACHE_HOME:-$HOME/.cache}/runlocal-ci/llama-bench-$VERSION"
bin="$cache/build/bin/llama-bench"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
mkdir -p "$cache"
work=$(mktemp -d /tmp/llama-bench-src.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 -m pip download -q --no-deps --no-binary :all: "llama-cpp-python==$VERSION" -d "$work" >&2
tar xzf "$work"/llama_cpp_python-$VERSION.tar.gz -C "$work"
src="$work/llama_cpp_python-$VERSION/vendor/llama.cpp"
command -v cmake >/dev/null 2>&1 || python3 -m pip install -q cmake >&2
cmake -S "$src" -B "$cache/build" -DGGML_NATIVE=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=OFF -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=OFF >&2
cmake --build "$cache/build" --target llama-bench -j "$(nproc)" >&2
echo "$bin"
