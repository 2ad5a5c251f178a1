package ai.ensemble.engine.model;

/** Where each Llama weight lives in a file format. */
interface WeightNames {

    enum Role { ATTENTION_NORM, WQ, WK, WV, BQ, BK, BV, WO, FFN_NORM, GATE, UP, DOWN }

    String tokenEmbedding();

    String outputNorm();

    String output();

    String layer(int layer, Role role);

    WeightNames HUGGING_FACE = new WeightNames() {
        @Override
        public String tokenEmbedding() {
            return "model.embed_tokens.weight";
        }

        @Override
        public String outputNorm() {
            return "model.norm.weight";
        }

        @Override
        public String output() {
            return "lm_head.weight";
        }

        @Override
        public String layer(int layer, Role role) {
            String suffix = switch (role) {
                case ATTENTION_NORM -> "input_layernorm.weight";
                case WQ -> "self_attn.q_proj.weight";
                case WK -> "self_attn.k_proj.weight";
                case WV -> "self_attn.v_proj.weight";
                case BQ -> "self_attn.q_proj.bias";
                case BK -> "self_attn.k_proj.bias";
                case BV -> "self_attn.v_proj.bias";
                case WO -> "self_attn.o_proj.weight";
                case FFN_NORM -> "post_attention_layernorm.weight";
                case GATE -> "mlp.gate_proj.weight";
                case UP -> "mlp.up_proj.weight";
                case DOWN -> "mlp.down_proj.weight";
            };
            return "model.layers." + layer + "." + suffix;
        }
    };

    WeightNames GGUF = new WeightNames() {
        @Override
        public String tokenEmbedding() {
            return "token_embd.weight";
        }

        @Override
        public String outputNorm() {
            return "output_norm.weight";
        }

        @Override
        public String output() {
            return "output.weight";
        }

        @Override
        public String layer(int layer, Role role) {
            String suffix = switch (role) {
                case ATTENTION_NORM -> "attn_norm.weight";
                case WQ -> "attn_q.weight";
                case WK -> "attn_k.weight";
                case WV -> "attn_v.weight";
                case BQ -> "attn_q.bias";
                case BK -> "attn_k.bias";
                case BV -> "attn_v.bias";
                case WO -> "attn_output.weight";
                case FFN_NORM -> "ffn_norm.weight";
                case GATE -> "ffn_gate.weight";
                case UP -> "ffn_up.weight";
                case DOWN -> "ffn_down.weight";
            };
            return "blk." + layer + "." + suffix;
        }
    };
}
