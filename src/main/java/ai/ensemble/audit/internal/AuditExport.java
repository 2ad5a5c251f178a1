package ai.ensemble.audit.internal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.stereotype.Service;

/**
 * Streams every matching event, oldest first, straight from a database cursor to the caller:
 * memory stays flat however many events match. The cursor's single statement sees one snapshot,
 * and commits are serialized by the chain lock, so an unfiltered export is a gap-free stretch of
 * the chain.
 */
@Service
public class AuditExport {

    private static final int FETCH_SIZE = 1000;

    private final DataSource dataSource;

    AuditExport(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void export(AuditFilter filter, ExportFormat format, OutputStream out) throws SQLException, IOException {
        Conditions conditions = filter.conditions();
        String sql = "select " + AuditSummary.COLUMNS + ", prev_hash, hash, record from audit_event"
                + conditions.where() + " order by seq";
        try (Connection connection = dataSource.getConnection()) {
            // pgjdbc fetches in batches only inside a transaction; otherwise it reads the whole result.
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setFetchSize(FETCH_SIZE);
                conditions.bind(statement);
                try (ResultSet rows = statement.executeQuery()) {
                    Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
                    format.header(writer);
                    while (rows.next()) {
                        format.row(writer, rows);
                    }
                    writer.flush();
                }
            } finally {
                connection.rollback();
            }
        }
    }
}
