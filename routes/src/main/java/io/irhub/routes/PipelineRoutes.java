package io.irhub.routes;

import io.irhub.routes.store.AuditLog;
import io.irhub.routes.store.Json;
import io.irhub.routes.store.PipelineStore;
import io.irhub.routes.store.PipelineStore.Accepted;
import io.irhub.routes.store.PipelineStore.DispatchOrder;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The response pipeline: webhook intake (one route per source instance) → durable accept → plan → dispatch
 * (partitioned by identity) → audit; plus recovery at start-up, a periodic sweep, and the audit chainer.
 */
public final class PipelineRoutes extends RouteBuilder {
    private static final int MAX_INTERACTION_BYTES = 64 * 1024;

    private final Set<String> sourceInstances;
    private final Map<String, io.irhub.connector.api.Poller> pollers;
    private final Polling polling;
    private final Intake intake;
    private final PlanStep plan;
    private final DispatchStep dispatch;
    private final PipelineStore store;
    private final Restores restores;
    private final Approvals approvals;
    private final AuditLog audit;
    private final Settings settings;
    private final Clock clock;

    /**
     * @param partitions     dispatch partitions; actions of one identity always use the same one
     * @param sweepEvery     how often to look for work a lost message left behind
     * @param chainEvery     how often the audit chainer runs
     * @param expiryEvery    how often expired suspensions are looked for
     * @param kafkaBus       the Kafka topics when the bus is Kafka, else {@code null}
     */
    public record Settings(int partitions, Duration sweepEvery, Duration chainEvery, Duration expiryEvery,
                           KafkaBus kafkaBus) {
        public static Settings defaults() {
            return new Settings(4, Duration.ofMinutes(1), Duration.ofMillis(200), Duration.ofSeconds(15), null);
        }
    }

    /**
     * The Kafka bus (several replicas): accepted signals and dispatch orders travel on topics keyed by identity, so
     * one identity's work is handled in order by one consumer at a time; offsets are committed after each step's
     * effect is recorded. The {@code kafka} component (brokers, security, acks=all, idempotence) is configured by the
     * runtime. {@code null} in {@link Settings} means the in-process bus.
     */
    public record KafkaBus(String signalsTopic, String actionsTopic, String auditTopic) {
    }

