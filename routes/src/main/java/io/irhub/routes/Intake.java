package io.irhub.routes;

import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.Source;
import io.irhub.routes.store.PipelineStore;
import io.irhub.routes.store.PipelineStore.Accepted;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Receives one webhook delivery: size limit, authentication, normalization, durable accept. Nothing is stored
 * unless every check passes; the source gets its 2xx only after the signal is committed.
 */
public final class Intake {
    private final Map<String, Source> sources;
    private final PipelineStore store;
    private final Metrics metrics;

    public Intake(Map<String, Source> sources, PipelineStore store) {
        this(sources, store, Metrics.standalone());
    }

    public Intake(Map<String, Source> sources, PipelineStore store, Metrics metrics) {
        this.sources = Map.copyOf(sources);
        this.store = store;
        this.metrics = metrics;
    }

    /** Checks and normalizes a delivery, then stores its signals (in-process bus). */
    public List<Accepted> receive(String instance, String pathToken, Map<String, String> headers, byte[] body)
            throws IntakeRefusal {
        List<Signal> signals = parse(instance, pathToken, headers, body);
        List<Accepted> result = new ArrayList<>(signals.size());
        for (Signal s : signals) {
            Accepted a = store.accept(s);
            metrics.signal(instance, a.duplicate() ? "duplicate" : "accepted");
            result.add(a);
        }
        return result;
    }

    /** Size limit, authentication and normalization; stores nothing (the Kafka bus stores the signals itself). */
    public List<Signal> parse(String instance, String pathToken, Map<String, String> headers, byte[] body)
            throws IntakeRefusal {
        Source source = sources.get(instance);
        if (source == null) {
            throw new IntakeRefusal(404, instance, "no source instance named " + instance);
        }
        if (body.length > source.maxBodyBytes()) {
            throw new IntakeRefusal(413, instance, "body of " + body.length + " bytes exceeds the limit of "
                    + source.maxBodyBytes() + " bytes");
        }
        InboundRequest request = new InboundRequest(pathToken, headers, body);
        if (!source.authenticate(request)) {
            throw new IntakeRefusal(401, instance, "credentials missing or wrong");
        }
        List<Signal> signals;
        try {
            signals = source.normalize(request);
        } catch (InvalidPayloadException e) {
            throw new IntakeRefusal(400, instance, e.getMessage());
        }
        if (signals.isEmpty()) {
            throw new IntakeRefusal(400, instance, "the delivery holds no signal");
        }
        return signals;
    }

    public Metrics metrics() {
        return metrics;
    }
}
