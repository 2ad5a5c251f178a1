package ai.ensemble.shared;

import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

/**
 * The W3C trace context of the span this thread is in ({@code traceparent}, plus {@code tracestate}
 * when there is one), as headers for an outbound HTTP call, so that the next hop (an upstream model
 * server, an inference worker) joins the gateway's trace. Clients that Spring does not instrument
 * (the JDK's {@code HttpClient}) add these themselves; where a client takes a
 * {@code Supplier<Map<String, String>>} of extra headers, pass {@code TraceHeaders::current}.
 *
 * <p>Static because experts and their HTTP clients are built outside the Spring context; the
 * application installs its tracer at startup ({@link TraceHeadersInstaller}). Empty when nothing is
 * installed, when tracing is off (the no-op tracer) or when this thread is in no span.
 */
public final class TraceHeaders {

    /** The W3C header that carries trace id, parent span id and the sampled flag. */
    public static final String TRACEPARENT = "traceparent";

    private static volatile Source source;

    private TraceHeaders() {
    }

    /** The propagation headers for the current span; an empty map when there is none. */
    public static Map<String, String> current() {
        Source installed = source;
        if (installed == null) {
            return Map.of();
        }
        Span span = installed.tracer().currentSpan();
        if (span == null || span.isNoop()) {
            return Map.of();
        }
        Map<String, String> headers = new LinkedHashMap<>(2);
        installed.propagator().inject(span.context(), headers, Map::put);
        return Map.copyOf(headers);
    }

    static void install(Tracer tracer, Propagator propagator) {
        source = new Source(tracer, propagator);
    }

    /** Forgets the tracer, unless another application context installed its own since. */
    static void uninstall(Tracer tracer) {
        Source installed = source;
        if (installed != null && installed.tracer() == tracer) {
            source = null;
        }
    }

    private record Source(Tracer tracer, Propagator propagator) {
    }
}
