package ai.ensemble.expert;

import java.util.List;
import java.util.Optional;

/** The experts this gateway can run, by id. */
public interface ExpertRegistry {

    List<Expert> all();

    Optional<Expert> find(String id);
}
