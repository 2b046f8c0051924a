package io.irhub.routes;

import io.irhub.connector.api.AuditEvent;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.Source;
import io.irhub.routes.store.AuditLog;
import io.irhub.routes.store.PipelineStore;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Source instances that also consume a Kafka topic, each in its own connector's format (the generic source reads the
 * hub's own signal JSON; crowdstrike reads Event Streams events, …). The transport authenticates the producer, so
 * records are normalized without the webhook's credential check.
 *
 * <p>An offset is committed only after the record's signals are stored (durable accept); if the store fails, nothing
 * is committed and the consumer reads the record again. A record that is not the instance's format (a poison
 * message) goes to the dead-letter topic with the reason in its headers, is audited, and the consumer carries on.
 * The {@code kafka} component (brokers, security) is configured by the runtime.
 */
public final class KafkaSources extends RouteBuilder {

    /** One instance's topic, consumer group and dead-letter topic. */
    public record Subscription(String instance, Source source, String topic, String groupId, String deadLetterTopic) {
    }

    private final List<Subscription> subscriptions;
    private final PipelineStore store;
    private final AuditLog audit;
    private final Clock clock;

    public KafkaSources(List<Subscription> subscriptions, PipelineStore store, AuditLog audit, Clock clock) {
        this.subscriptions = List.copyOf(subscriptions);
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public void configure() {
        for (Subscription s : subscriptions) {
            from("kafka:" + s.topic() + "?groupId=" + s.groupId() + "&autoCommitEnable=false&allowManualCommit=true"
                    + "&autoOffsetReset=earliest&breakOnFirstError=true&maxPollRecords=100")
                    .routeId("kafka-" + s.instance())
                    // no redelivery here: an exception leaves the offset uncommitted and the record is read again
                    .errorHandler(noErrorHandler())
                    .process(e -> consume(s, e))
                    .choice()
                        .when(exchangeProperty("irhubPoison").isNotNull())
                            .process(e -> {
                                var m = e.getMessage();
                                String reason = e.getProperty("irhubPoison", String.class);
                                m.removeHeaders("*", KafkaConstants.MANUAL_COMMIT);
                                m.setHeader("irhub-error", reason);
                                m.setHeader("irhub-source-instance", s.instance());
                                m.setHeader("irhub-source-topic", s.topic());
                                m.setBody(e.getProperty("irhubRaw", byte[].class));
                            })
                            .to("kafka:" + s.deadLetterTopic())
                        .otherwise()
                            .split(exchangeProperty("irhubToPlan")).to(Bus.SIGNALS).end()
                    .end()
                    .process(e -> e.getIn().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class).commit());
        }
    }

    private void consume(Subscription s, Exchange e) {
        var m = e.getMessage();
        byte[] value = m.getBody(byte[].class);
        e.setProperty("irhubRaw", value == null ? new byte[0] : value);
        String where = m.getHeader(KafkaConstants.TOPIC, String.class) + "/" + m.getHeader(KafkaConstants.PARTITION)
                + "@" + m.getHeader(KafkaConstants.OFFSET);
        List<Signal> signals;
        try {
            if (value == null || value.length == 0) {
                throw new InvalidPayloadException("the record has no value");
            }
            if (value.length > s.source().maxBodyBytes()) {
                throw new InvalidPayloadException("the record of " + value.length + " bytes exceeds the limit of "
                        + s.source().maxBodyBytes() + " bytes");
            }
            signals = s.source().normalize(new InboundRequest(null, Map.of(), value));
            if (signals.isEmpty()) {
                throw new InvalidPayloadException("the record holds no signal");
            }
        } catch (InvalidPayloadException ex) {
            e.setProperty("irhubPoison", ex.getMessage());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("reason", ex.getMessage());
            details.put("record", where);
            details.put("dead_letter_topic", s.deadLetterTopic());
            details.put("bytes", value == null ? 0 : value.length);
            audit.append(new AuditEvent(clock.instant(), null, AuditEvent.Stage.SIGNAL_REFUSED, "kafka", s.instance(),
                    null, "dead-lettered", details));
            return;
        }
        List<PipelineStore.Accepted> fresh = new ArrayList<>();
        for (Signal signal : signals) {
            PipelineStore.Accepted a = store.accept(signal);
            if (!a.duplicate()) {
                fresh.add(a);
            }
        }
        e.setProperty("irhubToPlan", fresh);
    }
}
