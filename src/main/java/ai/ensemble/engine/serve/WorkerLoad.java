package ai.ensemble.engine.serve;

import java.util.LinkedHashMap;
import java.util.Map;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.engine.cuda.BatchScheduler;

/**
 * How busy a worker is, as {@code GET /internal/v1/load} reports it and the gateway's pool reads it:
 * generations waiting ({@code queued}) and running, requests held, KV-cache blocks in use of the
 * pool (GPU batch scheduler; 0 of 0 on the CPU), and how many sequences can run together.
 */
record WorkerLoad(String model, String backend, int queued, int running, int inFlight, int kvBlocksUsed, int kvBlocksTotal,
                  int maxBatch) {

    static WorkerLoad of(LocalModel model, int inFlight) {
        var batch = model.batchMetrics();
        if (batch.isPresent()) {
            var m = batch.get();
            return new WorkerLoad(model.name(), model.backend(), m.waiting() + model.waitingGenerations(), m.running(), inFlight,
                    m.kvBlocksInUse(), m.kvBlocksTotal(), BatchScheduler.Options.defaults().maxBatch());
        }
        // one generation at a time: everything held and not waiting is the one running (or streaming its end)
        int queued = model.waitingGenerations();
        int running = Math.max(0, Math.min(1, inFlight - queued));
        return new WorkerLoad(model.name(), model.backend(), queued, running, inFlight, 0, 0, 1);
    }

    double kvFraction() {
        return kvBlocksTotal == 0 ? 0 : (double) kvBlocksUsed / kvBlocksTotal;
    }

    String json() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("model", model);
        fields.put("backend", backend);
        fields.put("queued", queued);
        fields.put("running", running);
        fields.put("in_flight", inFlight);
        fields.put("kv_blocks_used", kvBlocksUsed);
        fields.put("kv_blocks_total", kvBlocksTotal);
        fields.put("kv_fraction", kvFraction());
        fields.put("max_batch", maxBatch);
        return JsonText.object(fields);
    }
}
