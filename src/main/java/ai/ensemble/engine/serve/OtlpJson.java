package ai.ensemble.engine.serve;

import java.util.List;
import java.util.Map;

/**
 * Encodes spans as the OTLP/HTTP JSON form of {@code ExportTraceServiceRequest}: one resource (the
 * worker), one instrumentation scope, the spans with hex ids, times as decimal strings (int64 in
 * protobuf's JSON mapping) and {@code kind} 2 (server). Written by hand, as the engine carries no
 * JSON or OpenTelemetry library.
 */
final class OtlpJson {

    static final String SCOPE = "ai.ensemble.engine.serve";
    private static final int KIND_SERVER = 2;
    private static final int STATUS_ERROR = 2;

    private OtlpJson() {
    }

    /** The body of one export: {@code resourceAttributes} are strings such as {@code service.name}. */
    static String request(Map<String, String> resourceAttributes, List<WorkerSpan.Finished> spans) {
        StringBuilder out = new StringBuilder(256 + spans.size() * 512);
        out.append("{\"resourceSpans\":[{\"resource\":{\"attributes\":");
        attributes(out, resourceAttributes);
        out.append("},\"scopeSpans\":[{\"scope\":{\"name\":").append(JsonText.quote(SCOPE)).append("},\"spans\":[");
        for (int i = 0; i < spans.size(); i++) {
            out.append(i == 0 ? "" : ",");
            span(out, spans.get(i));
        }
        return out.append("]}]}]}").toString();
    }

    private static void span(StringBuilder out, WorkerSpan.Finished span) {
        out.append("{\"traceId\":\"").append(span.traceId())
                .append("\",\"spanId\":\"").append(span.spanId())
                .append("\",\"parentSpanId\":\"").append(span.parentSpanId())
                .append("\",\"name\":").append(JsonText.quote(span.name()))
                .append(",\"kind\":").append(KIND_SERVER)
                .append(",\"startTimeUnixNano\":\"").append(span.startEpochNanos())
                .append("\",\"endTimeUnixNano\":\"").append(span.endEpochNanos())
                .append("\",\"attributes\":");
        attributes(out, span.attributes());
        out.append(",\"events\":[");
        for (int i = 0; i < span.events().size(); i++) {
            WorkerSpan.Event event = span.events().get(i);
            out.append(i == 0 ? "" : ",").append("{\"timeUnixNano\":\"").append(event.epochNanos())
                    .append("\",\"name\":").append(JsonText.quote(event.name())).append('}');
        }
        out.append("],\"status\":");
        if (span.errorMessage() == null) {
            out.append("{}");
        } else {
            out.append("{\"code\":").append(STATUS_ERROR).append(",\"message\":").append(JsonText.quote(span.errorMessage())).append('}');
        }
        out.append('}');
    }

    /** {@code [{"key":...,"value":{"stringValue":...}}]}; whole numbers as {@code intValue}, the rest as strings. */
    private static void attributes(StringBuilder out, Map<String, ?> attributes) {
        out.append('[');
        boolean first = true;
        for (Map.Entry<String, ?> attribute : attributes.entrySet()) {
            out.append(first ? "" : ",").append("{\"key\":").append(JsonText.quote(attribute.getKey())).append(",\"value\":{");
            first = false;
            Object value = attribute.getValue();
            if (value instanceof Long || value instanceof Integer) {
                out.append("\"intValue\":\"").append(value).append('"');
            } else {
                out.append("\"stringValue\":").append(JsonText.quote(String.valueOf(value)));
            }
            out.append("}}");
        }
        out.append(']');
    }
}
