package io.irhub.runtime;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.irhub.connector.api.ConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code irhub.yaml}, as written (kebab-case keys). Every section is optional: with none, the hub runs on its
 * embedded defaults (embedded PostgreSQL under {@code ./data/postgres}, in-process bus, ports 8080 and 9876).
 */
public record IrhubConfig(Server server, Management management, Store store, Pipeline pipeline, Api api, Kafka kafka,
                          List<Instance> sources, List<Instance> targets, List<Instance> approvalChannels,
                          List<String> policyFiles, JsonNode policies, JsonNode guards, JsonNode approval) {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Webhook and API listener. */
    public record Server(String host, Integer port, Long maxBodyBytes) {
    }

    /** Health ({@code /observe/health}) and Prometheus metrics ({@code /observe/metrics}). */
    public record Management(String host, Integer port) {
    }

    /**
     * The audit store. Without {@code jdbc-url} an embedded PostgreSQL keeps its data under {@code embedded.data-dir}.
     * {@code password} is a secret reference ({@code ${env:NAME}} or {@code ${file:/path}}).
     */
    public record Store(String jdbcUrl, String username, String password, Integer poolSize, Embedded embedded) {
    }

    public record Embedded(String dataDir, Integer port) {
    }

    /**
     * @param bus          {@code in-process} (default, one hub) or {@code kafka} (several replicas share the work)
     * @param topics       the Kafka bus's topics (defaults {@code irhub-signals}, {@code irhub-actions}, {@code irhub-audit})
     * @param createTopics create missing topics at start-up with {@code partitions} partitions (default true)
     * @param circuitBreaker when a target's actions wait instead of failing one after another
     */
    public record Pipeline(Integer partitions, String sweepEvery, String expiryCheckEvery, String bus, Topics topics,
                           Boolean createTopics, CircuitBreaker circuitBreaker) {
    }

    /**
     * Per target: open when {@code failureRate} percent of the last {@code window} calls (at least
     * {@code minimumCalls}) failed; while open (for {@code openFor}) the target's actions wait, pending.
     */
    public record CircuitBreaker(Integer failureRate, Integer window, Integer minimumCalls, String openFor) {
    }

    /** @param audit every chained audit row, in chain order (one partition), for a SIEM */
    public record Topics(String signals, String actions, String audit) {
    }

    /** Bearer tokens for {@code /api}, each naming its holder; without any, the API answers 401. */
    public record Api(List<ApiToken> tokens) {
    }

    /**
     * @param token a secret reference
     * @param role  viewer (default), operator or admin
     */
    public record ApiToken(String name, String token, String role) {
    }

    /**
     * A configured source, target or approval channel instance: its name, its connector type and that connector's
     * fields. A source may also consume a Kafka topic in its own format ({@code kafka}).
     */
    public record Instance(String name, String type, Map<String, Object> config, InstanceKafka kafka) {
    }

    /** A source instance's topic, consumer group (default {@code irhub-<name>}) and dead-letter topic. */
    public record InstanceKafka(String topic, String groupId, String deadLetterTopic) {
    }

    /**
     * The Kafka cluster. Passwords are secret references. {@code security-protocol} PLAINTEXT, SSL, SASL_PLAINTEXT or
     * SASL_SSL; {@code sasl-mechanism} SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN.
     */
    public record Kafka(String bootstrapServers, String clientId, String securityProtocol, String saslMechanism,
                        String saslUsername, String saslPassword, String sslTruststoreLocation,
                        String sslTruststorePassword, String sslKeystoreLocation, String sslKeystorePassword) {
    }

    public static IrhubConfig empty() {
        return new IrhubConfig(null, null, null, null, null, null, List.of(), List.of(), List.of(), List.of(), null, null, null);
    }

    public static IrhubConfig read(Path file) {
        try {
            IrhubConfig c = YAML.readValue(Files.readString(file), IrhubConfig.class);
            return c == null ? empty() : c;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(file.toString(), e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot read: " + e.getMessage());
        }
    }

    public List<Instance> sourceList() {
        return sources == null ? List.of() : sources;
    }

    public List<Instance> targetList() {
        return targets == null ? List.of() : targets;
    }

    public List<Instance> approvalChannelList() {
        return approvalChannels == null ? List.of() : approvalChannels;
    }

    public List<String> policyFileList() {
        return policyFiles == null ? List.of() : policyFiles;
    }
}
