package ai.ensemble;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class EnsembleApplication {

    public static void main(String[] args) {
        SpringApplication.run(EnsembleApplication.class, args);
    }
}
