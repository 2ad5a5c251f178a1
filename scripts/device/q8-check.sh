#!/usr/bin/env bash
# One device call for the Q8_0 / F16 weights of the cuda backend: JUnit for the whole cuda package
# (the new CudaQuantisedKernelsTest and CudaQuantisedForwardTest first, then every other cuda test, so
# nothing regresses), then CudaBench with BF16 and Q8_0 random weights (batch-1 decode, each GEMV
# shape, prefill; continuous batching for BF16 only). Results in $OUT.
# Needs .device/ carried, built here as for gpu-check.sh:
#   .device/jre (../shared/device/make-jre.sh .device/jre), .device/lib (jcuda, jcuda-natives,
#   junit-platform-console-standalone.jar, assertj-core), .device/classes = target/classes,
#   .device/test-classes = target/test-classes (./mvnw -B -ntp -o -q test-compile first).
# Run: device run, carry [".device"], command: bash scripts/device/q8-check.sh   (BENCH=0 skips the benchmark; SERVING=1 adds continuous batching with Q8_0 weights)
set -uo pipefail
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
java=".device/jre/bin/java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector"
tcp=".device/test-classes:.device/classes:$(ls .device/lib/*.jar | grep -v console-standalone | tr '\n' :)"
junit() {
  $java -jar .device/lib/junit-platform-console-standalone.jar execute -cp "$tcp" "$@" \
    --details=tree --disable-banner --disable-ansi-colors
}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$OUT/gpu.txt"
echo "== 1. Q8_0 / F16 / F32 kernels and whole models against the CPU"
junit --select-class ai.ensemble.engine.cuda.CudaQuantisedKernelsTest --select-class ai.ensemble.engine.cuda.CudaQuantisedForwardTest \
  2>&1 | tee "$OUT/q8-tests.txt"
echo "q8 junit exit: ${PIPESTATUS[0]}"
echo "== 2. every cuda test (regressions)"
junit --select-package ai.ensemble.engine.cuda 2>&1 | tee "$OUT/cuda-tests.txt" | grep -E "✘|tests (successful|failed|skipped)"
echo "cuda junit exit: ${PIPESTATUS[0]}"
if [ "${BENCH:-1}" != 0 ]; then
  echo "== 3. CudaBench, BF16 and Q8_0 weights"
  $java -cp ".device/classes:.device/lib/*" ai.ensemble.engine.cuda.CudaBench "$OUT/cuda-bench-q8.json" tokens=256 q8 ${SERVING:+q8-serving} 2>&1 | tee "$OUT/cuda-bench-q8.txt"
fi