    public PipelineRoutes(Set<String> sourceInstances, Map<String, io.irhub.connector.api.Poller> pollers, Polling polling,
                          Intake intake, PlanStep plan, DispatchStep dispatch,
                          PipelineStore store, Restores restores, Approvals approvals, AuditLog audit,
                          Settings settings, Clock clock) {
        this.sourceInstances = Set.copyOf(sourceInstances);
        this.pollers = Map.copyOf(pollers);
        this.polling = polling;
        this.intake = intake;
        this.plan = plan;
        this.dispatch = dispatch;
        this.store = store;
        this.restores = restores;
        this.approvals = approvals;
        this.audit = audit;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public void configure() {
        routeTemplate("webhook-intake")
                .templateParameter("instance")
                .from("platform-http:/hooks/{{instance}}/{token}?httpMethodRestrict=POST")
                .routeConfigurationId("intake")
                .setProperty("irhubInstance", constant("{{instance}}"))
                .process(this::receive)
                .split(exchangeProperty("irhubToPlan"))
                    .to(Bus.SIGNALS)
                .end()
                .process(this::queue)
                .process(PipelineRoutes::respond);
        // sources whose credentials travel in headers (bearer, HMAC) are posted to without a path token
        routeTemplate("webhook-intake-headers")
                .templateParameter("instance")
                .from("platform-http:/hooks/{{instance}}?httpMethodRestrict=POST")
                .routeConfigurationId("intake")
                .setProperty("irhubInstance", constant("{{instance}}"))
                .process(this::receive)
                .split(exchangeProperty("irhubToPlan"))
                    .to(Bus.SIGNALS)
                .end()
                .process(this::queue)
                .process(PipelineRoutes::respond);
        for (String instance : sourceInstances) {
            templatedRoute("webhook-intake").routeId("intake-" + instance).parameter("instance", instance);
            templatedRoute("webhook-intake-headers").routeId("intake-" + instance + "-headers").parameter("instance", instance);
        }

        // the pull side of sources: one timer per polling instance
        pollers.forEach((instance, poller) ->
                from("timer:irhub-poll-" + instance + "?period=" + poller.interval().toMillis())
                        .routeId("poll-" + instance).routeConfigurationId("pipeline")
                        .process(e -> e.getMessage().setBody(polling.tick(instance, poller)))
                        .split(body()).to(Bus.SIGNALS).end());

        // Accepted signals and dispatch orders share one partitioned set of queues, keyed by identity (a signal by its
        // first identity): one consumer per partition plans a signal and, on the in-process bus, carries out at once the
        // actions that are its own partition's (their intent commits with the plan); other actions, and orders from
        // approvals, restores, expiry and recovery, queue behind on their identity's partition. So one identity's work is
        // done in order, by one thread, while different identities go in parallel.
        from(Bus.SIGNALS).routeId("route-signals")
                .process(e -> e.getMessage().setHeader("irhubPartition", Bus.partition(Bus.partitionOf(
                        e.getMessage().getBody(Accepted.class).orderKey(), settings.partitions()))))
                .toD("${header.irhubPartition}");
        for (int p = 0; p < settings.partitions(); p++) {
            int partition = p;
            from(Bus.partition(p)).routeId("partition-" + p).routeConfigurationId("pipeline")
                .choice()
                    .when(body().isInstanceOf(Accepted.class))
                        .process(e -> planned(e, plan.plan(e.getMessage().getBody(Accepted.class).correlationId(),
                                claimNow(partition))))
                        .to(Bus.DISPATCH)
                        .filter(header("irhubApprovalPlan").isNotNull())
                            .setBody(header("irhubApprovalPlan"))
                            .to(Bus.APPROVALS)
                        .end()
                        .split(exchangeProperty("irhubClaimed"))
                            .process(e -> e.getMessage().setBody(dispatch.carryOut(e.getMessage().getBody(PipelineStore.Claimed.class))))
                            .process(this::record)
                            .filter(body().isNotNull())
                                .to(Bus.APPROVAL_REFRESH)
                            .end()
                        .end()
                    .endChoice()
                    .otherwise()
                        .process(e -> e.getMessage().setBody(dispatch.execute(e.getMessage().getBody(DispatchOrder.class),
                                Boolean.TRUE.equals(e.getMessage().getHeader(Bus.RESUME, Boolean.class)))))
                        .process(this::record)
                        .filter(body().isNotNull())
                            .to(Bus.APPROVAL_REFRESH)
                        .end()
                .end();
        }

        // approvals: post the request, take clicks, expire what nobody decided, show outcomes
        from(Bus.APPROVALS).routeId("approval-post").routeConfigurationId("pipeline")
                .process(e -> approvals.post(e.getMessage().getBody(java.util.UUID.class)));

        from("platform-http:/slack/interactions?httpMethodRestrict=POST&useBodyHandler=false")
                .routeId("approval-interactions").routeConfigurationId("intake")
                .setProperty("irhubInstance", constant("slack-interactions"))
                .process(this::interaction)
                .to(Bus.INTERACTIONS)
                .removeHeaders("*")
                .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(200))
                .setBody(constant(""));

        from(Bus.INTERACTIONS).routeId("approval-decide").routeConfigurationId("pipeline")
                .process(e -> e.getMessage().setBody(approvals.decide(e.getProperty("irhubChannel", String.class),
                        e.getMessage().getBody(io.irhub.connector.api.Interaction.class)).toDispatch()))
                .to(Bus.DISPATCH);

        from("timer:irhub-approval-expiry?period=" + settings.expiryEvery().toMillis()).routeId("approval-expiry")
                .routeConfigurationId("pipeline")
                .process(e -> e.getMessage().setBody(approvals.expire()))
                .to(Bus.DISPATCH)
                .process(e -> e.getMessage().setBody(approvals.unposted(clock.instant().minus(settings.sweepEvery()))))
                .split(body()).to(Bus.APPROVALS).end();

        from(Bus.APPROVAL_REFRESH).routeId("approval-refresh")
                .process(e -> approvals.refresh(e.getMessage().getBody(java.util.UUID.class)));

        // a list of actions → each onto its identity's partition
        if (settings.kafkaBus() != null) {
            kafkaBus(settings.kafkaBus());
        } else {
            from(Bus.DISPATCH).routeId("route-actions")
                    .split(body())
                        .process(this::choosePartition).toD("${header.irhubPartition}")
                    .end();
        }


        from(Bus.AUDIT).routeId("audit")
                .process(e -> audit.append(e.getProperty(Bus.AUDIT_EVENT, io.irhub.connector.api.AuditEvent.class)));

        from("timer:irhub-audit-chain?period=" + settings.chainEvery().toMillis()).routeId("audit-chain")
                .process(e -> audit.chainAll());

        // At start-up: work a crash left behind, including actions whose target call may have been cut off
        // (they are resumed; connectors read the target's state before writing, so the change happens once).
        from("timer:irhub-recover?repeatCount=1&delay=-1").routeId("recover").routeConfigurationId("pipeline")
                .process(e -> e.getMessage().setBody(store.unplannedSignals(clock.instant())))
                .split(body()).to(Bus.SIGNALS).end()
                .process(e -> e.getMessage().setBody(store.unfinishedActions(clock.instant())))
                .setHeader(Bus.RESUME, constant(true))
                .to(Bus.DISPATCH);

        // Periodically: messages lost while the store was away. Only pending work, never in-flight actions.
        from("timer:irhub-sweep?period=" + settings.sweepEvery().toMillis() + "&delay=" + settings.sweepEvery().toMillis())
                .routeId("sweep").routeConfigurationId("pipeline")
                .process(e -> e.getMessage().setBody(store.unplannedSignals(clock.instant().minus(settings.sweepEvery()))))
                .split(body()).to(Bus.SIGNALS).end()
                .process(e -> e.getMessage().setBody(store.unfinishedActions(clock.instant().minus(settings.sweepEvery()))))
                .to(Bus.DISPATCH);

        // Targets whose circuit held actions back and now lets calls through: their pending actions, oldest first.
        from("timer:irhub-circuit-retry?period=1000").routeId("circuit-retry").routeConfigurationId("pipeline")
                .process(e -> e.getMessage().setBody(dispatch.breakers().readyToRetry().stream()
                        .flatMap(t -> store.pendingActions(t).stream()).toList()))
                .to(Bus.DISPATCH);

        // Suspensions whose expiry passed unconfirmed are restored; driven by the store, so it survives restarts.
        from("timer:irhub-expiry?period=" + settings.expiryEvery().toMillis()).routeId("expiry").routeConfigurationId("pipeline")
                .process(e -> e.getMessage().setBody(restores.expire()))
                .to(Bus.DISPATCH);
    }

