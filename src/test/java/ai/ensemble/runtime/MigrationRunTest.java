package ai.ensemble.runtime;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Helm chart's migration Job: {@code ENSEMBLE_MIGRATE_ONLY=true} migrates and exits. */
class MigrationRunTest {

    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @Test
    void isAskedForOnTheCommandLineOnly() {
        assertThat(MigrationRun.requested("--ensemble.migrate-only=true")).isTrue();
        assertThat(MigrationRun.requested("--ensemble.migrate-only=false")).isFalse();
        assertThat(MigrationRun.requested("--spring.profiles.active=prod")).isFalse();
    }

    @Test
    void appliesEveryMigrationWithOnlyTheDatabaseSettingsAndExitsZero() throws Exception {
        int status = MigrationRun.migrate(
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres");

        assertThat(status).isZero();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            ResultSet failed = statement.executeQuery(
                    "select count(*) filter (where not success), count(*) from flyway_schema_history where version is not null");
            failed.next();
            assertThat(failed.getInt(1)).isZero();
            assertThat(failed.getInt(2)).isGreaterThanOrEqualTo(4);
            ResultSet auditLog = statement.executeQuery("select to_regclass('public.audit_event') is not null");
            auditLog.next();
            assertThat(auditLog.getBoolean(1)).isTrue();
        }
    }

    @Test
    void failsWhenFlywayIsTurnedOff() {
        int status = MigrationRun.migrate(
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres",
                "--spring.flyway.enabled=false");

        assertThat(status).isEqualTo(1);
    }

    @Test
    void failsWithoutTheDatabase() {
        assertThat(MigrationRun.migrate()).isEqualTo(1);
    }
}
