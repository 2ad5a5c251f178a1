#!/usr/bin/env python3
"""Writes the GGUF test fixtures with gguf-py, ggml-org's own Python GGUF package (MIT licence),
so that Ensemble's reader is tested on files written by another implementation.

    python3 -m venv /tmp/ggufpy && /tmp/ggufpy/bin/pip install gguf==0.19.0 numpy
    /tmp/ggufpy/bin/python src/test/resources/engine/gguf/make_fixtures.py

llama-tiny-f32.gguf: the Hugging Face fixture llama-tiny-f32 converted the way llama.cpp's
convert_hf_to_gguf.py converts LlamaForCausalLM (q/k rows permuted with LlamaModel.permute, llama3
rope scaling as rope_freqs.weight), plus a made-up 512-token vocabulary to exercise string arrays.
One deliberate difference: convert_hf_to_gguf.py reads original_max_position_embeddings from the
top level of config.json (defaulting to 8192), which for the fixture (64, inside rope_parameters)
would not match transformers; this script takes it from rope_parameters, as transformers does.

quant-types.gguf: for each of F32, F16, BF16, Q8_0, Q4_0 a 4x256 tensor quantised by gguf-py
from seeded random floats ("<type>.source"), and gguf-py's dequantisation ("<type>.expected");
Q4_K (which gguf-py can only dequantise) from random blocks; one metadata key of every GGUF value
type.
"""
import json
import math
import struct
from pathlib import Path

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q

HERE = Path(__file__).resolve().parent
MODELS = HERE.parent / "fixtures" / "models"


def read_safetensors(path):
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32"
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[8 + n + begin:8 + n + end], dtype="<f4").reshape(info["shape"])
    return tensors


def permute(weights, n_head, n_head_kv):
    # llama.cpp convert_hf_to_gguf.py, LlamaModel.permute
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return (weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:])
            .swapaxes(1, 2)
            .reshape(weights.shape))


