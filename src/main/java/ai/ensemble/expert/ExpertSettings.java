package ai.ensemble.expert;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** {@code ensemble.experts}: the experts this gateway serves, in order of preference. */
@ConfigurationProperties("ensemble")
public record ExpertSettings(@DefaultValue List<ExpertDefinition> experts) {
}
