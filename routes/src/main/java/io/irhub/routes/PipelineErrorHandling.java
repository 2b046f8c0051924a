package io.irhub.routes;

import io.irhub.connector.api.AuditEvent;
import io.irhub.routes.store.StoreException;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteConfigurationBuilder;

import java.time.Clock;
import java.util.Map;

/**
 * Error handling shared by the pipeline's routes.
 * <ul>
 * <li>{@code intake}: a refused delivery gets its status and a JSON reason, and its audit row is wire-tapped; a store
 * outage answers 503 so the source retries, having stored nothing.</li>
 * <li>{@code pipeline}: a store outage is retried with back-off at the step that failed (so a target is never
 * called twice because its outcome could not be written); what outlasts the retries is picked up by the sweep.</li>
 * </ul>
 */
public final class PipelineErrorHandling extends RouteConfigurationBuilder {
    private final Clock clock;
    private final Metrics metrics;

    public PipelineErrorHandling(Clock clock) {
        this(clock, Metrics.standalone());
    }

    public PipelineErrorHandling(Clock clock, Metrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public void configuration() {
        routeConfiguration("intake")
                .onException(IntakeRefusal.class).handled(true)
                    .process(this::refuse)
                    .wireTap(Bus.AUDIT)
                .end()
                .onException(StoreException.class).handled(true)
                    .log(LoggingLevel.ERROR, "intake", "cannot store a delivery for ${exchangeProperty.irhubInstance}: ${exception.message}")
                    .removeHeaders("*")
                    .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(503))
                    .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
                    .setBody(constant("{\"error\":\"the hub cannot store signals right now; nothing was accepted, retry later\"}"))
                .end();

        routeConfiguration("pipeline")
                .onException(io.irhub.connector.api.ApprovalChannelException.class)
                    .maximumRedeliveries(5).redeliveryDelay(1000).useExponentialBackOff().maximumRedeliveryDelay(30_000)
                    .retryAttemptedLogLevel(LoggingLevel.WARN)
                    .handled(true)
                    .log(LoggingLevel.ERROR, "pipeline", "approval channel unavailable; the request is posted again later: ${exception.message}")
                .end()
                .onException(StoreException.class)
                    .maximumRedeliveries(12).redeliveryDelay(250).useExponentialBackOff().maximumRedeliveryDelay(30_000)
                    .retryAttemptedLogLevel(LoggingLevel.WARN)
                    .handled(true)
                    .log(LoggingLevel.ERROR, "pipeline", "store unavailable; ${routeId} leaves its work for the sweep: ${exception.message}")
                .end();
    }

    private void refuse(Exchange exchange) {
        IntakeRefusal refusal = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, IntakeRefusal.class);
        metrics.signal(refusal.instance(), "refused");
        byte[] body = exchange.getMessage().getBody(byte[].class);
        AuditEvent.Stage stage = "slack-interactions".equals(refusal.instance())
                ? AuditEvent.Stage.APPROVAL : AuditEvent.Stage.SIGNAL_REFUSED;
        exchange.setProperty(Bus.AUDIT_EVENT, new AuditEvent(clock.instant(), null, stage,
                "intake", refusal.instance(), null, "refused", Map.of(
                "http_status", refusal.status(),
                "reason", refusal.getMessage(),
                "body_bytes", body == null ? 0 : body.length)));
        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, refusal.status());
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(io.irhub.routes.store.Json.write(Map.of("error", refusal.getMessage())));
    }
}
