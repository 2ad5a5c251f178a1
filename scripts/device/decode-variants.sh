#!/usr/bin/env bash
# Batch-1 decode of the 1B and 8B shapes with compile-time options of gemv.cu and attention.cu
# switched (PTX built on the GPU machine with -D flags, loaded with -Densemble.cuda.ptx), each run twice.
# Run: device run, carry [".device"], command: PATH=/usr/local/cuda/bin:$PATH bash scripts/device/decode-variants.sh "name:-DFLAG=1 ..." ...
export LD_LIBRARY_PATH=/usr/local/cuda/lib64
J=".device/jre/bin/java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector"
for v in "$@"; do
  name=${v%%:*}; flags=${v#*:}; d=/tmp/ptx-$name; mkdir -p $d
  for f in src/main/cuda/*.cu; do nvcc -ptx -arch=sm_90 -O3 $flags $f -o $d/$(basename $f .cu).ptx; done
  for run in 1 2; do echo "== $name ($flags) run $run"; $J -Densemble.cuda.ptx=$d -cp ".device/classes:.device/lib/*" ai.ensemble.engine.cuda.CudaBench $OUT/$name-$run.json tokens=256 decode-only 2>&1 | grep -E "tok/s|wo\+|down\+|attention"; done
done
