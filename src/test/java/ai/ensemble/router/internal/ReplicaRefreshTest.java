package ai.ensemble.router.internal;

import ai.ensemble.embedding.SentenceEmbeddings;
import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Another replica's change reaches this one: the registry version moves, the next poll reloads
 * the experts and retrains on the stored examples.
 */
class ReplicaRefreshTest extends GatewayTest {

    @Autowired
    private ExpertCatalog catalog;

    @Test
    void aChangeWrittenByAnotherReplicaIsPickedUpByThePoll() {
        float[] vector = SentenceEmbeddings.embed("Which vaccine schedule suits a newborn?");
        StringBuilder literal = new StringBuilder("{");
        for (int i = 0; i < vector.length; i++) {
            literal.append(i == 0 ? "" : ",").append(vector[i]);
        }
        literal.append('}');
        try {
            // What another replica's admin API would have written, behind this replica's back.
            jdbc.sql("insert into expert (id, backend, data_classification, on_premises) values ('rt-elsewhere', 'echo', 'confidential', true)")
                    .update();
            jdbc.sql("insert into routing_example (expert_id, text, embedding, embedding_model) values ('rt-elsewhere', ?, ?::real[], ?)")
                    .params("Which vaccine schedule suits a newborn?", literal.toString(), SentenceEmbeddings.MODEL).update();
            assertThat(json(get("/v1/models", DEMO_KEY)).findValuesAsString("id")).doesNotContain("rt-elsewhere");

            jdbc.sql("update expert_registry_version set version = version + 1").update();
            catalog.refresh();

            assertThat(json(get("/v1/models", DEMO_KEY)).findValuesAsString("id")).contains("rt-elsewhere");
            assertThat(catalog.snapshot().classifier().labels()).contains("rt-elsewhere");
        } finally {
            jdbc.sql("delete from expert where id = 'rt-elsewhere'").update();
            jdbc.sql("update expert_registry_version set version = version + 1").update();
            catalog.refresh();
        }
        assertThat(catalog.find("rt-elsewhere")).isEmpty();
    }
}
