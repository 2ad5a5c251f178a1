package ai.ensemble.audit;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ensemble.audit}. {@code failOpen} lets requests proceed when the audit store is down,
 * counting each lost event in {@code ensemble.audit.lost}; the default fails closed with 503.
 */
@ConfigurationProperties("ensemble.audit")
public record AuditSettings(@DefaultValue("false") boolean failOpen) {
}
