package ai.ensemble.engine.tensor;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Only the vector kernels may link against {@code jdk.incubator.vector}: a JVM started without
 * {@code --add-modules jdk.incubator.vector} (as {@code java -jar} is) fails to load any class that
 * does, so every other engine class must load without it.
 */
class VectorApiConfinementTest {

    @Test
    void onlyTheVectorKernelsUseTheVectorApi() {
        noClasses().that().resideInAPackage("ai.ensemble.engine..")
                .and().doNotHaveFullyQualifiedName("ai.ensemble.engine.tensor.VectorKernels")
                .and().doNotHaveFullyQualifiedName("ai.ensemble.engine.tensor.Vectors")
                .and().doNotHaveFullyQualifiedName("ai.ensemble.engine.cpu.VectorArrayKernels")
                .should().dependOnClassesThat().resideInAPackage("jdk.incubator.vector..")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("ai.ensemble.engine"));
    }
}
