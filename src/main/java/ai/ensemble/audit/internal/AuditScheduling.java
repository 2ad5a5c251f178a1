package ai.ensemble.audit.internal;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Runs the daily retention job ({@link AuditRetention}). */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class AuditScheduling {
}
