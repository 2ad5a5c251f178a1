#!/usr/bin/env bash
# Compiles every CUDA kernel in src/main/cuda/<op>.cu to PTX for Hopper (sm_90: H100, H200) at
# src/main/resources/ai/ensemble/engine/cuda/<op>.ptx, the first line recording the SHA-256 of the
# source (KernelSourcesTest fails when a .cu changes without its PTX being rebuilt). A .cu that
# includes headers of src/main/cuda (#include "name.cuh", one level: headers include no local
# headers) is hashed together with them: SHA-256 of the .cu's bytes followed by each included
# header's bytes in the order of the #include lines. The PTX is committed, so building the engine
# needs only a JDK; running it needs a CUDA 13 driver (580+), since PTX from nvcc 13 is rejected by
# older drivers.
# Usage: scripts/build-kernels.sh        (NVCC=/path/to/nvcc to choose the compiler)
set -euo pipefail
cd "$(dirname "$0")/.."
nvcc=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
out=src/main/resources/ai/ensemble/engine/cuda
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for source in src/main/cuda/*.cu; do
  op=$(basename "$source" .cu)
  headers=()
  while IFS= read -r header; do
    headers+=("src/main/cuda/$header")
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$source")
  "$nvcc" -ptx -arch=sm_90 -O3 "$source" -o "$tmp/$op.ptx"
  hash=$(cat "$source" "${headers[@]}" | sha256sum | cut -d' ' -f1)
  { echo "// source-sha256: $hash"; cat "$tmp/$op.ptx"; } > "$out/$op.ptx"
  echo "$source ${headers[*]} -> $out/$op.ptx"
done
