#!/usr/bin/env python3
"""Batch-1 decode speed of Hugging Face transformers generate() (eager attention, bf16) on random
weights with the exact shapes of Llama-3.2-1B and Llama-3.1-8B, for the Ensemble/HF ratio in
BENCHMARKS.md. Decode tok/s = (N - 1) / (time of generate(N new tokens) - time of generate(1 new
token)), greedy, from a 1-token prompt, so prefill is taken out. Run on the GPU machine:
    python3 scripts/device/hf-decode-bench.py $OUT/hf-bench.json [tokens=256] [models=llama-3.2-1b,llama-3.1-8b]
"""
import json
import sys
import time

import torch
import transformers
from transformers import LlamaConfig, LlamaForCausalLM

SHAPES = {
    "llama-3.2-1b": dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32,
                         num_key_value_heads=8, head_dim=64, tie_word_embeddings=True,
                         rope=dict(rope_type="llama3", factor=32.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                           original_max_position_embeddings=8192)),
    "llama-3.1-8b": dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
                         num_key_value_heads=8, head_dim=128, tie_word_embeddings=False,
                         rope=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                           original_max_position_embeddings=8192)),
}


def timed_generate(model, prompt, new_tokens):
    torch.cuda.synchronize()
    start = time.perf_counter()
    out = model.generate(prompt, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                         eos_token_id=None, pad_token_id=0)
    torch.cuda.synchronize()
    assert out.shape[1] == prompt.shape[1] + new_tokens, out.shape
    return time.perf_counter() - start


def bench(name, tokens):
    shape = dict(SHAPES[name])
    rope = dict(shape.pop("rope"), rope_theta=500000.0)
    common = dict(vocab_size=128256, max_position_embeddings=131072, rms_norm_eps=1e-5, attn_implementation="eager", **shape)
    try:  # transformers 5 names it rope_parameters (theta inside); 4.x rope_scaling + rope_theta
        config = LlamaConfig(rope_parameters=rope, **common)
    except TypeError:
        config = LlamaConfig(rope_scaling=rope, rope_theta=500000.0, **common)
    torch.manual_seed(0)
    torch.set_default_dtype(torch.bfloat16)
    with torch.device("cuda"):
        model = LlamaForCausalLM(config)
    torch.set_default_dtype(torch.float32)
    model.eval()
    prompt = torch.tensor([[128000]], device="cuda")
    with torch.inference_mode():
        timed_generate(model, prompt, 16)  # warm-up
        first = min(timed_generate(model, prompt, 1) for _ in range(3))
        full = min(timed_generate(model, prompt, tokens) for _ in range(2))
    decode = (tokens - 1) / (full - first)
    params = sum(p.numel() for p in model.parameters())
    result = dict(model=name, attn_implementation=model.config._attn_implementation, dtype=str(next(model.parameters()).dtype),
                  parameters=params, tokens=tokens, generate_seconds=full, first_token_seconds=first,
                  decode_tokens_per_second=decode)
    print(json.dumps(result), flush=True)
    del model
    torch.cuda.empty_cache()
    return result


def main():
    out = sys.argv[1]
    tokens = 256
    models = list(SHAPES)
    for arg in sys.argv[2:]:
        key, value = arg.split("=", 1)
        if key == "tokens":
            tokens = int(value)
        elif key == "models":
            models = value.split(",")
    results = dict(device=torch.cuda.get_device_name(), torch=torch.__version__, transformers=transformers.__version__,
                   method="generate(), greedy, batch 1, eager attention, bf16, random weights; decode tok/s = (N-1)/(t(N)-t(1))",
                   models=[bench(name, tokens) for name in models])
    with open(out, "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
