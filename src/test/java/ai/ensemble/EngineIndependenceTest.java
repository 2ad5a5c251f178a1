package ai.ensemble;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The engine runs alone on the GPU machine, so it may depend on no framework. */
class EngineIndependenceTest {

    @Test
    void engineImportsNoSpringOrJakarta() {
        ArchRule rule = noClasses().that().resideInAPackage("ai.ensemble.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta..", "javax.servlet..",
                        "javax.persistence..", "tools.jackson..", "com.fasterxml.jackson..")
                // The engine package is filled by the engine issues; until then the rule holds vacuously.
                .allowEmptyShould(true);

        rule.check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("ai.ensemble"));
    }
}
