package ai.ensemble.policy.internal;

import ai.ensemble.guardrail.Detector;
import ai.ensemble.policy.PolicyDefinition;

/** Makes the detector of a denied topic (its examples embedded once). */
public final class TopicDetectors {

    private TopicDetectors() {
    }

    public static Detector of(PolicyDefinition.Topic topic) {
        return new TopicDetector(topic.name(), topic.texts());
    }
}
