package ai.ensemble.guardrail;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The detection core is plain Java, so that the request path, the streaming path and benchmarks can
 * all call it directly; the Spring wiring (policies, settings, admin API) goes into its own classes.
 */
class GuardrailIndependenceTest {

    @Test
    void detectionCoreImportsNoFrameworkAndNoOtherModule() {
        noClasses().that().resideInAPackage("ai.ensemble.guardrail..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta..", "tools.jackson..",
                        "com.fasterxml.jackson..", "ai.ensemble.api..", "ai.ensemble.audit..", "ai.ensemble.engine..",
                        "ai.ensemble.expert..", "ai.ensemble.security..", "ai.ensemble.shared..", "ai.ensemble.runtime..")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("ai.ensemble.guardrail"));
    }
}
