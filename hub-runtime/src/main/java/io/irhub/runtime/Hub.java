package io.irhub.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import io.irhub.connector.api.ApprovalChannel;
import io.irhub.connector.api.ApprovalConnector;
import io.irhub.connector.api.Capability;
import io.irhub.connector.api.ConfigError;
import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Connectors;
import io.irhub.connector.api.SecretResolver;
import io.irhub.connector.api.Source;
import io.irhub.connector.api.SourceConnector;
import io.irhub.connector.api.Target;
import io.irhub.connector.api.TargetConnector;
import io.irhub.connector.api.Verb;
import io.irhub.routes.ApiAuth;
import io.irhub.routes.Approvals;
import io.irhub.routes.ApiRoutes;
import io.irhub.routes.TargetBreakers;
import io.irhub.routes.DispatchStep;
import io.irhub.routes.Restores;
import io.irhub.routes.HubState;
import io.irhub.routes.Incidents;
import io.irhub.routes.Intake;
import io.irhub.routes.Metrics;
import io.irhub.routes.KafkaSources;
import io.irhub.routes.PipelineErrorHandling;
import io.irhub.routes.PipelineRoutes;
import io.irhub.routes.PlanStep;
import io.irhub.routes.policy.Planner;
import io.irhub.routes.policy.PolicyFile;
import io.irhub.routes.policy.PolicySet;
import io.irhub.routes.store.AuditLog;
import io.irhub.routes.store.Database;
import io.irhub.routes.store.PipelineStore;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.main.BaseMainSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Assembles the hub from its configuration: connectors found on the classpath, one instance per configured
 * source and target, the store (external or embedded), the policies, and Camel Main serving it all.
 */
public final class Hub {
    private static final Logger LOG = LoggerFactory.getLogger(Hub.class);

    private final IrhubConfig config;
    private final Path baseDir;
    private final SecretResolver secrets;
    private final Map<String, String> env;
    private final Clock clock = Clock.systemUTC();

    public Hub(IrhubConfig config, Path baseDir, Map<String, String> env) {
        this.config = config;
        this.baseDir = baseDir;
        this.env = env;
        this.secrets = SecretResolver.of(env);
    }

    /** Connector instances opened from the configuration. */
    record Instances(Map<String, Source> sources, Map<String, Target> targets, Map<String, Set<Verb>> capabilities,
                     Map<String, ApprovalChannel> approvalChannels) {
    }

