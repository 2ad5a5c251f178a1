package ai.ensemble.policy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;

/**
 * Guardrail policies as administrators manage them outside the REST API (the console): the same
 * validation and storage as {@code /admin/api/policies}, and "test a text" with each policy's
 * findings located in the text that policy screened. Callers check {@code admin:policies} first; a
 * broken rule is an {@code ApiException} whose {@code param} names the field, and nothing is written.
 */
public interface PolicyAdministration {

    /**
     * A policy as an administrator writes it: names as strings, lower case, as in the REST API
     * ({@code stages}: input, output, context; {@code actions}: entity type → block, redact or flag).
     * Null lists are empty; a null {@code minScore} is the default 0.5.
     */
    record Draft(String id, String description, boolean enabled, List<String> roles, List<String> apps, List<String> experts,
                 List<String> stages, List<String> detectors, List<PolicyDefinition.Topic> topics, Map<String, String> actions,
                 String defaultAction, Double minScore, Integer maxPromptTokens, Integer maxOutputTokens) {
    }

    /** Which policies a test screens with: one policy (enabled or not), or every enabled one that covers {@code role} (any when blank). */
    record TextTest(String text, String stage, String policy, String role) {
    }

    /** One finding with the action its policy chose: {@code [start, end)} of {@code Step.screened}. */
    record Finding(String detector, String type, String action, double score, int start, int end) {
    }

    /** What one policy of the chain saw (the text the policies before it left) and found there. */
    record Step(String policy, String screened, List<Finding> findings, boolean blocked) {
    }

    /**
     * A test's outcome: {@code verdict} is block, redact, flag or allow (the strongest action taken);
     * {@code result} is the text that would go on (null when blocked); {@code policies} the ids screened with.
     */
    record TestResult(String verdict, String blockedBy, String result, List<String> policies, List<Step> steps) {
    }

    List<PolicyDefinition> list();

    Optional<PolicyDefinition> find(String id);

    PolicyDefinition create(Draft draft, String by);

    /** Replaces every field of policy {@code id} (which cannot change). */
    PolicyDefinition replace(String id, Draft draft, String by);

    PolicyDefinition delete(String id);

    /** Every detector id a policy may name. */
    SortedSet<String> detectorIds();

    /** What the chosen policies would do to a text at a stage (input, output or context); nothing is recorded. */
    TestResult test(TextTest test);
}
