#!/usr/bin/env bash
# One device call for the cuda backend: kernel + whole-model correctness (JUnit, batched decode and
# continuous batching included), then the batch-1 decode, continuous-batching and prefill benchmark of the engine and of HF transformers on the same GPU, results in $OUT.
# Needs .device/ (built here, see below) carried:
#   .device/jre      ../shared/device/make-jre.sh .device/jre, plus jdk.httpserver for the worker (WorkerBench):
#                    jlink --add-modules java.base,java.logging,java.management,java.net.http,jdk.httpserver,jdk.unsupported,jdk.incubator.vector,jdk.crypto.ec
#   .device/lib      jcuda, jcuda-natives (driver library only), junit-platform-console-standalone, assertj-core
#   .device/classes  target/classes;  .device/test-classes  target/test-classes
# Run: device run, carry [".device"], command: bash scripts/device/gpu-check.sh   (HF=0 skips step 3)
# cuBLAS 13 (batched prefill) is loaded from LD_LIBRARY_PATH through the FFM API.
set -uo pipefail
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
java=".device/jre/bin/java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector"
cp=".device/classes:.device/lib/*"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.memory --format=csv | tee "$OUT/gpu.txt"
echo "== 1. correctness: JUnit (kernels vs CPU references, model vs HF fixtures, GPU vs CPU engine)"
$java -jar .device/lib/junit-platform-console-standalone.jar execute \
  -cp ".device/test-classes:.device/classes:$(ls .device/lib/*.jar | grep -v console-standalone | tr '\n' :)" --select-package ai.ensemble.engine.cuda \
  --details=tree --disable-banner --disable-ansi-colors 2>&1 | tee "$OUT/correctness.txt"
echo "junit exit: ${PIPESTATUS[0]}"
echo "== 2. engine benchmark"
$java -cp "$cp" ai.ensemble.engine.cuda.CudaBench "$OUT/cuda-bench.json" tokens=256 2>&1 | tee "$OUT/cuda-bench.txt"
echo "== 3. HF transformers generate() benchmark"
[ "${HF:-1}" = 0 ] && echo "skipped (HF=0)" || PYTHONUNBUFFERED=1 python3 scripts/device/hf-decode-bench.py "$OUT/hf-bench.json" tokens=128 2>&1 | grep -v Warning | tee "$OUT/hf-bench.txt"
echo "== 4. summary"
python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
try:
    e = json.load(open(os.path.join(out, "cuda-bench.json")))
except Exception as x:
    print("no engine results:", x); sys.exit()
try:
    h = {m["model"]: m for m in json.load(open(os.path.join(out, "hf-bench.json")))["models"]}
except Exception as x:
    print("no HF results:", x); h = {}
print(f"{e['device']}: copy bandwidth {e['copy_bandwidth_gb_s']} GB/s")
for m in e["models"]:
    ratio = m["decode_tokens_per_second"] / h[m["model"]]["decode_tokens_per_second"] if m["model"] in h else float("nan")
    hf = h.get(m["model"], {}).get("decode_tokens_per_second", float("nan"))
    print(f"{m['model']}: {m['decode_tokens_per_second']:.1f} tok/s, {100*m['fraction_of_roofline']:.1f}% of roofline "
          f"({m['weight_bytes_per_token']/1e9:.2f} GB/token); HF eager {hf:.1f} tok/s; Ensemble/HF {ratio:.1f}x")
    for r in m.get("prefill", {}).get("runs", []):
        print(f"  prefill {r['mode']}: TTFT {r['ttft_ms']} ms for {r['prompt_tokens']} tokens, {r['model_tflop_s']} TFLOP/s model, "
              f"{r['executed_tflop_s']} executed = {100*float(r['fraction_of_cublas_peak']):.1f}% of cuBLAS peak ({e.get('cublas_bf16_peak_tflop_s')} TFLOP/s)")
    for mode in m.get("serving", {}).get("modes", []):
        print(f"  continuous batching ({mode['precision']} GEMM inputs, graphs {mode['graphs']}): " + "; ".join(
            f"{r['streams']} streams {float(r['tokens_per_second']):.0f} tok/s ({float(r['ratio_to_1_stream']):.1f}x 1-stream, "
            f"{float(r['ratio_to_batch1_decode']):.1f}x batch-1 decode)" for r in mode["runs"]))
PY
