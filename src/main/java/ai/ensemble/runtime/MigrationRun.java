package ai.ensemble.runtime;

import java.util.Map;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * {@code ensemble.migrate-only=true} (env {@code ENSEMBLE_MIGRATE_ONLY}): apply the Flyway
 * migrations and exit, without starting the gateway. A deployment runs this once per release (the
 * Helm chart's hook Job) and turns Flyway off in the replicas, so they never race to migrate. Only
 * the database settings are needed; {@code spring.flyway.*} applies as usual.
 */
public final class MigrationRun {

    static final String SWITCH = "ensemble.migrate-only";
    private static final Logger log = LoggerFactory.getLogger(MigrationRun.class);

    private MigrationRun() {
    }

    /**
     * Whether the switch is on. Decided before Spring starts (it chooses what starts), so it is
     * read from the command line, system properties and environment variables, not from
     * application.yml.
     */
    public static boolean requested(String... args) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));
        return environment.getProperty(SWITCH, Boolean.class, false);
    }

    /** Migrates the database; returns the process exit status (0 when the schema is current). */
    public static int migrate(String... args) {
        SpringApplication application = new SpringApplication(Migrations.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(Banner.Mode.OFF);
        // However it was asked for, RequiredSettingsCheck must know that no issuer is needed.
        application.setDefaultProperties(Map.of(SWITCH, "true"));
        try (ConfigurableApplicationContext context = application.run(args)) {
            Flyway flyway = context.getBeanProvider(Flyway.class).getIfAvailable();
            if (flyway == null) {
                log.error("{} needs Flyway, but spring.flyway.enabled is false: nothing was migrated", SWITCH);
                return 1;
            }
            var current = flyway.info().current();
            log.info("Database schema is at version {}", current == null ? "(empty)" : current.getVersion());
            return 0;
        } catch (RuntimeException e) {
            // SpringApplication has logged the failure (or its analysis) already.
            return 1;
        }
    }

    /** The data source and Flyway, nothing else: no web server, engine or security. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class})
    static class Migrations {
    }
}
