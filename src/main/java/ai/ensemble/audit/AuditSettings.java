package ai.ensemble.audit;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ensemble.audit}. {@code failOpen} lets requests proceed when the audit store is down,
 * counting each lost event in {@code ensemble.audit.lost}; the default fails closed with 503.
 * The group-commit writer puts up to {@code maxBatch} queued events in one transaction; a request
 * waits at most {@code commitTimeout} for its commit. Monthly partitions whose whole month ended
 * more than {@code retention} ago are dropped by the daily retention job.
 */
@ConfigurationProperties("ensemble.audit")
public record AuditSettings(
        @DefaultValue("false") boolean failOpen,
        @DefaultValue("5s") Duration commitTimeout,
        @DefaultValue("1000") int maxBatch,
        @DefaultValue("100000") int queueCapacity,
        @DefaultValue("400d") Duration retention) {
}