    /**
     * Opens every configured instance, reporting all problems at once, each with its place in the configuration.
     */
    Instances openInstances(Connectors connectors) {
        List<ConfigError> errors = new ArrayList<>();
        Map<String, Source> sources = new LinkedHashMap<>();
        Map<String, Target> targets = new LinkedHashMap<>();
        Map<String, Set<Verb>> capabilities = new LinkedHashMap<>();
        Set<String> names = new java.util.HashSet<>();
        Map<String, ApprovalChannel> approvalChannels = new LinkedHashMap<>();
        List<IrhubConfig.Instance> all = new ArrayList<>(config.sourceList());
        all.addAll(config.targetList());
        all.addAll(config.approvalChannelList());
        int sourceCount = config.sourceList().size();
        int targetEnd = sourceCount + config.targetList().size();
        for (int i = 0; i < all.size(); i++) {
            IrhubConfig.Instance inst = all.get(i);
            boolean isSource = i < sourceCount;
            boolean isApproval = i >= targetEnd;
            String at = isSource ? "sources[" + i + "]" : isApproval ? "approval-channels[" + (i - targetEnd) + "]"
                    : "targets[" + (i - sourceCount) + "]";
            if (inst.name() == null || !inst.name().matches("[a-z0-9][a-z0-9-]*")) {
                errors.add(new ConfigError(at + ".name", "is required: lower-case letters, digits and dashes (it appears in URLs)"));
                continue;
            }
            if (!names.add(inst.name())) {
                errors.add(new ConfigError(at + ".name", "'" + inst.name() + "' is used by another instance"));
                continue;
            }
            try {
                if (isApproval) {
                    ApprovalConnector c = connectors.approval(inst.type());
                    ConnectorConfig cc = c.configDef().parse("approval-channels." + inst.name(), inst.config(), secrets);
                    approvalChannels.put(inst.name(), c.open(inst.name(), cc, ConnectorContext.defaults()));
                } else if (isSource) {
                    SourceConnector c = connectors.source(inst.type());
                    ConnectorConfig cc = c.configDef().parse("sources." + inst.name(), inst.config(), secrets);
                    sources.put(inst.name(), c.open(inst.name(), cc));
                } else {
                    TargetConnector c = connectors.target(inst.type());
                    ConnectorConfig cc = c.configDef().parse("targets." + inst.name(), inst.config(), secrets);
                    targets.put(inst.name(), c.open(inst.name(), cc, ConnectorContext.defaults()));
                    Set<Verb> verbs = EnumSet.noneOf(Verb.class);
                    c.capabilities().stream().map(Capability::verb).forEach(verbs::add);
                    capabilities.put(inst.name(), verbs);
                }
            } catch (ConfigException e) {
                e.errors().forEach(err -> errors.add(new ConfigError(e.scope() + "." + err.field(), err.message())));
            } catch (IllegalArgumentException e) {
                errors.add(new ConfigError(at + ".type", e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException("irhub.yaml", errors);
        }
        return new Instances(sources, targets, capabilities, approvalChannels);
    }

    /** The verbs each configured target can perform, from its connector type alone (no secrets needed). */
    Map<String, Set<Verb>> declaredCapabilities(Connectors connectors) {
        Map<String, Set<Verb>> out = new LinkedHashMap<>();
        List<ConfigError> errors = new ArrayList<>();
        for (int i = 0; i < config.targetList().size(); i++) {
            IrhubConfig.Instance t = config.targetList().get(i);
            try {
                Set<Verb> verbs = EnumSet.noneOf(Verb.class);
                connectors.target(t.type()).capabilities().forEach(c -> verbs.add(c.verb()));
                out.put(t.name(), verbs);
            } catch (IllegalArgumentException e) {
                errors.add(new ConfigError("targets[" + i + "].type", e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException("irhub.yaml", errors);
        }
        return out;
    }

    Set<String> declaredApprovalChannels() {
        Set<String> out = new java.util.LinkedHashSet<>();
        config.approvalChannelList().forEach(a -> out.add(a.name()));
        return out;
    }

    /** The policies from {@code policy-files} and the inline {@code policies}/{@code guards} sections. */
    PolicySet policies(Map<String, Set<Verb>> capabilities) {
        return policies(capabilities, Set.of());
    }

    PolicySet policies(Map<String, Set<Verb>> capabilities, Set<String> approvalChannels) {
        List<PolicyFile.Rule> rules = new ArrayList<>();
        List<PolicyFile.GuardsSpec> guards = new ArrayList<>();
        List<PolicyFile.ApprovalSpec> approvals = new ArrayList<>();
        List<PolicyFile> files = new ArrayList<>();
        for (String f : config.policyFileList()) {
            Path p = baseDir.resolve(f);
            try {
                files.add(PolicySet.read(Files.readString(p), p.toString()));
            } catch (IOException e) {
                throw new ConfigException("policy-files", "cannot read " + p + ": " + e.getMessage());
            }
        }
        if (config.policies() != null || config.guards() != null || config.approval() != null) {
            ObjectNode inline = IrhubConfig.YAML.createObjectNode();
            if (config.approval() != null) {
                inline.set("approval", config.approval());
            }
            if (config.policies() != null) {
                inline.set("policies", config.policies());
            }
            if (config.guards() != null) {
                inline.set("guards", config.guards());
            }
            try {
                files.add(PolicySet.read(IrhubConfig.YAML.writeValueAsString(inline), "irhub.yaml"));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        for (PolicyFile f : files) {
            if (f.policies() != null) {
                rules.addAll(f.policies());
            }
            if (f.guards() != null) {
                guards.add(f.guards());
            }
            if (f.approval() != null) {
                approvals.add(f.approval());
            }
        }
        if (approvals.size() > 1) {
            throw new ConfigException("approval", "the default approval settings are defined in more than one place; keep one");
        }
        if (guards.size() > 1) {
            throw new ConfigException("guards", "guards are defined in more than one place; keep one definition");
        }
        return PolicySet.from(new PolicyFile(rules, guards.isEmpty() ? null : guards.get(0),
                approvals.isEmpty() ? null : approvals.get(0)), capabilities, approvalChannels);
    }

    /** Builds and configures Camel Main; the caller runs it. Resources are released when Main stops. */
    public Main build() {
        Instances instances = openInstances(Connectors.discover());
        PolicySet policies = policies(instances.capabilities(), instances.approvalChannels().keySet());
        ApiAuth apiAuth = apiAuth();

        OpenedStore opened = openStore();
        HikariDataSource dataSource = opened.dataSource();
        Main main = new Main();
        Metrics metrics = new Metrics(() -> main.getCamelContext() == null ? null
                : main.getCamelContext().getRegistry().findSingleByType(io.micrometer.core.instrument.MeterRegistry.class));
        PipelineStore store = new PipelineStore(dataSource, clock);
        AuditLog audit = new AuditLog(dataSource, metrics::chainLag);
        IrhubConfig.Pipeline p = config.pipeline();
        PipelineRoutes.Settings defaults = PipelineRoutes.Settings.defaults();
        PipelineRoutes.Settings settings = new PipelineRoutes.Settings(
                p == null || p.partitions() == null ? defaults.partitions() : p.partitions(),
                p == null || p.sweepEvery() == null ? defaults.sweepEvery()
                        : io.irhub.connector.api.ConfigDef.parseDuration(p.sweepEvery()),
                defaults.chainEvery(),
                p == null || p.expiryCheckEvery() == null ? defaults.expiryEvery()
                        : io.irhub.connector.api.ConfigDef.parseDuration(p.expiryCheckEvery()),
                kafkaBus());
        Restores restores = new Restores(dataSource, instances.capabilities(), clock);
        TargetBreakers breakers = new TargetBreakers(circuitSettings(p == null ? null : p.circuitBreaker()),
                audit::append, metrics, clock);

        main.configure().withName("irhub");
        main.configure().addRoutesBuilder(new PipelineErrorHandling(clock, metrics));
        HubState hubState = new HubState(dataSource, clock);
        Planner planner = new Planner(policies, clock);
        Approvals approvals = new Approvals(dataSource, instances.approvalChannels(), clock, metrics);
        Map<String, io.irhub.connector.api.Poller> pollers = new LinkedHashMap<>();
        instances.sources().forEach((name, source) -> source.poller().ifPresent(poller -> pollers.put(name, poller)));
        main.configure().addRoutesBuilder(new PipelineRoutes(instances.sources().keySet(), pollers,
                new io.irhub.routes.Polling(dataSource, store, clock),
                new Intake(instances.sources(), store, metrics), new PlanStep(store, planner, metrics),
                new DispatchStep(instances.targets(), store, hubState, metrics, breakers), store, restores, approvals, audit, settings, clock));
        main.configure().addRoutesBuilder(new ApiRoutes(apiAuth, restores, approvals, new Incidents(dataSource), hubState,
                planner, store, dataSource, clock));
        List<KafkaSources.Subscription> subscriptions = kafkaSubscriptions(instances);
        if (!subscriptions.isEmpty() || settings.kafkaBus() != null) {
            main.bind("kafka", kafkaComponent());
        }
        if (!subscriptions.isEmpty()) {
            main.configure().addRoutesBuilder(new KafkaSources(subscriptions, store, audit, clock));
        }
        if (settings.kafkaBus() != null && (p.createTopics() == null || p.createTopics())) {
            createTopics(settings.kafkaBus(), settings.partitions());
        }
        IrhubConfig.Server server = config.server();
        main.configure().httpServer().withEnabled(true)
                .withHost(server == null || server.host() == null ? "0.0.0.0" : server.host())
                .withPort(server == null || server.port() == null ? 8080 : server.port())
                // a hard cap for any request; each source instance enforces its own, smaller limit with a 413
                .withMaxBodySize(server == null || server.maxBodyBytes() == null ? 16L * 1024 * 1024 : server.maxBodyBytes());
        IrhubConfig.Management management = config.management();
        main.configure().httpManagementServer().withEnabled(true)
                .withHost(management == null || management.host() == null ? "0.0.0.0" : management.host())
                .withPort(management == null || management.port() == null ? 9876 : management.port())
                .withHealthCheckEnabled(true)
                .withMetricsEnabled(true)
                .withInfoEnabled(true);
        // Route timers and the JVM's metrics; not the per-exchange event notifier, which searched the meter registry on
        // every exchange (14 % of the hub's CPU in bench/). Set as properties: the management server's metrics set-up
        // reads camel.metrics.* and ignores the fluent configuration and initial properties.
        main.addOverrideProperty("camel.metrics.enabled", "true");
        main.addOverrideProperty("camel.metrics.enableRoutePolicy", "true");
        main.addOverrideProperty("camel.metrics.enableExchangeEventNotifier", "false");
        main.addOverrideProperty("camel.metrics.binders", "jvm-memory,jvm-gc,jvm-thread,processor");

        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                m.getCamelContext().getCamelContextExtension()
                        .getContextPlugin(org.apache.camel.health.HealthCheckRegistry.class)
                        .register(new StoreHealthCheck(dataSource));
            }

            @Override
            public void afterStop(BaseMainSupport m) {
                instances.targets().values().forEach(Target::close);
                opened.close();
            }
        });
        LOG.info("irhub {}: sources {}, targets {}, {} policies, store {}", Connectors.version(),
                instances.sources().keySet(), instances.targets().keySet(), policies.policies().size(),
                opened.description());
        if (instances.sources().isEmpty()) {
            LOG.warn("no source instances configured: nothing will be received (see README, 'Configuration')");
        }
        return main;
    }

    /** The source instances that also consume a Kafka topic. */
    List<KafkaSources.Subscription> kafkaSubscriptions(Instances instances) {
        List<KafkaSources.Subscription> out = new ArrayList<>();
        List<ConfigError> errors = new ArrayList<>();
        for (int i = 0; i < config.sourceList().size(); i++) {
            IrhubConfig.Instance inst = config.sourceList().get(i);
            IrhubConfig.InstanceKafka k = inst.kafka();
            if (k == null) {
                continue;
            }
            if (k.topic() == null || k.topic().isBlank()) {
                errors.add(new ConfigError("sources[" + i + "].kafka.topic", "is required"));
            }
            if (k.deadLetterTopic() == null || k.deadLetterTopic().isBlank()) {
                errors.add(new ConfigError("sources[" + i + "].kafka.dead-letter-topic",
                        "is required: a record that is not the source's format goes there"));
            }
            if (config.kafka() == null || config.kafka().bootstrapServers() == null) {
                errors.add(new ConfigError("kafka.bootstrap-servers", "is required when a source consumes a topic"));
            }
            out.add(new KafkaSources.Subscription(inst.name(), instances.sources().get(inst.name()), k.topic(),
                    k.groupId() == null ? "irhub-" + inst.name() : k.groupId(), k.deadLetterTopic()));
        }
        if (!errors.isEmpty()) {
            throw new ConfigException("irhub.yaml", errors);
        }
        return out;
    }

    /** The Kafka bus's topics when {@code pipeline.bus} is {@code kafka}, else {@code null} (in-process). */
    PipelineRoutes.KafkaBus kafkaBus() {
        IrhubConfig.Pipeline p = config.pipeline();
        String bus = p == null || p.bus() == null ? "in-process" : p.bus();
        switch (bus) {
            case "in-process":
                return null;
            case "kafka":
                if (config.kafka() == null || config.kafka().bootstrapServers() == null) {
                    throw new ConfigException("irhub.yaml", List.of(new ConfigError("kafka.bootstrap-servers",
                            "is required with pipeline.bus: kafka")));
                }
                IrhubConfig.Topics t = p.topics();
                return new PipelineRoutes.KafkaBus(t == null || t.signals() == null ? "irhub-signals" : t.signals(),
                        t == null || t.actions() == null ? "irhub-actions" : t.actions(),
                        t == null || t.audit() == null ? "irhub-audit" : t.audit());
            default:
                throw new ConfigException("irhub.yaml", List.of(new ConfigError("pipeline.bus",
                        "'" + bus + "' is neither in-process nor kafka")));
        }
    }

    /** Creates the bus's topics if they are missing (replication: the cluster's default). */
    static TargetBreakers.Settings circuitSettings(IrhubConfig.CircuitBreaker c) {
        TargetBreakers.Settings d = TargetBreakers.Settings.defaults();
        if (c == null) {
            return d;
        }
        try {
            return new TargetBreakers.Settings(c.failureRate() == null ? d.failureRatePercent() : c.failureRate(),
                    c.window() == null ? d.window() : c.window(),
                    c.minimumCalls() == null ? Math.min(d.minimumCalls(), c.window() == null ? d.window() : c.window())
                            : c.minimumCalls(),
                    c.openFor() == null ? d.openFor() : io.irhub.connector.api.ConfigDef.parseDuration(c.openFor()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("pipeline.circuit-breaker", e.getMessage());
        }
    }

    void createTopics(PipelineRoutes.KafkaBus bus, int partitions) {
        Map<String, Object> admin = new LinkedHashMap<>();
        org.apache.camel.component.kafka.KafkaConfiguration c = kafkaComponent().getConfiguration();
        admin.put("bootstrap.servers", c.getBrokers());
        if (c.getSecurityProtocol() != null) {
            admin.put("security.protocol", c.getSecurityProtocol());
        }
        if (c.getSaslMechanism() != null) {
            admin.put("sasl.mechanism", c.getSaslMechanism());
            admin.put("sasl.jaas.config", c.getSaslJaasConfig());
        }
        if (c.getSslTruststoreLocation() != null) {
            admin.put("ssl.truststore.location", c.getSslTruststoreLocation());
            admin.put("ssl.truststore.password", c.getSslTruststorePassword());
        }
        if (c.getSslKeystoreLocation() != null) {
            admin.put("ssl.keystore.location", c.getSslKeystoreLocation());
            admin.put("ssl.keystore.password", c.getSslKeystorePassword());
        }
        try (org.apache.kafka.clients.admin.Admin a = org.apache.kafka.clients.admin.Admin.create(admin)) {
            Set<String> existing = a.listTopics().names().get(30, java.util.concurrent.TimeUnit.SECONDS);
            List<org.apache.kafka.clients.admin.NewTopic> missing = new ArrayList<>();
            for (String topic : List.of(bus.signalsTopic(), bus.actionsTopic(), bus.auditTopic())) {
                if (!existing.contains(topic)) {
                    // the audit feed keeps chain order: one partition
                    missing.add(new org.apache.kafka.clients.admin.NewTopic(topic,
                            java.util.Optional.of(topic.equals(bus.auditTopic()) ? 1 : partitions), java.util.Optional.empty()));
                }
            }
            if (!missing.isEmpty()) {
                a.createTopics(missing).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
                LOG.info("created bus topics {} with {} partitions", missing.stream().map(org.apache.kafka.clients.admin.NewTopic::name).toList(), partitions);
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw new IllegalStateException("cannot create the bus topics: " + e.getCause().getMessage(), e);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within 30 s at " + c.getBrokers(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The camel-kafka component, configured here so that no password ever appears in an endpoint URI. */
    org.apache.camel.component.kafka.KafkaComponent kafkaComponent() {
        IrhubConfig.Kafka k = config.kafka();
        org.apache.camel.component.kafka.KafkaConfiguration c = new org.apache.camel.component.kafka.KafkaConfiguration();
        c.setBrokers(k.bootstrapServers());
        c.setClientId(k.clientId() == null ? "irhub" : k.clientId());
        // the bus and the dead-letter topics need every write acknowledged by all in-sync replicas, once
        c.setRequestRequiredAcks("all");
        c.setEnableIdempotence(true);
        if (k.securityProtocol() != null) {
            c.setSecurityProtocol(k.securityProtocol());
        }
        if (k.saslMechanism() != null) {
            c.setSaslMechanism(k.saslMechanism());
            String module = k.saslMechanism().startsWith("SCRAM")
                    ? "org.apache.kafka.common.security.scram.ScramLoginModule"
                    : "org.apache.kafka.common.security.plain.PlainLoginModule";
            String password = resolve("kafka.sasl-password", k.saslPassword());
            c.setSaslJaasConfig(module + " required username=\"" + k.saslUsername() + "\" password=\"" + password + "\";");
        }
        if (k.sslTruststoreLocation() != null) {
            c.setSslTruststoreLocation(k.sslTruststoreLocation());
            c.setSslTruststorePassword(resolve("kafka.ssl-truststore-password", k.sslTruststorePassword()));
        }
        if (k.sslKeystoreLocation() != null) {
            c.setSslKeystoreLocation(k.sslKeystoreLocation());
            c.setSslKeystorePassword(resolve("kafka.ssl-keystore-password", k.sslKeystorePassword()));
        }
        org.apache.camel.component.kafka.KafkaComponent component = new org.apache.camel.component.kafka.KafkaComponent();
        component.setConfiguration(c);
        return component;
    }

    private String resolve(String field, String reference) {
        if (reference == null) {
            return null;
        }
        try {
            return secrets.resolve(reference).reveal();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("irhub.yaml", List.of(new ConfigError(field, e.getMessage())));
        }
    }

    /** The API's bearer tokens, resolved from their references. */
    ApiAuth apiAuth() {
        Map<String, ApiAuth.Token> tokens = new LinkedHashMap<>();
        List<ConfigError> errors = new ArrayList<>();
        List<IrhubConfig.ApiToken> list = config.api() == null || config.api().tokens() == null ? List.of() : config.api().tokens();
        for (int i = 0; i < list.size(); i++) {
            IrhubConfig.ApiToken t = list.get(i);
            if (t.name() == null || t.name().isBlank() || tokens.containsKey(t.name())) {
                errors.add(new ConfigError("api.tokens[" + i + "].name", "is required and unique (it names the caller in the audit trail)"));
                continue;
            }
            ApiAuth.Role role = ApiAuth.Role.VIEWER;
            if (t.role() != null) {
                try {
                    role = ApiAuth.Role.fromWire(t.role());
                } catch (IllegalArgumentException e) {
                    errors.add(new ConfigError("api.tokens[" + i + "].role", e.getMessage()));
                }
            }
            try {
                tokens.put(t.name(), new ApiAuth.Token(secrets.resolve(t.token()), role));
            } catch (IllegalArgumentException e) {
                errors.add(new ConfigError("api.tokens[" + i + "].token", e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException("irhub.yaml", errors);
        }
        return new ApiAuth(tokens);
    }

    /** The store's pool, and the embedded server behind it when there is one. */
    record OpenedStore(HikariDataSource dataSource, EmbeddedStore embedded, String description) implements AutoCloseable {
        @Override
        public void close() {
            dataSource.close();
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** Opens (and migrates) the configured store, or starts the embedded one when no JDBC URL is given. */
    OpenedStore openStore() {
        IrhubConfig.Store storeConfig = config.store() == null
                ? new IrhubConfig.Store(null, null, null, null, null) : config.store();
        String jdbcUrl = env.getOrDefault("IRHUB_STORE_JDBC_URL", storeConfig.jdbcUrl());
        String username = env.getOrDefault("IRHUB_STORE_USERNAME", storeConfig.username());
        String passwordRef = env.containsKey("IRHUB_STORE_PASSWORD") ? "${env:IRHUB_STORE_PASSWORD}" : storeConfig.password();
        String password = null;
        if (passwordRef != null) {
            try {
                password = secrets.resolve(passwordRef).reveal();
            } catch (IllegalArgumentException e) {
                throw new ConfigException("store", List.of(new ConfigError("password", e.getMessage())));
            }
        }
        EmbeddedStore embedded = null;
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            IrhubConfig.Embedded e = storeConfig.embedded();
            Path dataDir = baseDir.resolve(e == null || e.dataDir() == null ? "data/postgres" : e.dataDir());
            embedded = EmbeddedStore.start(dataDir, e == null || e.port() == null ? 0 : e.port());
            jdbcUrl = embedded.jdbcUrl();
            username = "postgres";
        }
        try {
            return new OpenedStore(Database.open(jdbcUrl, username, password,
                    storeConfig.poolSize() == null ? 10 : storeConfig.poolSize()),
                    embedded, embedded != null ? "embedded" : redactUrl(jdbcUrl));
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
    }

    /** JDBC URLs may carry a password parameter; keep only host, port and database. */
    static String redactUrl(String jdbcUrl) {
        int q = jdbcUrl.indexOf('?');
        return q < 0 ? jdbcUrl : jdbcUrl.substring(0, q) + "?…";
    }

    static String describe(ConfigException e) {
        return e.errors().stream().map(err -> "  " + err.field() + ": " + err.message()).collect(Collectors.joining("\n"));
    }
}