    /** With the Kafka bus, publish the delivery's signals (acks=all) before the source gets its 2xx. */
    private void queue(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<Map<String, String>> records = exchange.getProperty("irhubToQueue", List.class);
        if (records == null || records.isEmpty()) {
            return;
        }
        for (Map<String, String> r : records) {
            try {
                producer(exchange).to("kafka:" + settings.kafkaBus().signalsTopic())
                        .withHeader(org.apache.camel.component.kafka.KafkaConstants.KEY, r.get("key"))
                        .withBody(r.get("value")).request();
            } catch (org.apache.camel.CamelExecutionException e) {
                // nothing was acknowledged by Kafka: the source gets a 503 and sends again
                throw new io.irhub.routes.store.StoreException("the signal bus (Kafka) did not acknowledge the signal");
            }
        }
    }

    private volatile org.apache.camel.FluentProducerTemplate producer;

    private org.apache.camel.FluentProducerTemplate producer(Exchange exchange) {
        if (producer == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = exchange.getContext().createFluentProducerTemplate();
                }
            }
        }
        return producer;
    }

    private void kafkaBus(KafkaBus bus) {
        String consumer = "?autoCommitEnable=false&allowManualCommit=true&breakOnFirstError=true&autoOffsetReset=earliest";
        from(Bus.DISPATCH).routeId("route-actions")
                .split(body())
                    .process(e -> {
                        DispatchOrder order = e.getMessage().getBody(DispatchOrder.class);
                        e.getMessage().setHeader(org.apache.camel.component.kafka.KafkaConstants.KEY, order.identityKey());
                        e.getMessage().setBody(BusJson.order(order));
                    })
                    .to("kafka:" + bus.actionsTopic())
                .end();

        from("timer:irhub-audit-feed?period=" + settings.chainEvery().toMillis()).routeId("audit-feed")
                .routeConfigurationId("pipeline")
                .process(e -> publishAudit(e, bus));

        // accepted signals: stored (dedupe), planned, their actions published; then the offset is committed
        from("kafka:" + bus.signalsTopic() + consumer + "&groupId=irhub-planner")
                .routeId("bus-signals").errorHandler(noErrorHandler())
                .process(e -> {
                    io.irhub.connector.api.Signal signal;
                    try {
                        signal = BusJson.signal(e.getMessage().getBody(String.class));
                    } catch (IllegalArgumentException bad) {
                        log.error("skipping a record on {} that is not a signal: {}", bus.signalsTopic(), bad.getMessage());
                        e.getMessage().setBody(List.of());
                        return;
                    }
                    Accepted a = store.accept(signal);
                    intake.metrics().signal(signal.sourceInstance(), a.duplicate() ? "duplicate" : "accepted");
                    planned(e, plan.plan(a.correlationId()));
                })
                .to(Bus.DISPATCH)
                .filter(header("irhubApprovalPlan").isNotNull())
                    .setBody(header("irhubApprovalPlan"))
                    .to(Bus.APPROVALS)
                .end()
                .process(PipelineRoutes::commit);

        // dispatch orders: one identity's in order, one partition's at a time; committed once the outcome is recorded.
        // A redelivered order (the replica that had it died) resumes an action left in flight: targets read first.
        from("kafka:" + bus.actionsTopic() + consumer + "&groupId=irhub-dispatch")
                .routeId("bus-actions").errorHandler(noErrorHandler())
                .process(e -> {
                    DispatchOrder order;
                    try {
                        order = BusJson.order(e.getMessage().getBody(String.class));
                    } catch (IllegalArgumentException bad) {
                        log.error("skipping a record on {} that is not a dispatch order: {}", bus.actionsTopic(), bad.getMessage());
                        e.getMessage().setBody(null);
                        return;
                    }
                    DispatchStep.Executed executed = dispatch.execute(order, true);
                    e.getMessage().setBody(dispatch.record(executed) ? executed.request().correlationId() : null);
                })
                .filter(body().isNotNull())
                    .to(Bus.APPROVAL_REFRESH)
                .end()
                .process(PipelineRoutes::commit);
    }

    /** The audit feed: chained rows, in chain order, on one partition, for a SIEM. */
    private void publishAudit(Exchange e, KafkaBus bus) {
        var producer = producer(e);
        while (audit.publishPending(500, row -> producer.to("kafka:" + bus.auditTopic())
                .withHeader(org.apache.camel.component.kafka.KafkaConstants.KEY, "irhub-audit-chain")
                .withBody(row).request()) > 0) {
            // keep going while there is a backlog
        }
    }

    private static void commit(Exchange e) {
        e.getIn().getHeader(org.apache.camel.component.kafka.KafkaConstants.MANUAL_COMMIT,
                org.apache.camel.component.kafka.consumer.KafkaManualCommit.class).commit();
    }

    /** Finds the channel whose signature the click carries; nothing else is read from an unauthenticated click. */
    private void interaction(Exchange exchange) throws IntakeRefusal {
        var message = exchange.getMessage();
        Map<String, String> headers = new LinkedHashMap<>();
        message.getHeaders().forEach((k, v) -> {
            if (v instanceof String s && !k.startsWith("Camel") && !k.equals("payload")) {
                headers.put(k, s);
            }
        });
        Object raw = message.getBody();
        byte[] body = raw instanceof io.vertx.core.http.HttpServerRequest request
                ? RawBody.read(request, MAX_INTERACTION_BYTES) : message.getBody(byte[].class);
        if (body == null) {
            throw new IntakeRefusal(413, "slack-interactions", "an interaction body is at most " + MAX_INTERACTION_BYTES + " bytes");
        }
        io.irhub.connector.api.InboundRequest request = new io.irhub.connector.api.InboundRequest(null, headers, body);
        String problem = "no approval channel is configured";
        for (Map.Entry<String, io.irhub.connector.api.ApprovalChannel> c : approvals.channels().entrySet()) {
            try {
                io.irhub.connector.api.Interaction click = c.getValue().interaction(request);
                exchange.setProperty("irhubChannel", c.getKey());
                message.setBody(click);
                return;
            } catch (io.irhub.connector.api.InvalidPayloadException e) {
                problem = e.getMessage();
            }
        }
        throw new IntakeRefusal(401, "slack-interactions", problem);
    }

    private void choosePartition(Exchange exchange) {
        DispatchOrder order = exchange.getMessage().getBody(DispatchOrder.class);
        exchange.getMessage().setHeader("irhubPartition",
                Bus.partition(Bus.partitionOf(order.identityKey(), settings.partitions())));
    }

    /** A plan's actions to dispatch become the body; the approval to post and the actions claimed with it, beside. */
    private static void planned(Exchange e, PipelineStore.PlanResult r) {
        e.getMessage().setHeader("irhubApprovalPlan", r.approvalToPost() ? r.planId() : null);
        e.setProperty("irhubClaimed", r.claimed());
        e.getMessage().setBody(r.toDispatch());
    }

    /** Records an action's outcome; the body becomes the correlation id whose approval message to refresh, or null. */
    private void record(Exchange e) {
        DispatchStep.Executed executed = e.getMessage().getBody(DispatchStep.Executed.class);
        e.getMessage().setBody(dispatch.record(executed) ? executed.request().correlationId() : null);
    }

    /**
     * What partition {@code p}'s planner carries out itself: actions of identities on its own partition, to targets
     * whose circuit is closed; only on the in-process bus (on Kafka, dispatch orders travel on the actions topic).
     */
    private PipelineStore.ClaimNow claimNow(int p) {
        if (settings.kafkaBus() != null) {
            return PipelineStore.ClaimNow.NONE;
        }
        return (identityKey, target) -> Bus.partitionOf(identityKey, settings.partitions()) == p
                && dispatch.mayCarryOutAtOnce(target);
    }

    private void receive(Exchange exchange) throws IntakeRefusal {
        var message = exchange.getMessage();
        String instance = exchange.getProperty("irhubInstance", String.class);
        String token = message.getHeader("token", String.class);
        Map<String, String> headers = new LinkedHashMap<>();
        message.getHeaders().forEach((k, v) -> {
            if (v instanceof String s && !k.startsWith("Camel") && !k.equals("token")) {
                headers.put(k, s);
            }
        });
        byte[] body = message.getBody(byte[].class);
        if (settings.kafkaBus() != null) {
            // durable once Kafka (acks=all) has it; stored, deduplicated and planned by whichever replica consumes it
            List<io.irhub.connector.api.Signal> signals = intake.parse(instance, token, headers, body == null ? new byte[0] : body);
            exchange.setProperty("irhubQueued", signals.size());
            exchange.setProperty("irhubToPlan", List.of());
            exchange.setProperty("irhubToQueue", signals.stream()
                    .map(s -> Map.of("key", BusJson.key(s), "value", BusJson.signal(s))).toList());
            message.removeHeaders("*");
            return;
        }
        List<Accepted> accepted = intake.receive(instance, token, headers, body == null ? new byte[0] : body);

        exchange.setProperty("irhubAccepted", accepted);
        exchange.setProperty("irhubToQueue", List.of());
        exchange.setProperty("irhubToPlan", accepted.stream().filter(a -> !a.duplicate()).toList());
        // the path token and the request headers must not travel further (responses echo headers)
        message.removeHeaders("*");
    }

    @SuppressWarnings("unchecked")
    private static void respond(Exchange exchange) {
        var message = exchange.getMessage();
        Integer queued = exchange.getProperty("irhubQueued", Integer.class);
        if (queued != null) {
            message.removeHeaders("*");
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
            message.setHeader(Exchange.CONTENT_TYPE, "application/json");
            message.setBody(Json.write(Map.of("status", "accepted", "queued", queued)));
            return;
        }
        List<Accepted> accepted = exchange.getProperty("irhubAccepted", List.class);
        List<String> fresh = accepted.stream().filter(a -> !a.duplicate()).map(a -> a.correlationId().toString()).toList();
        List<String> duplicates = accepted.stream().filter(Accepted::duplicate).map(a -> a.correlationId().toString()).toList();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, fresh.isEmpty() ? 200 : 202);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("status", fresh.isEmpty() ? "duplicate" : "accepted");
        response.put("accepted", fresh);
        response.put("duplicates", duplicates);
        message.setBody(Json.write(response));
    }
}
