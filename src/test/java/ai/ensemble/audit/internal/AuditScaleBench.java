package ai.ensemble.audit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.ensemble.audit.AuditEvent;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The audit log at scale (issue 3): loads N events (10 million by default) spread over 12 monthly
 * partitions into the real schema (Flyway migrations), then times the console's filter queries
 * through the real {@link AuditSearch} (one warm-up, then {@code bench.runs} timed runs on one
 * pooled connection) and records {@code EXPLAIN (ANALYZE, BUFFERS)} of the exact SQL it issues
 * (built with the same {@link AuditFilter#conditions()} and {@link AuditSearch#searchSql}), plus
 * the plan PostgreSQL would use as a cached generic plan. Goal: every query under 100 ms.
 * Writes a Markdown table to stdout and JSON to {@code target/bench/audit-scale.json}.
 *
 * <p>Data: rows are generated in Java and streamed with COPY, one transaction per month; the
 * secondary indexes are dropped before and recreated after the load from their own definitions
 * ({@code pg_get_indexdef}, i.e. exactly what the migrations created), then {@code vacuum analyze}.
 * ~2,000 subjects (Zipf-like), 5 roles, 6 experts, 50 API keys on 20% of requests, request and
 * response rows per request id (plus 0.05% access events), statuses mostly 200, a guardrail action
 * on 2% of rows, 20-80 words of text per row drawn Zipf-like from a 5,000-word vocabulary plus
 * three long-tail words at 1e-6, 1e-5 and 1e-4 per row, and a canonical-looking JSON {@code record}.
 * {@code prev_hash}/{@code hash} are sha256 of the sequence number, not a valid chain: chain
 * integrity is what the tests cover, this measures query performance. Sequence numbers are unique
 * and increase with {@code recorded_at}. Time filters are relative to the newest event.
 *
 * <pre>./mvnw -q test-compile exec:java -Dexec.mainClass=ai.ensemble.audit.internal.AuditScaleBench \
 *     [-Dbench.rows=10000000 -Dbench.loadThreads=2 -Dbench.runs=5 -Dbench.reuse=false]</pre>
 *
 * {@code -Dbench.reuse=true} keeps the loaded database in {@code target/audit-scale-pg} (otherwise
 * it is deleted at the end) and, when it already holds {@code bench.rows} events, only reruns the
 * queries. {@code -Dbench.extraSql="alter table ..."} (semicolon-separated) runs DDL and an
 * {@code analyze} before the queries, to try a proposal on a loaded copy. Queries run with
 * {@code statement_timeout=60s}; one whose warm-up takes over 5 s is not repeated.
 */
public final class AuditScaleBench {

    private static final int MONTHS = 12;
    private static final int VOCABULARY = 5000;
    private static final int SUBJECTS = 2000;
    private static final int API_KEYS = 50;
    private static final int PAGE = 50; // the console's default page size
    private static final int TIMEOUT_SECONDS = 60; // statement_timeout for the queries: a miss shows as "> 60 s"
    /** The long tail real text has (names, ticket numbers): words at fixed rates per event. */
    private static final String[] TAIL_WORDS = {"zephyrine", "quillwort", "marmoset"};
    private static final double[] TAIL_RATES = {1e-6, 1e-5, 1e-4};
    private static final String ABSENT_WORD = "xylograph";
    private static final String[] EXPERTS = {"general", "code", "support", "finance", "legal", "translate"};
    private static final String[] CLIENT_APPS = {"console", "sdk-python", "cli", "slack-bot"};
    private static final String[] GUARDRAIL = {"block", "redact", "warn"};
    private static final String ENGLISH = """
            the of and to a in is for that with on as it be this by are from at or an will not can have which
            report data model please your should all more about summary customer revenue quarter policy request
            review risk product team market sales contract analysis update code error system user service account
            access security document email meeting budget project plan issue support cost price order invoice
            payment client table query function value result test release deploy server network incident audit
            compliance regulation legal draft translate explain write list compare describe generate check fix improve""";
    private static final String SYLLABLES = "ka lo mi ne ru ta vi so de pa ge ri mu fo la be zi no ha te ki ma du re si po ga lu ve ni co ba fe ho ju ke ro sa ti wu";
    private static final String COLUMNS = "seq, recorded_at, request_id, kind, subject, caller_type, roles, api_key_id, client_app,"
            + " model, expert, status, guardrail_action, text_content, record, prev_hash, hash";
    private static final HexFormat HEX = HexFormat.of();
    private static final Path DATA_DIR = Path.of("target", "audit-scale-pg").toAbsolutePath();

    static final String[] WORDS = vocabulary();
    static final UUID[] KEYS = new UUID[API_KEYS + 1];

    static {
        for (int k = 1; k <= API_KEYS; k++) {
            KEYS[k] = UUID.nameUUIDFromBytes(("bench-api-key-" + k).getBytes(StandardCharsets.UTF_8));
        }
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.getLong("bench.rows", 10_000_000L);
        int loadThreads = Integer.getInteger("bench.loadThreads", 2);
        int runs = Integer.getInteger("bench.runs", 5);
        boolean reuse = Boolean.getBoolean("bench.reuse");
        String extraSql = System.getProperty("bench.extraSql", "");
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("fsync", "on");
        settings.put("synchronous_commit", "on");
        settings.put("shared_buffers", System.getProperty("bench.sharedBuffers", "2GB"));
        settings.put("maintenance_work_mem", "1GB");
        settings.put("work_mem", "64MB");
        settings.put("max_wal_size", "8GB");
        settings.put("checkpoint_timeout", "30min");
        settings.put("track_io_timing", "on");
        boolean existing = reuse && Files.exists(DATA_DIR.resolve("PG_VERSION"));
        if (!reuse && Files.exists(DATA_DIR)) { // a kept database from a -Dbench.reuse=true run: initdb needs an empty directory
            try (var paths = Files.walk(DATA_DIR)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        // The library deletes a "clean" data directory when it stops too: only reuse keeps it.
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(DATA_DIR)
                .setCleanDataDirectory(!reuse).setPGStartupWait(Duration.ofMinutes(5));
        settings.forEach(builder::setServerConfig);
        Map<String, Object> report = new LinkedHashMap<>();
        try (EmbeddedPostgres postgres = builder.start();
             HikariDataSource dataSource = new HikariDataSource()) {
            Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").load().migrate();
            String url = postgres.getJdbcUrl("postgres", "postgres");
            dataSource.setJdbcUrl(url);
            dataSource.setUsername("postgres");
            dataSource.setMaximumPoolSize(1); // one warm connection: what a console request finds in the pool
            JdbcClient jdbc = JdbcClient.create(dataSource);
            report.put("machine", machine(jdbc));
            report.put("settings", settings);

            Map<String, Object> load;
            Long present = jdbc.sql("select count(*) from pg_tables where tablename = 'bench_counts'").query(Long.class).single() > 0
                    ? jdbc.sql("select n from bench_counts where name = 'rows'").query(Long.class).optional().orElse(-1L) : -1L;
            if (existing && present == rows) {
                System.out.printf("Reusing the loaded database in %s (%d events)%n", DATA_DIR, rows);
                load = new LinkedHashMap<>(Map.of("reused", true));
            } else if (existing) {
                throw new IllegalStateException(DATA_DIR + " holds " + present + " events, not " + rows
                        + ": delete it (or run without -Dbench.reuse=true) to load afresh");
            } else {
                load = load(url, jdbc, rows, loadThreads);
            }
            Map<String, Long> counts = new TreeMap<>();
            jdbc.sql("select name, n from bench_counts").query((r, n) -> counts.put(r.getString(1), r.getLong(2))).list();
            load.put("sizes", sizes(jdbc));
            report.put("load", load);
            for (String ddl : extraSql.split(";")) {
                if (!ddl.isBlank()) {
                    long started = System.nanoTime();
                    jdbc.sql(ddl).update();
                    System.out.printf("extra SQL (%.1f s): %s%n", (System.nanoTime() - started) / 1e9, ddl.strip());
                }
            }
            if (!extraSql.isBlank()) {
                jdbc.sql("analyze audit_event").update();
                report.put("extraSql", extraSql);
            }
            report.put("queries", queries(url, jdbc, counts, runs, report));
            report.put("loadAverageAfterQueries", Files.readString(Path.of("/proc/loadavg")).strip());
        }
        Path out = Path.of("target", "bench", "audit-scale.json");
        Files.createDirectories(out.getParent());
        JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValue(out.toFile(), report);
        System.out.println("JSON: " + out.toAbsolutePath());
    }

    // ---------------------------------------------------------------------------------------------
    // Load

    private static Map<String, Object> load(String url, JdbcClient jdbc, long rows, int threads) throws Exception {
        Map<String, Object> load = new LinkedHashMap<>();
        Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        LocalDate thisMonth = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
        LocalDate firstMonth = thisMonth.minusMonths(MONTHS - 1);
        Timeline timeline = new Timeline(micros(firstMonth.atStartOfDay(ZoneOffset.UTC).toInstant()), micros(end), rows);
        for (int m = 0; m < MONTHS; m++) {
            jdbc.sql("select audit_ensure_partition(?)").param(firstMonth.plusMonths(m)).query().listOfRows();
        }
        // The secondary indexes, as the migrations defined them; dropped now, recreated after the load.
        List<String[]> indexes = jdbc.sql("""
                        select c.relname, pg_get_indexdef(i.indexrelid) from pg_index i join pg_class c on c.oid = i.indexrelid
                        where i.indrelid = 'audit_event'::regclass and not i.indisprimary order by c.oid""")
                // A partitioned index's definition reads "ON ONLY audit_event": without ONLY it builds every partition's index too.
                .query((r, n) -> new String[] {r.getString(1), r.getString(2).replace(" ON ONLY ", " ON ")}).list();
        for (String[] index : indexes) {
            jdbc.sql("drop index " + index[0]).update();
        }
        System.out.printf("Loading %,d events over %d months (%s .. %s) with %d COPY streams; %d secondary indexes dropped%n",
                rows, MONTHS, firstMonth, end, threads, indexes.size());
        long started = System.nanoTime();
        Counters total = new Counters();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<Counters>> parts = new ArrayList<>();
            for (int m = 0; m < MONTHS; m++) {
                LocalDate month = firstMonth.plusMonths(m);
                long from = timeline.firstSeqAtOrAfter(micros(month.atStartOfDay(ZoneOffset.UTC).toInstant()));
                long to = timeline.firstSeqAtOrAfter(micros(month.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant())) - 1;
                if (from <= to) {
                    parts.add(pool.submit(() -> copyMonth(url, timeline, month, from, to, started)));
                }
            }
            for (Future<Counters> part : parts) {
                total.add(part.get());
            }
        }
        double copySeconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("COPY done: %.0f s (%.0f events/s)%n", copySeconds, rows / copySeconds);
        Map<String, Double> indexSeconds = new LinkedHashMap<>();
        for (String[] index : indexes) {
            long t = System.nanoTime();
            jdbc.sql(index[1]).update();
            indexSeconds.put(index[0], (System.nanoTime() - t) / 1e9);
            System.out.printf("  %s: %.0f s%n", index[1], indexSeconds.get(index[0]));
        }
        double indexTotal = indexSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
        long t = System.nanoTime();
        jdbc.sql("vacuum (analyze) audit_event").update();
        double vacuumSeconds = (System.nanoTime() - t) / 1e9;
        jdbc.sql("checkpoint").update();
        jdbc.sql("update audit_head set last_seq = ?, last_hash = ?, last_recorded_at = ?")
                .params(rows, sha256(rows), OffsetDateTime.ofInstant(timeline.instant(rows), ZoneOffset.UTC)).update();
        double totalSeconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("indexes: %.0f s, vacuum analyze: %.0f s, total load: %.0f s%n", indexTotal, vacuumSeconds, totalSeconds);

        jdbc.sql("create table bench_counts (name text primary key, n bigint not null)").update();
        total.put("rows", rows);
        total.put("newest_us", timeline.micros(rows));
        for (int days : new int[] {1, 7}) {
            total.put("rows_last_" + days + "d", rows - timeline.firstSeqAtOrAfter(timeline.micros(rows) - days * 86_400_000_000L) + 1);
        }
        long windowFrom = timeline.firstSeqAtOrAfter(timeline.micros(rows) - 91 * 86_400_000_000L);
        long windowTo = timeline.firstSeqAtOrAfter(timeline.micros(rows) - 90 * 86_400_000_000L);
        total.put("rows_day_90d_ago", windowTo - windowFrom);
        Map<String, Long> all = total.all();
        jdbc.sql("insert into bench_counts select * from unnest(?, ?)")
                .params(all.keySet().toArray(String[]::new), all.values().toArray(Long[]::new)).update();
        load.put("rows", rows);
        load.put("months", MONTHS);
        load.put("firstMonth", firstMonth.toString());
        load.put("newest", timeline.instant(rows).toString());
        load.put("copyStreams", threads);
        load.put("copySeconds", round(copySeconds));
        load.put("indexSeconds", indexSeconds);
        load.put("indexSecondsTotal", round(indexTotal));
        load.put("vacuumAnalyzeSeconds", round(vacuumSeconds));
        load.put("totalSeconds", round(totalSeconds));
        return load;
    }

    /** Event times: evenly spaced from the first month's start to now; seq g at start + (g-1)·step. */
    record Timeline(long startMicros, long endMicros, long rows) {
        double step() {
            return (endMicros - startMicros) / (double) (rows - 1);
        }

        long micros(long seq) {
            return startMicros + (long) ((seq - 1) * step());
        }

        Instant instant(long seq) {
            long us = micros(seq);
            return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000L);
        }

        long firstSeqAtOrAfter(long us) {
            long seq = Math.min(rows + 1, Math.max(1, (long) Math.floor((us - startMicros) / step()) + 1));
            while (seq > 1 && micros(seq - 1) >= us) {
                seq--;
            }
            while (seq <= rows && micros(seq) < us) {
                seq++;
            }
            return seq;
        }
    }

    private static Counters copyMonth(String url, Timeline timeline, LocalDate month, long from, long to, long started) throws Exception {
        Counters counters = new Counters();
        long monthStarted = System.nanoTime();
        try (Connection connection = DriverManager.getConnection(url)) {
            connection.setAutoCommit(false);
            CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("copy audit_event (" + COLUMNS + ") from stdin");
            Generator generator = new Generator(timeline, counters);
            StringBuilder buffer = new StringBuilder(1 << 21);
            byte[] previous = sha256(from - 1);
            for (long seq = from; seq <= to; seq++) {
                byte[] hash = sha256(seq);
                generator.row(seq, previous, hash, buffer);
                previous = hash;
                if (buffer.length() > 1 << 20) {
                    byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
                    copy.writeToCopy(bytes, 0, bytes.length);
                    buffer.setLength(0);
                }
            }
            byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            copy.endCopy();
            connection.commit();
        }
        System.out.printf("  %s: %,d events in %.0f s (at %.0f s)%n", month, to - from + 1,
                (System.nanoTime() - monthStarted) / 1e9, (System.nanoTime() - started) / 1e9);
        return counters;
    }

    /** What the generator produced, so the report can give each filter's true match count. */
    static final class Counters {
        final Map<String, Long> map = new HashMap<>();
        final long[] words = new long[VOCABULARY + 1];
        final long[] words7d = new long[VOCABULARY + 1];

        void inc(String name) {
            map.merge(name, 1L, Long::sum);
        }

        void put(String name, long value) {
            map.put(name, value);
        }

        void add(Counters other) {
            other.map.forEach((k, v) -> map.merge(k, v, Long::sum));
            for (int i = 0; i <= VOCABULARY; i++) {
                words[i] += other.words[i];
                words7d[i] += other.words7d[i];
            }
        }

        Map<String, Long> all() {
            Map<String, Long> all = new TreeMap<>(map);
            for (int i = 1; i <= VOCABULARY; i++) {
                all.put("word:" + i, words[i]);
                all.put("word7d:" + i, words7d[i]);
            }
            return all;
        }
    }

    /** One event row in COPY text format; attributes per request (pair of rows) and per row from seeded RNGs. */
    static final class Generator {
        private final Timeline timeline;
        private final Counters counters;
        private final int[] seen = new int[VOCABULARY + 1];
        private int stamp;
        private final double lnWords = Math.log(VOCABULARY + 1);
        private final long newest;

        Generator(Timeline timeline, Counters counters) {
            this.timeline = timeline;
            this.counters = counters;
            this.newest = timeline.micros(timeline.rows());
        }

        void row(long seq, byte[] previous, byte[] hash, StringBuilder out) {
            long pair = (seq + 1) / 2;
            SplittableRandom request = new SplittableRandom(mix(pair));
            SplittableRandom own = new SplittableRandom(mix(seq ^ 0x5DEECE66DL));
            boolean access = request.nextDouble() < 0.0005;
            String kind = access ? "access" : seq % 2 == 1 ? "request" : "response";
            String requestId = "req_" + hex32(access ? mix(seq) ^ 0xACCE55L : mix(pair), access ? seq : pair);
            int subjectRank = (int) Math.min(SUBJECTS, Math.exp(request.nextDouble() * Math.log(SUBJECTS + 1)));
            String subject;
            String[] roles;
            if (access) {
                int auditor = 1 + request.nextInt(5);
                subject = "auditor-" + auditor + "@corp.example";
                roles = new String[] {"auditor"};
            } else {
                subject = "user-%04d@corp.example".formatted(subjectRank);
                roles = roles(subjectRank);
            }
            UUID apiKey = null;
            int keyRank = 0;
            if (request.nextDouble() < 0.2 && !access) {
                keyRank = (int) Math.min(API_KEYS, Math.exp(request.nextDouble() * Math.log(API_KEYS + 1)));
                apiKey = KEYS[keyRank];
            }
            String clientApp = access ? "console" : CLIENT_APPS[request.nextInt(CLIENT_APPS.length)];
            int expertIndex = (int) Math.exp(request.nextDouble() * Math.log(EXPERTS.length + 1)) - 1;
            String expert = access ? null : EXPERTS[Math.min(EXPERTS.length - 1, expertIndex)];
            double u = request.nextDouble();
            Integer status = !"response".equals(kind) ? null
                    : u < 0.93 ? 200 : u < 0.96 ? 400 : u < 0.975 ? 403 : u < 0.985 ? 429 : u < 0.99 ? 499
                    : u < 0.995 ? 500 : u < 0.998 ? 502 : 504;
            double g = own.nextDouble();
            String guardrail = access ? null : g < 0.008 ? GUARDRAIL[0] : g < 0.016 ? GUARDRAIL[1] : g < 0.02 ? GUARDRAIL[2] : null;

            long us = timeline.micros(seq);
            boolean last7 = us >= newest - 7 * 86_400_000_000L;
            StringBuilder text = new StringBuilder(640);
            if (!access) {
                stamp++;
                int words = 20 + own.nextInt(61);
                for (int w = 0; w < words; w++) {
                    int rank = (int) Math.min(VOCABULARY, Math.exp(own.nextDouble() * lnWords));
                    if (w > 0) {
                        text.append(' ');
                    }
                    text.append(WORDS[rank - 1]);
                    if (seen[rank] != stamp) {
                        seen[rank] = stamp;
                        counters.words[rank]++;
                        if (last7) {
                            counters.words7d[rank]++;
                        }
                    }
                }
                double tail = own.nextDouble();
                double below = 0;
                for (int t = 0; t < TAIL_WORDS.length; t++) {
                    below += TAIL_RATES[t];
                    if (tail < below) {
                        text.append(' ').append(TAIL_WORDS[t]);
                        counters.inc("tail:" + TAIL_WORDS[t]);
                        break;
                    }
                }
            }
            counters.inc("kind:" + kind);
            counters.inc("subject:" + subject);
            for (String role : roles) {
                counters.inc("role:" + role);
            }
            if (apiKey != null) {
                counters.inc("key:" + keyRank);
            }
            if (expert != null && status != null && status == 500) {
                counters.inc("expert500:" + expert);
            }
            if (guardrail != null) {
                counters.inc("guardrail:" + guardrail);
            }

            String recordedAt = timeline.instant(seq).toString();
            String body = switch (kind) {
                case "request" -> "{\"messages\":[{\"content\":\"" + text + "\",\"role\":\"user\"}],\"model\":\"" + expert
                        + "\",\"temperature\":0.2}";
                case "response" -> "{\"completion_tokens\":" + (text.length() / 5) + ",\"finish_reason\":\"stop\",\"latency_ms\":"
                        + (200 + own.nextInt(4000)) + ",\"output\":\"" + text + "\",\"prompt_tokens\":" + (20 + own.nextInt(900)) + "}";
                default -> "{\"viewed_request_id\":\"req_" + hex32(mix(seq * 31), seq) + "\",\"viewed_seqs\":[" + (seq / 3) + "," + (seq / 3 + 1) + "]}";
            };
            String record = "{\"api_key_id\":" + quoted(apiKey) + ",\"body\":" + body + ",\"caller_type\":\""
                    + (apiKey == null ? "jwt" : "api_key") + "\",\"client_app\":" + quoted(clientApp)
                    + ",\"endpoint\":\"" + (access ? "/admin/api/audit/{id}" : "/v1/chat/completions") + "\",\"expert\":" + quoted(expert)
                    + ",\"guardrail_action\":" + quoted(guardrail) + ",\"kind\":\"" + kind + "\",\"model\":" + quoted(expert)
                    + ",\"occurred_at\":\"" + recordedAt + "\",\"recorded_at\":\"" + recordedAt + "\",\"request_id\":\"" + requestId
                    + "\",\"roles\":[\"" + String.join("\",\"", roles) + "\"],\"seq\":" + seq + ",\"status\":" + status
                    + ",\"subject\":\"" + subject + "\"}";

            out.append(seq).append('\t').append(recordedAt).append('\t').append(requestId).append('\t').append(kind)
                    .append('\t').append(subject).append('\t').append(apiKey == null ? "jwt" : "api_key")
                    .append("\t{").append(String.join(",", roles)).append("}\t").append(nullable(apiKey))
                    .append('\t').append(nullable(clientApp)).append('\t').append(nullable(expert)).append('\t').append(nullable(expert))
                    .append('\t').append(nullable(status)).append('\t').append(nullable(guardrail)).append('\t').append(text)
                    .append('\t').append(record).append("\t\\\\x").append(HEX.formatHex(previous))
                    .append("\t\\\\x").append(HEX.formatHex(hash)).append('\n');
        }

        private static String quoted(Object value) {
            return value == null ? "null" : "\"" + value + "\"";
        }

        private static String nullable(Object value) {
            return value == null ? "\\N" : value.toString();
        }
    }

    /** 3-5 roles; which ones a subject holds is fixed per subject. */
    static String[] roles(int subjectRank) {
        int h = (int) ((mix(subjectRank * 31L + 7) >>> 33) % 100);
        return switch (h) {
            case 0 -> new String[] {"admin", "user"};
            case 1 -> new String[] {"auditor"};
            case 2 -> new String[] {"auditor", "user"};
            case 3 -> new String[] {"admin", "developer", "user"};
            default -> h < 30 ? new String[] {"developer", "user"} : h < 45 ? new String[] {"analyst", "user"} : new String[] {"user"};
        };
    }

    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    static String hex32(long a, long b) {
        return HEX.toHexDigits(a) + HEX.toHexDigits(mix(b + 0x9E3779B97F4A7C15L));
    }

    static String requestId(long pair) {
        return "req_" + hex32(mix(pair), pair);
    }

    static byte[] sha256(long seq) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(java.nio.ByteBuffer.allocate(8).putLong(seq).array());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ~100 common English words for the top ranks, then made-up words (ka-lo-mi-x); rank r is WORDS[r-1]. */
    static String[] vocabulary() {
        List<String> words = new ArrayList<>(Arrays.asList(ENGLISH.strip().split("\\s+")));
        String[] syllables = SYLLABLES.split(" ");
        for (int n = 0; words.size() < VOCABULARY; n++) {
            words.add(syllables[n % 40] + syllables[(n / 40) % 40] + syllables[(n / 1600) % 40] + "x");
        }
        return words.toArray(String[]::new);
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
    }

    // ---------------------------------------------------------------------------------------------
    // Queries

    record Query(String name, AuditFilter filter, Long cursor, String matches) {
    }

    private static List<Map<String, Object>> queries(String url, JdbcClient jdbc, Map<String, Long> counts, int runs,
                                                     Map<String, Object> report) throws Exception {
        AuditSearch search = new AuditSearch(jdbc);
        jdbc.sql("set statement_timeout = '" + TIMEOUT_SECONDS + "s'").update(); // the pool's one connection, for the queries only
        long rows = counts.get("rows");
        long newestUs = counts.get("newest_us");
        Instant newest = Instant.ofEpochSecond(newestUs / 1_000_000L, (newestUs % 1_000_000L) * 1000L);
        Instant tomorrow = newest.plus(Duration.ofDays(1));
        // Frequent and rare subject, the most used API key: from the generator's counts.
        String frequentSubject = extreme(counts, "subject:user-", true);
        String rareSubject = extreme(counts, "subject:user-", false);
        int commonWord = 1;
        int midWord = 300;
        int rareWord = VOCABULARY;
        String requestId = requestId(rows / 4);
        List<Query> list = new ArrayList<>();
        list.add(new Query("newest page, no filter", filter(null, null, null, null, null, null, null, null, null, null, null), null,
                String.valueOf(rows)));
        list.add(new Query("second page (cursor from the first)", filter(null, null, null, null, null, null, null, null, null, null, null),
                -1L, String.valueOf(rows - PAGE)));
        list.add(new Query("deep page (cursor = seq N/2)", filter(null, null, null, null, null, null, null, null, null, null, null),
                rows / 2, String.valueOf(rows / 2 - 1)));
        list.add(new Query("last 24 h", filter(newest.minus(Duration.ofDays(1)), null, null, null, null, null, null, null, null, null, null),
                null, String.valueOf(counts.get("rows_last_1d"))));
        list.add(new Query("one day, 90 days back (from+to)", filter(newest.minus(Duration.ofDays(91)), newest.minus(Duration.ofDays(90)),
                null, null, null, null, null, null, null, null, null), null, String.valueOf(counts.get("rows_day_90d_ago"))));
        list.add(new Query("subject = frequent (" + frequentSubject + ")", filter(null, null, frequentSubject, null, null, null, null, null,
                null, null, null), null, String.valueOf(counts.get("subject:" + frequentSubject))));
        list.add(new Query("subject = rare (" + rareSubject + ")", filter(null, null, rareSubject, null, null, null, null, null, null, null,
                null), null, String.valueOf(counts.get("subject:" + rareSubject))));
        list.add(new Query("role = developer", filter(null, null, null, "developer", null, null, null, null, null, null, null), null,
                String.valueOf(counts.get("role:developer"))));
        list.add(new Query("role = admin", filter(null, null, null, "admin", null, null, null, null, null, null, null), null,
                String.valueOf(counts.get("role:admin"))));
        list.add(new Query("api key (most used)", filter(null, null, null, null, KEYS[1], null, null, null, null, null, null), null,
                String.valueOf(counts.get("key:1"))));
        list.add(new Query("expert = code + status = 500", filter(null, null, null, null, null, "code", 500, null, null, null, null), null,
                String.valueOf(counts.get("expert500:code"))));
        list.add(new Query("guardrail action = block", filter(null, null, null, null, null, null, null, null, "block", null, null), null,
                String.valueOf(counts.get("guardrail:block"))));
        list.add(new Query("request id", filter(null, null, null, null, null, null, null, null, null, requestId, null), null, "2"));
        list.add(new Query("q = common word '" + WORDS[commonWord - 1] + "'", filter(null, null, null, null, null, null, null, null, null,
                null, WORDS[commonWord - 1]), null, String.valueOf(counts.get("word:" + commonWord))));
        list.add(new Query("q = mid word '" + WORDS[midWord - 1] + "'", filter(null, null, null, null, null, null, null, null, null, null,
                WORDS[midWord - 1]), null, String.valueOf(counts.get("word:" + midWord))));
        list.add(new Query("q = rare word '" + WORDS[rareWord - 1] + "'", filter(null, null, null, null, null, null, null, null, null, null,
                WORDS[rareWord - 1]), null, String.valueOf(counts.get("word:" + rareWord))));
        list.add(new Query("q = common word + last 7 days", filter(newest.minus(Duration.ofDays(7)), tomorrow, null, null, null, null, null,
                null, null, null, WORDS[commonWord - 1]), null, String.valueOf(counts.get("word7d:" + commonWord))));
        list.add(new Query("q = rare word + last 7 days", filter(newest.minus(Duration.ofDays(7)), tomorrow, null, null, null, null, null,
                null, null, null, WORDS[rareWord - 1]), null, String.valueOf(counts.get("word7d:" + rareWord))));
        for (String word : TAIL_WORDS) {
            list.add(new Query("q = tail word '" + word + "'", filter(null, null, null, null, null, null, null, null, null, null, word), null,
                    String.valueOf(counts.getOrDefault("tail:" + word, 0L))));
        }
        list.add(new Query("q = absent word '" + ABSENT_WORD + "'", filter(null, null, null, null, null, null, null, null, null, null,
                ABSENT_WORD), null, "0"));
        list.add(new Query("role = contractor (no such role)", filter(null, null, null, "contractor", null, null, null, null, null, null,
                null), null, "0"));
        list.add(new Query("kind = access", filter(null, null, null, null, null, null, null, AuditEvent.Kind.ACCESS, null, null, null), null,
                String.valueOf(counts.get("kind:access"))));

        Map<String, String> parentIndex = new LinkedHashMap<>();
        jdbc.sql("""
                select c.relname, p.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
                join pg_class p on p.oid = i.inhparent where c.relkind = 'i'""")
                .query((r, n) -> parentIndex.put(r.getString(1), r.getString(2))).list();

        System.out.printf("%nLoad average before queries: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
        List<Map<String, Object>> results = new ArrayList<>();
        Long firstPageCursor = null;
        Properties unnamed = new Properties();
        unnamed.setProperty("prepareThreshold", "0"); // unnamed statements: EXPLAIN sees a custom plan, as the first executions do
        try (Connection explainConnection = DriverManager.getConnection(url, unnamed)) {
            try (Statement statement = explainConnection.createStatement()) {
                statement.execute("set statement_timeout = '" + TIMEOUT_SECONDS + "s'");
            }
            for (Query query : list) {
                Long cursor = query.cursor() != null && query.cursor() == -1L ? firstPageCursor : query.cursor();
                Timed warmup = time(search, query.filter(), cursor);
                // A query that already misses badly is timed once (its warm-up), not six times.
                int n = warmup.timedOut() || warmup.ms() > 5_000 ? 0 : runs;
                double[] times = new double[Math.max(n, 1)];
                times[0] = warmup.ms();
                AuditSearch.Page page = warmup.page();
                boolean timedOut = warmup.timedOut();
                for (int i = 0; i < n; i++) {
                    Timed run = time(search, query.filter(), cursor);
                    times[i] = run.ms();
                    page = run.timedOut() ? page : run.page();
                    timedOut |= run.timedOut();
                }
                if (firstPageCursor == null && page != null) {
                    firstPageCursor = page.nextCursor();
                }
                Conditions conditions = query.filter().conditions();
                conditions.add("seq < ?", cursor);
                String sql = AuditSearch.searchSql(conditions);
                List<Object> parameters = new ArrayList<>(conditions.parameters());
                parameters.add(PAGE + 1);
                String plan = explain(explainConnection, "explain (analyze, buffers) " + sql, parameters);
                String generic = genericPlan(explainConnection, sql, parameters);
                Map<String, Object> r = result(query.name(), query.matches(), sql, parameters, warmup.ms(), times,
                        page == null ? -1 : page.data().size(), plan, generic, parentIndex);
                r.put("timedRuns", n);
                r.put("timedOut", timedOut);
                results.add(r);
            }
            // The console's detail view: every event of one request (AuditSearch.request).
            long warmup = System.nanoTime();
            search.request(requestId);
            double warmupMs = (System.nanoTime() - warmup) / 1e6;
            double[] times = new double[runs];
            int found = 0;
            for (int i = 0; i < runs; i++) {
                long started = System.nanoTime();
                found = search.request(requestId).size();
                times[i] = (System.nanoTime() - started) / 1e6;
            }
            String sql = "select seq, recorded_at, kind, record, prev_hash, hash from audit_event where request_id = ? order by seq";
            results.add(result("request detail (AuditSearch.request)", "2", sql, List.of(requestId), warmupMs, times, found,
                    explain(explainConnection, "explain (analyze, buffers) " + sql, List.of(requestId)),
                    genericPlan(explainConnection, sql, List.of(requestId)), parentIndex));
        }
        printTable(results);
        report.put("planCacheScenario", planCacheScenario(url,
                filter(newest.minus(Duration.ofDays(7)), tomorrow, null, null, null, null, null, null, null, null, WORDS[rareWord - 1]),
                filter(newest.minus(Duration.ofDays(7)), tomorrow, null, null, null, null, null, null, null, null, WORDS[commonWord - 1])));
        return results;
    }

    record Timed(double ms, AuditSearch.Page page, boolean timedOut) {
    }

    private static Timed time(AuditSearch search, AuditFilter filter, Long cursor) {
        long started = System.nanoTime();
        try {
            AuditSearch.Page page = search.search(filter, cursor, PAGE);
            return new Timed((System.nanoTime() - started) / 1e6, page, false);
        } catch (DataAccessException e) { // statement_timeout
            return new Timed((System.nanoTime() - started) / 1e6, null, true);
        }
    }

    /**
     * What a pooled connection does with pgjdbc's defaults: from the 5th use of the same SQL it runs
     * a named statement, and after 5 custom plans the server may keep a generic plan when that one
     * is estimated no dearer than their average. Rare-word searches in the last 7 days (estimated
     * dear) followed by a common-word search in the same window, on a fresh connection; then the
     * same with plan_cache_mode=force_custom_plan.
     */
    private static Map<String, Object> planCacheScenario(String url, AuditFilter rare, AuditFilter common) throws SQLException {
        Map<String, Object> scenario = new LinkedHashMap<>();
        for (String mode : List.of("auto", "force_custom_plan")) {
            Properties properties = new Properties();
            properties.setProperty("options", "-c plan_cache_mode=" + mode + " -c statement_timeout=" + TIMEOUT_SECONDS + "s");
            try (Connection connection = DriverManager.getConnection(url, properties)) {
                AuditSearch search = new AuditSearch(JdbcClient.create(new SingleConnectionDataSource(connection, true)));
                List<Double> rareTimes = new ArrayList<>();
                List<Double> commonTimes = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    rareTimes.add(round(time(search, rare, null).ms()));
                }
                for (int i = 0; i < 3; i++) {
                    Timed t = time(search, common, null);
                    commonTimes.add(t.timedOut() ? -1 : round(t.ms()));
                }
                scenario.put(mode, Map.of("rareWord7dMs", rareTimes, "thenCommonWord7dMs", commonTimes));
                System.out.printf("plan cache scenario, plan_cache_mode=%s: 10x rare word + 7 days %s ms, then common word + 7 days %s ms%n",
                        mode, rareTimes, commonTimes);
            }
        }
        return scenario;
    }

    private static AuditFilter filter(Instant from, Instant to, String subject, String role, UUID apiKeyId, String expert,
                                      Integer status, AuditEvent.Kind kind, String guardrailAction, String requestId, String text) {
        return new AuditFilter(from, to, subject, role, apiKeyId, expert, status, kind, guardrailAction, requestId, text);
    }

    private static String extreme(Map<String, Long> counts, String prefix, boolean most) {
        return counts.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .sorted((a, b) -> most ? Long.compare(b.getValue(), a.getValue()) : Long.compare(a.getValue(), b.getValue()))
                .findFirst().orElseThrow().getKey().substring("subject:".length());
    }

    private static String explain(Connection connection, String sql, List<Object> parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                statement.setObject(i + 1, parameters.get(i));
            }
            return lines(statement.executeQuery());
        } catch (SQLException e) {
            if (!sql.startsWith("explain (analyze, buffers) ")) {
                throw e;
            }
            return "EXPLAIN ANALYZE failed (" + e.getMessage() + "); the plan without ANALYZE:\n"
                    + explain(connection, "explain " + sql.substring("explain (analyze, buffers) ".length()), parameters);
        }
    }

    /**
     * The plan PostgreSQL may settle on once a connection has run the same SQL often enough for the
     * driver to use a named statement (pgjdbc: from the 5th use) and the server to cache a generic
     * plan (after 5 custom ones, when the generic one looks no dearer): forced here to see it.
     */
    private static String genericPlan(Connection connection, String sql, List<Object> parameters) throws SQLException {
        StringBuilder prepared = new StringBuilder();
        int n = 0;
        for (char c : sql.toCharArray()) {
            prepared.append(c == '?' ? "$" + (++n) : String.valueOf(c));
        }
        List<String> literals = new ArrayList<>();
        for (Object p : parameters) {
            literals.add(switch (p) {
                case Integer i -> i.toString();
                case Long l -> l.toString();
                case OffsetDateTime t -> "'" + t + "'::timestamptz";
                case UUID u -> "'" + u + "'::uuid";
                default -> "'" + p.toString().replace("'", "''") + "'";
            });
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("set plan_cache_mode = force_generic_plan");
            statement.execute("prepare bench_generic as " + prepared);
            try {
                return lines(statement.executeQuery("explain (analyze, buffers) execute bench_generic(" + String.join(", ", literals) + ")"));
            } catch (SQLException e) {
                return "ERROR: " + e.getMessage();
            } finally {
                statement.execute("deallocate bench_generic");
                statement.execute("reset plan_cache_mode");
            }
        }
    }

    private static String lines(ResultSet resultSet) throws SQLException {
        StringBuilder plan = new StringBuilder();
        while (resultSet.next()) {
            plan.append(resultSet.getString(1)).append('\n');
        }
        return plan.toString();
    }

    private static final Pattern INDEX_NODE = Pattern.compile(
            "(Index Only Scan Backward|Index Only Scan|Index Scan Backward|Index Scan|Bitmap Index Scan) (?:using|on) (\\S+)");
    private static final Pattern SEQ_NODE = Pattern.compile("(Parallel Seq Scan|Seq Scan) on (\\S+)");
    private static final Pattern EXECUTION = Pattern.compile("Execution Time: ([0-9.]+) ms");
    private static final Pattern PLANNING = Pattern.compile("Planning Time: ([0-9.]+) ms");
    private static final Pattern TOP_BUFFERS = Pattern.compile("Buffers: (shared[^\\n]*)");

    /** "audit_event_subject ×12 (Index Scan), …": parent index names and how many partitions used each. */
    static String indexesUsed(String plan, Map<String, String> parentIndex) {
        Map<String, Integer> used = new LinkedHashMap<>();
        List<String> seqScans = new ArrayList<>();
        for (String line : plan.split("\n")) {
            if (line.contains("never executed")) {
                continue;
            }
            Matcher m = INDEX_NODE.matcher(line);
            if (m.find()) {
                String name = parentIndex.getOrDefault(m.group(2), m.group(2));
                used.merge(name + " (" + m.group(1) + ")", 1, Integer::sum);
            }
            Matcher s = SEQ_NODE.matcher(line);
            if (s.find()) {
                seqScans.add(s.group(2));
            }
        }
        List<String> parts = new ArrayList<>();
        used.forEach((k, v) -> parts.add(k.replace(" (", " ×" + v + " (")));
        if (!seqScans.isEmpty()) {
            parts.add("Seq Scan ×" + seqScans.size() + " (" + String.join(", ", seqScans) + ")");
        }
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    private static Map<String, Object> result(String name, String matches, String sql, List<Object> parameters, double warmupMs,
                                              double[] times,
                                              int returned, String plan, String generic, Map<String, String> parentIndex) {
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("query", name);
        r.put("matchingRows", matches);
        r.put("rowsReturned", returned);
        r.put("warmupMs", round(warmupMs));
        r.put("medianMs", round(sorted[sorted.length / 2]));
        r.put("maxMs", round(sorted[sorted.length - 1]));
        r.put("timesMs", Arrays.stream(times).map(AuditScaleBench::round).boxed().toList());
        r.put("under100ms", sorted[sorted.length - 1] < 100);
        r.put("indexes", indexesUsed(plan, parentIndex));
        r.put("explainExecutionMs", find(EXECUTION, plan));
        r.put("explainPlanningMs", find(PLANNING, plan));
        r.put("explainBuffers", find(TOP_BUFFERS, plan));
        r.put("genericPlanIndexes", generic.startsWith("ERROR") ? generic : indexesUsed(generic, parentIndex));
        r.put("genericPlanExecutionMs", generic.startsWith("ERROR") ? null : find(EXECUTION, generic));
        r.put("sql", sql);
        r.put("parameters", parameters.stream().map(String::valueOf).toList());
        r.put("plan", plan);
        r.put("genericPlan", generic);
        System.out.printf("%-48s median %8.1f ms  max %8.1f ms  rows %3d  %s%n", name, sorted[sorted.length / 2],
                sorted[sorted.length - 1], returned, r.get("indexes"));
        return r;
    }

    private static String find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static void printTable(List<Map<String, Object>> results) {
        System.out.println();
        System.out.println("| Query | Matching rows | Rows returned | First (cold) ms | Median ms | Max ms | < 100 ms | Index(es) used (custom plan) | EXPLAIN ANALYZE ms | Generic plan ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|---|---|---:|---:|");
        for (Map<String, Object> r : results) {
            boolean timedOut = Boolean.TRUE.equals(r.get("timedOut"));
            System.out.printf("| %s | %s | %s | %.1f | %s | %s | %s | %s | %s | %s |%n", r.get("query"), r.get("matchingRows"),
                    timedOut ? "-" : r.get("rowsReturned"), (Double) r.get("warmupMs"),
                    timedOut ? "> " + TIMEOUT_SECONDS * 1000 : "%.1f".formatted((Double) r.get("medianMs"))
                            + (Integer.valueOf(0).equals(r.get("timedRuns")) ? " (1 run)" : ""),
                    timedOut ? "> " + TIMEOUT_SECONDS * 1000 : "%.1f".formatted((Double) r.get("maxMs")),
                    (Boolean) r.get("under100ms") ? "yes" : "NO", r.get("indexes"), r.get("explainExecutionMs"),
                    r.get("genericPlanExecutionMs") == null ? r.get("genericPlanIndexes") : r.get("genericPlanExecutionMs"));
        }
        System.out.println();
        for (Map<String, Object> r : results) {
            System.out.println("### " + r.get("query"));
            System.out.println(r.get("sql") + "  -- " + r.get("parameters"));
            System.out.println(r.get("plan"));
            System.out.println("-- generic plan: " + r.get("genericPlanIndexes"));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Report helpers

    private static Map<String, Object> sizes(JdbcClient jdbc) {
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("partitions", jdbc.sql("select count(*) from pg_inherits where inhparent = 'audit_event'::regclass").query(Long.class).single());
        Map<String, Object> totals = jdbc.sql("""
                select sum(pg_total_relation_size(inhrelid)) as total, sum(pg_relation_size(inhrelid)) as heap,
                       sum(pg_total_relation_size(inhrelid) - pg_relation_size(inhrelid) - pg_indexes_size(inhrelid)) as toast,
                       sum(pg_indexes_size(inhrelid)) as indexes
                from pg_inherits where inhparent = 'audit_event'::regclass""").query().singleRow();
        totals.forEach((k, v) -> sizes.put(k + "Bytes", ((Number) v).longValue()));
        Map<String, Long> perIndex = new LinkedHashMap<>();
        jdbc.sql("""
                select c.relname, (select sum(pg_relation_size(relid)) from pg_partition_tree(c.oid)) from pg_index i
                join pg_class c on c.oid = i.indexrelid where i.indrelid = 'audit_event'::regclass order by c.oid""")
                .query((r, n) -> perIndex.put(r.getString(1), r.getLong(2))).list();
        sizes.put("indexBytes", perIndex);
        System.out.printf("Sizes: total %s (heap %s, toast %s, indexes %s)%n", gb(sizes.get("totalBytes")), gb(sizes.get("heapBytes")),
                gb(sizes.get("toastBytes")), gb(sizes.get("indexesBytes")));
        perIndex.forEach((k, v) -> System.out.printf("  %-24s %s%n", k, gb(v)));
        return sizes;
    }

    private static String gb(Object bytes) {
        return "%.2f GiB".formatted(((Number) bytes).doubleValue() / (1L << 30));
    }

    private static Map<String, Object> machine(JdbcClient jdbc) throws IOException {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("processors", Runtime.getRuntime().availableProcessors());
        machine.put("cpu", Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?"));
        machine.put("memory", Files.readAllLines(Path.of("/proc/meminfo")).getFirst());
        machine.put("loadAverageAtStart", Files.readString(Path.of("/proc/loadavg")).strip());
        machine.put("postgres", jdbc.sql("select version()").query(String.class).single());
        machine.put("java", Runtime.version().toString());
        return machine;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private AuditScaleBench() {
    }
}
