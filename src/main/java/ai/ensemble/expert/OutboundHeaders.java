package ai.ensemble.expert;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Extra headers an expert adds to each call it makes to an inference worker, read on the calling
 * thread: the place to put W3C trace context ({@code traceparent}, {@code tracestate}) so that a
 * trace continues from the gateway into the worker. Without a bean of this type the factory forwards
 * the current span's context ({@code ai.ensemble.shared.TraceHeaders}); {@link #NONE} sends nothing.
 */
@FunctionalInterface
public interface OutboundHeaders extends Supplier<Map<String, String>> {

    OutboundHeaders NONE = Map::of;
}
