"""Reference fixtures for the engine, made with Hugging Face transformers/tokenizers on the GPU machine.

Writes into OUT:
  tokenizer-ids.json     token ids of tokenizer-texts.json for each tokenizer.json (HF `tokenizers`)
  models.tar.gz          tiny random-weight models (save_pretrained: config.json + model.safetensors)
  reference.json         per model: prompt ids, logits at chosen positions, greedy continuation

Usage: python3 scripts/device/make-fixtures.py TOKENIZER_DIR TEXTS_JSON OUT
"""
import json, os, sys, tarfile

import torch
from tokenizers import Tokenizer
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

tok_dir, texts_json, out = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)

texts = json.load(open(texts_json, encoding="utf-8"))["texts"]
ids = {}
for name in sorted(os.listdir(tok_dir)):
    tok = Tokenizer.from_file(os.path.join(tok_dir, name, "tokenizer.json"))
    ids[name] = {
        "plain": [tok.encode(t, add_special_tokens=False).ids for t in texts],
        "with_special": [tok.encode(t, add_special_tokens=True).ids for t in texts],
        "decoded": [tok.decode(tok.encode(t, add_special_tokens=False).ids, skip_special_tokens=False) for t in texts],
    }
json.dump({"texts": texts, "tokenizers": ids}, open(os.path.join(out, "tokenizer-ids.json"), "w"), ensure_ascii=False)

common = dict(vocab_size=512, hidden_size=64, intermediate_size=176, num_hidden_layers=2, num_attention_heads=4,
              num_key_value_heads=2, max_position_embeddings=256, rms_norm_eps=1e-5)
models = {
    "llama-tiny-f32": (LlamaForCausalLM, LlamaConfig(**common, rope_theta=500000.0, tie_word_embeddings=True,
        rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                      "original_max_position_embeddings": 64}, bos_token_id=1, eos_token_id=2), torch.float32),
    "llama-tiny-bf16": None,  # the same weights as llama-tiny-f32, saved in bfloat16
    "qwen2-tiny-f32": (Qwen2ForCausalLM, Qwen2Config(**common, rope_theta=1000000.0, tie_word_embeddings=False,
        bos_token_id=1, eos_token_id=2), torch.float32),
}
prompt = [1, 17, 243, 99, 5, 311, 42, 7, 480, 64, 128, 3]
positions = [0, 5, len(prompt) - 1]
reference = {"prompt_ids": prompt, "positions": positions, "models": {}}
models_dir = os.path.join(out, "models")
for name, spec in models.items():
    torch.manual_seed(1234)
    if spec is None:
        model = LlamaForCausalLM.from_pretrained(os.path.join(models_dir, "llama-tiny-f32")).to(torch.bfloat16)
    else:
        cls, config, dtype = spec
        model = cls(config)
        with torch.no_grad():  # larger than the default init, so logits differ clearly between tokens
            for param_name, p in model.named_parameters():
                if "norm" in param_name:
                    p.normal_(1.0, 0.1)
                elif p.dim() > 1:
                    p.normal_(0.0, 0.08)
                else:  # Qwen2's q/k/v biases
                    p.normal_(0.0, 0.05)
        model = model.to(dtype)
    model.eval()
    path = os.path.join(models_dir, name)
    model.save_pretrained(path, safe_serialization=True)
    with torch.no_grad():
        logits = model(torch.tensor([prompt])).logits[0].float()
        greedy = model.generate(torch.tensor([prompt]), max_new_tokens=16, do_sample=False, eos_token_id=None,
                                pad_token_id=0)[0][len(prompt):].tolist()
    reference["models"][name] = {
        "logits": {str(p): [round(v, 6) for v in logits[p].tolist()] for p in positions},
        "greedy": greedy,
        "dtype": str(model.dtype),
    }
json.dump(reference, open(os.path.join(out, "reference.json"), "w"))
with tarfile.open(os.path.join(out, "models.tar.gz"), "w:gz") as tar:
    tar.add(models_dir, arcname="models")
print("ok", {k: v["greedy"][:8] for k, v in reference["models"].items()})