def rope_factors(config):
    rope = config["rope_parameters"]
    base = rope["rope_theta"]
    dim = config.get("head_dim", config["hidden_size"] // config["num_attention_heads"])
    freqs = 1.0 / (base ** (np.arange(0, dim, 2, dtype=np.float32) / dim))
    factor = rope.get("factor", 8.0)
    low_freq_factor = rope.get("low_freq_factor", 1.0)
    high_freq_factor = rope.get("high_freq_factor", 4.0)
    old_context_len = rope.get("original_max_position_embeddings", 8192)
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    factors = []
    for freq in freqs:
        wavelen = 2 * math.pi / freq
        if wavelen < high_freq_wavelen:
            factors.append(1)
        elif wavelen > low_freq_wavelen:
            factors.append(factor)
        else:
            smooth = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
            factors.append(1 / ((1 - smooth) / factor + smooth))
    return np.array(factors, dtype=np.float32)


def llama_tiny():
    folder = MODELS / "llama-tiny-f32"
    config = json.loads((folder / "config.json").read_text())
    tensors = read_safetensors(folder / "model.safetensors")
    heads, kv_heads = config["num_attention_heads"], config["num_key_value_heads"]
    writer = gguf.GGUFWriter(str(HERE / "llama-tiny-f32.gguf"), "llama")
    writer.add_name("llama-tiny-f32")
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_rope_freq_base(config["rope_parameters"]["rope_theta"])
    writer.add_layer_norm_rms_eps(config["rms_norm_eps"])
    writer.add_key_length(config["head_dim"])
    writer.add_value_length(config["head_dim"])
    writer.add_rope_dimension_count(config["head_dim"])
    writer.add_vocab_size(config["vocab_size"])
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list([f"tok{i}" if i > 2 else ["<unk>", "<s>", "</s>"][i] for i in range(config["vocab_size"])])
    writer.add_token_types([3 if i < 3 else 1 for i in range(config["vocab_size"])])
    writer.add_token_merges(["t o", "to k"])
    writer.add_bos_token_id(config["bos_token_id"])
    writer.add_eos_token_id(config["eos_token_id"])
    writer.add_chat_template("{{ messages }}")

    writer.add_tensor("token_embd.weight", tensors["model.embed_tokens.weight"])
    writer.add_tensor("rope_freqs.weight", rope_factors(config))
    for layer in range(config["num_hidden_layers"]):
        prefix = f"model.layers.{layer}."
        blk = f"blk.{layer}."
        writer.add_tensor(blk + "attn_norm.weight", tensors[prefix + "input_layernorm.weight"])
        writer.add_tensor(blk + "attn_q.weight", permute(tensors[prefix + "self_attn.q_proj.weight"], heads, heads))
        writer.add_tensor(blk + "attn_k.weight", permute(tensors[prefix + "self_attn.k_proj.weight"], heads, kv_heads))
        writer.add_tensor(blk + "attn_v.weight", tensors[prefix + "self_attn.v_proj.weight"])
        writer.add_tensor(blk + "attn_output.weight", tensors[prefix + "self_attn.o_proj.weight"])
        writer.add_tensor(blk + "ffn_norm.weight", tensors[prefix + "post_attention_layernorm.weight"])
        writer.add_tensor(blk + "ffn_gate.weight", tensors[prefix + "mlp.gate_proj.weight"])
        writer.add_tensor(blk + "ffn_up.weight", tensors[prefix + "mlp.up_proj.weight"])
        writer.add_tensor(blk + "ffn_down.weight", tensors[prefix + "mlp.down_proj.weight"])
    writer.add_tensor("output_norm.weight", tensors["model.norm.weight"])
    write(writer)


def quant_types():
    rng = np.random.default_rng(20240601)
    writer = gguf.GGUFWriter(str(HERE / "quant-types.gguf"), "test")
    writer.add_uint8("test.uint8", 200)
    writer.add_int8("test.int8", -100)
    writer.add_uint16("test.uint16", 60000)
    writer.add_int16("test.int16", -30000)
    writer.add_uint32("test.uint32", 4000000000)
    writer.add_int32("test.int32", -2000000000)
    writer.add_float32("test.float32", 0.25)
    writer.add_bool("test.bool", True)
    writer.add_string("test.string", "héllo ✓")
    writer.add_uint64("test.uint64", 1 << 40)
    writer.add_int64("test.int64", -(1 << 40))
    writer.add_float64("test.float64", math.pi)
    writer.add_array("test.array.int32", [1, -2, 3])
    writer.add_array("test.array.float32", [0.5, -1.5])
    writer.add_array("test.array.string", ["a", "bc", ""])
    writer.add_array("test.array.nested", [[1, 2], [3]])

    source = (rng.standard_normal((4, 256)) * 0.1).astype(np.float32)
    source[0, 5] = 0.0
    source[1, 3] = -2.0
    writer.add_tensor("f32.source", source)
    writer.add_tensor("f32", source)
    writer.add_tensor("f32.expected", source)
    writer.add_tensor("f16.source", source)
    writer.add_tensor("f16", source.astype(np.float16))
    writer.add_tensor("f16.expected", source.astype(np.float16).astype(np.float32))
    for name, qtype in (("bf16", Q.BF16), ("q8_0", Q.Q8_0), ("q4_0", Q.Q4_0)):
        quantized = gguf.quants.quantize(source, qtype)
        writer.add_tensor(name + ".source", source)
        writer.add_tensor(name, quantized, raw_shape=quantized.shape, raw_dtype=qtype)
        writer.add_tensor(name + ".expected", gguf.quants.dequantize(quantized, qtype).astype(np.float32))

    blocks = rng.integers(0, 256, size=(4, 144), dtype=np.uint8)
    blocks[:, 0:2] = np.array(rng.uniform(0.001, 0.01, 4), dtype=np.float16).view(np.uint8).reshape(4, 2)
    blocks[:, 2:4] = np.array(rng.uniform(0.001, 0.01, 4), dtype=np.float16).view(np.uint8).reshape(4, 2)
    q4k = blocks.reshape(4, 144)
    writer.add_tensor("q4_k", q4k, raw_shape=q4k.shape, raw_dtype=Q.Q4_K)
    writer.add_tensor("q4_k.expected", gguf.quants.dequantize(q4k, Q.Q4_K).astype(np.float32))
    write(writer)


def write(writer):
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    llama_tiny()
    quant_types()
