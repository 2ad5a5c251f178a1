package ai.ensemble.shared;

import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/** Gives {@link TraceHeaders} the application's tracer and propagator (W3C by default), and takes them back on shutdown. */
@Component
class TraceHeadersInstaller implements DisposableBean {

    private final Tracer tracer;

    TraceHeadersInstaller(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        this.tracer = tracer.getIfAvailable(() -> Tracer.NOOP);
        TraceHeaders.install(this.tracer, propagator.getIfAvailable(() -> Propagator.NOOP));
    }

    @Override
    public void destroy() {
        TraceHeaders.uninstall(tracer);
    }
}
