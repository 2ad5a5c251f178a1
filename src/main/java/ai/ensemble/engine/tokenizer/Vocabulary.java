package ai.ensemble.engine.tokenizer;

import java.util.HashMap;
import java.util.Map;

/** A model's token strings by id and ids by token string. Ids may have gaps (then the token is null). */
final class Vocabulary {

    private final String[] tokens;
    private final Map<String, Integer> ids;

    Vocabulary(String[] tokens) {
        this.tokens = tokens;
        this.ids = HashMap.newHashMap(tokens.length);
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] != null) {
                ids.putIfAbsent(tokens[id], id);
            }
        }
    }

    static Vocabulary of(Map<String, Integer> idsByToken) {
        int size = 0;
        for (int id : idsByToken.values()) {
            if (id < 0) {
                throw new IllegalArgumentException("model.vocab: negative id " + id);
            }
            size = Math.max(size, id + 1);
        }
        String[] tokens = new String[size];
        idsByToken.forEach((token, id) -> tokens[id] = token);
        return new Vocabulary(tokens);
    }

    /** The id of a token, or -1. */
    int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    /** The token with this id, or null. */
    String token(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    int size() {
        return tokens.length;
    }
}
