package ai.ensemble.audit.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import ai.ensemble.audit.AuditEvent;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that drains the queue and commits whatever is waiting as one transaction: one
 * fsync for many requests. Each batch locks the chain head row inside its transaction, so several
 * gateway replicas still produce one gap-free chain in commit order.
 * A request's future completes only after its batch committed.
 */
final class GroupCommitWriter implements AutoCloseable {

    record Pending(AuditEvent event, CompletableFuture<Long> committed) {
    }

    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);
    private static final String INSERT = """
            insert into audit_event (seq, recorded_at, request_id, kind, subject, caller_type, roles, api_key_id,
                                     client_app, model, expert, status, guardrail_action, text_content, record, prev_hash, hash)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private final DataSource dataSource;
    private final BlockingQueue<Pending> queue;
    private final int maxBatch;
    private final Thread thread;
    private final Set<LocalDate> knownPartitions = new HashSet<>();
    private final Timer commitTimer;
    private final DistributionSummary batchSizes;
    private volatile boolean running = true;

    GroupCommitWriter(DataSource dataSource, int maxBatch, int queueCapacity, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.maxBatch = maxBatch;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.commitTimer = Timer.builder("ensemble.audit.commit").description("Audit batch transaction time")
                .publishPercentileHistogram().register(meters);
        this.batchSizes = DistributionSummary.builder("ensemble.audit.batch.size").register(meters);
        this.thread = Thread.ofPlatform().name("audit-writer").daemon(true).start(this::run);
    }

    /** Queues the event; the future completes with its sequence number once committed. */
    CompletableFuture<Long> submit(AuditEvent event) {
        CompletableFuture<Long> committed = new CompletableFuture<>();
        if (!running) {
            committed.completeExceptionally(new IllegalStateException("audit writer is stopped"));
        } else if (!queue.offer(new Pending(event, committed))) {
            committed.completeExceptionally(new IllegalStateException("audit queue is full"));
        }
        return committed;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                long started = System.nanoTime();
                List<Long> sequence = commit(batch);
                commitTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                batchSizes.record(batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).committed().complete(sequence.get(i));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                log.error("Audit batch of {} events failed to commit", batch.size(), e);
                batch.forEach(pending -> pending.committed().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
        queue.forEach(pending -> pending.committed().completeExceptionally(new IllegalStateException("audit writer stopped")));
    }

    private List<Long> commit(List<Pending> batch) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<Long> sequence = append(connection, batch);
                connection.commit();
                return sequence;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private List<Long> append(Connection connection, List<Pending> batch) throws SQLException {
        long seq;
        byte[] hash;
        Instant last;
        try (Statement statement = connection.createStatement();
             ResultSet head = statement.executeQuery(
                     // The row lock serialises writers of all replicas until commit, and under READ
                     // COMMITTED a writer that waited for it reads the head its predecessor committed.
                     "select last_seq, last_hash, last_recorded_at from audit_head for update")) {
            head.next();
            seq = head.getLong(1);
            hash = head.getBytes(2);
            Timestamp lastRecorded = head.getTimestamp(3);
            last = lastRecorded.getTime() == Long.MIN_VALUE || lastRecorded.toInstant().isBefore(Instant.EPOCH)
                    ? Instant.EPOCH : lastRecorded.toInstant();
        }
        // Never earlier than the previous event, so seq order and time order agree across months.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant recordedAt = now.isAfter(last) ? now : last;
        LocalDate month = monthOf(recordedAt);
        ensurePartition(connection, month);
        if (seq > 0 && !monthOf(last).equals(month)) {
            anchorMonth(connection, seq, monthOf(last), hash);
        }
        List<Long> sequence = new ArrayList<>(batch.size());
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            for (Pending pending : batch) {
                AuditEvent event = pending.event();
                seq++;
                String record = AuditRecords.canonical(seq, recordedAt, event);
                byte[] previous = hash;
                hash = AuditRecords.chain(previous, record);
                insert.setLong(1, seq);
                insert.setTimestamp(2, Timestamp.from(recordedAt));
                insert.setString(3, AuditRecords.column(event.requestId()));
                insert.setString(4, event.kind().label());
                insert.setString(5, AuditRecords.column(event.subject()));
                insert.setString(6, AuditRecords.column(event.callerType()));
                insert.setArray(7, connection.createArrayOf("text", new TreeSet<>(event.roles()).stream().map(AuditRecords::column).toArray()));
                insert.setObject(8, event.apiKeyId());
                insert.setString(9, AuditRecords.column(event.clientApp()));
                insert.setString(10, AuditRecords.column(event.model()));
                insert.setString(11, AuditRecords.column(event.expert()));
                insert.setObject(12, event.status());
                insert.setString(13, AuditRecords.column(event.guardrailAction()));
                insert.setString(14, AuditRecords.searchText(event.body()));
                insert.setString(15, record);
                insert.setBytes(16, previous);
                insert.setBytes(17, hash);
                insert.addBatch();
                sequence.add(seq);
            }
            insert.executeBatch();
        }
        try (PreparedStatement head = connection.prepareStatement(
                "update audit_head set last_seq = ?, last_hash = ?, last_recorded_at = ?")) {
            head.setLong(1, seq);
            head.setBytes(2, hash);
            head.setTimestamp(3, Timestamp.from(recordedAt));
            head.executeUpdate();
        }
        return sequence;
    }

    private void ensurePartition(Connection connection, LocalDate month) throws SQLException {
        if (knownPartitions.contains(month)) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement("select audit_ensure_partition(?)")) {
            statement.setObject(1, month);
            statement.execute();
        }
        knownPartitions.add(month);
    }

    /** The first event of a new month closes the previous one: its last hash becomes an anchor. */
    private static void anchorMonth(Connection connection, long lastSeq, LocalDate month, byte[] lastHash) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "insert into audit_anchor (seq, month, hash) values (?, ?, ?) on conflict (seq) do nothing")) {
            statement.setLong(1, lastSeq);
            statement.setObject(2, month);
            statement.setBytes(3, lastHash);
            statement.executeUpdate();
        }
    }

    static LocalDate monthOf(Instant instant) {
        return instant.atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1);
    }

    /** Stops taking events, commits what is queued, then returns. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
