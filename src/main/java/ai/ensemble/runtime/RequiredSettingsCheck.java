package ai.ensemble.runtime;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * A deployment must say where its database and its identity provider are. Without them the
 * gateway refuses to start and names the missing settings, instead of silently running the
 * embedded developer setup ({@code --spring.profiles.active=dev} asks for that explicitly). A
 * migration run ({@link MigrationRun}) needs only the database.
 */
class RequiredSettingsCheck implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        boolean embeddedDatabase = environment.getProperty("ensemble.embedded-postgres.enabled", Boolean.class, false);
        List<String> missing = new ArrayList<>();
        if (!embeddedDatabase && !environment.containsProperty("spring.datasource.url")) {
            missing.add("spring.datasource.url (env SPRING_DATASOURCE_URL): the PostgreSQL database, e.g. jdbc:postgresql://db:5432/ensemble");
        }
        boolean migrateOnly = environment.getProperty("ensemble.migrate-only", Boolean.class, false);
        if (!migrateOnly && !environment.containsProperty("ensemble.security.issuers[0].issuer")) {
            missing.add("ensemble.security.issuers[0].issuer (env ENSEMBLE_SECURITY_ISSUERS_0_ISSUER): the OIDC issuer whose tokens are trusted");
        }
        if (!missing.isEmpty()) {
            throw new MissingSettingsException(missing);
        }
    }
}
