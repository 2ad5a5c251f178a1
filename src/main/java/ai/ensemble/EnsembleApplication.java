package ai.ensemble;

import ai.ensemble.runtime.MigrationRun;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class EnsembleApplication {

    public static void main(String[] args) {
        if (MigrationRun.requested(args)) {
            System.exit(MigrationRun.migrate(args));
        }
        SpringApplication.run(EnsembleApplication.class, args);
    }
}
