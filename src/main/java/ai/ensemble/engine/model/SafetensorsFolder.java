package ai.ensemble.engine.model;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import ai.ensemble.engine.json.Json;
import ai.ensemble.engine.tensor.FloatTensor;

/**
 * Every tensor of a Hugging Face model folder: the shards named by
 * {@code model.safetensors.index.json}'s {@code weight_map} when the folder has one, otherwise
 * each {@code *.safetensors} file in it (usually just {@code model.safetensors}).
 */
public final class SafetensorsFolder implements TensorSource {

    static final String INDEX = "model.safetensors.index.json";

    private final Map<String, Safetensors> byTensor;

    private SafetensorsFolder(Map<String, Safetensors> byTensor) {
        this.byTensor = byTensor;
    }

    public static SafetensorsFolder open(Path folder, Arena arena) throws IOException {
        Map<String, Safetensors> byTensor = new LinkedHashMap<>();
        Path index = folder.resolve(INDEX);
        if (Files.exists(index)) {
            Map<String, Object> json = Json.parseObject(Files.readString(index));
            if (!(json.get("weight_map") instanceof Map<?, ?> weightMap)) {
                throw new IOException(index + ": no weight_map object");
            }
            Map<String, Safetensors> shards = new LinkedHashMap<>();
            for (Map.Entry<?, ?> item : weightMap.entrySet()) {
                String shardName = String.valueOf(item.getValue());
                Safetensors shard = shards.get(shardName);
                if (shard == null) {
                    Path shardFile = folder.resolve(shardName).normalize();
                    if (!shardFile.startsWith(folder.normalize()) || !Files.isRegularFile(shardFile)) {
                        throw new IOException(index + ": weight_map names shard '" + shardName + "', which is not a file in " + folder);
                    }
                    shard = Safetensors.open(shardFile, arena);
                    shards.put(shardName, shard);
                }
                String tensor = String.valueOf(item.getKey());
                if (!shard.contains(tensor)) {
                    throw new IOException(index + ": weight_map puts '" + tensor + "' in " + shardName + ", which lacks it");
                }
                byTensor.put(tensor, shard);
            }
        } else {
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.filter(path -> path.getFileName().toString().endsWith(".safetensors")).sorted().toList()) {
                    Safetensors shard = Safetensors.open(file, arena);
                    for (String name : shard.names()) {
                        Safetensors previous = byTensor.put(name, shard);
                        if (previous != null) {
                            throw new IOException("tensor '" + name + "' is in both " + previous.file() + " and " + file);
                        }
                    }
                }
            }
            if (byTensor.isEmpty()) {
                throw new IOException(folder + " has no " + INDEX + " and no *.safetensors file");
            }
        }
        return new SafetensorsFolder(byTensor);
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(byTensor.keySet());
    }

    @Override
    public long[] shape(String name) {
        return shard(name).shape(name);
    }

    @Override
    public FloatTensor tensor(String name) {
        return shard(name).tensor(name);
    }

    private Safetensors shard(String name) {
        Safetensors shard = byTensor.get(name);
        if (shard == null) {
            throw new IllegalArgumentException("the model has no tensor '" + name + "'");
        }
        return shard;
    }
}
