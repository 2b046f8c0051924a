package io.irhub.kamelets;

import com.fasterxml.jackson.databind.JsonNode;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Connectors;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.Target;
import io.irhub.connector.api.TargetConnector;
import io.irhub.connector.api.Verb;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The bean behind every target action Kamelet: one verb of one target connector on the identity each exchange names.
 *
 * <p>The connector is found by id through {@link Connectors#discover}, its configuration is the Kamelet's properties
 * ({@link #getConfig()}, validated by the connector's own {@code ConfigDef}), and the target is opened once, when the
 * Kamelet's route starts, so a misconfigured Kamelet fails at start-up with every problem listed per property.
 *
 * <p>In: the identity as the header {@value #IDENTITY} or the body: a JSON object
 * {@code {"kind": "user", "login": "…", "email": "…", "external_id": "…"}} as text or as a map (kind defaults to the
 * Kamelet's first identity kind), or plain text taken as the login. Optional headers {@value #CORRELATION_ID} (a UUID) and
 * {@value #IDEMPOTENCY_KEY}. Out: the outcome as JSON
 * ({@code status, verb, target, identity, target_ref, message, details, action_id, correlation_id}) and the header
 * {@value #OUTCOME_STATUS}. A vendor's refusal or failure is an outcome, not an exception, as in the hub; an identity
 * the Kamelet cannot act on is an {@link IllegalArgumentException}, before the vendor is called.
 */
public final class TargetAction implements Processor {
    public static final String IDENTITY = "irhubIdentity";
    public static final String CORRELATION_ID = "irhubCorrelationId";
    public static final String IDEMPOTENCY_KEY = "irhubIdempotencyKey";
    public static final String OUTCOME_STATUS = "irhubOutcomeStatus";

    private final Map<String, Object> config = new LinkedHashMap<>();
    private String kamelet;
    private String connector;
    private Verb verb;
    private List<IdentityKind> identityKinds = List.of(IdentityKind.USER);
    private volatile Target target;

    /** The Kamelet's name: names it in configuration errors and is the target instance in outcomes. */
    public void setKamelet(String kamelet) {
        this.kamelet = kamelet;
    }

    /** The target connector's id ({@code okta}). */
    public void setConnector(String connector) {
        this.connector = connector;
    }

    /** The verb's wire name ({@code clear-sessions}). */
    public void setVerb(String verb) {
        this.verb = Verb.fromWire(verb);
    }

    /** Comma-separated identity kinds this Kamelet acts on; the first is the default. */
    public void setIdentityKinds(String kinds) {
        this.identityKinds = Arrays.stream(kinds.split(",")).map(String::trim).filter(k -> !k.isEmpty())
                .map(IdentityKind::fromWire).toList();
    }

    /** The connector's configuration, keyed by Kamelet property name (camelCase); filled by the Kamelet template. */
    public Map<String, Object> getConfig() {
        return config;
    }

    /**
     * Opens the target.
     *
     * @throws io.irhub.connector.api.ConfigException listing every property that is missing or unusable
     * @throws IllegalArgumentException when no connector with that id is on the classpath, or it cannot do the verb
     */
    public void start() {
        TargetConnector found = Connectors.discover(TargetAction.class.getClassLoader()).target(connector);
        if (found.capabilities().stream().noneMatch(c -> c.verb() == verb)) {
            throw new IllegalArgumentException(kamelet + ": the " + connector + " connector cannot " + verb.wireName());
        }
        if (identityKinds.isEmpty()) {
            throw new IllegalArgumentException(kamelet + ": identityKinds names no kind");
        }
        ConnectorConfig parsed = ConnectorSettings.parse(found.configDef(), kamelet, config);
        target = found.open(kamelet, parsed, ConnectorContext.defaults());
    }

    public void stop() {
        Target open = target;
        target = null;
        if (open != null) {
            open.close();
        }
    }

    @Override
    public void process(Exchange exchange) {
        Target open = target;
        if (open == null) {
            throw new IllegalStateException(kamelet + " is not started");
        }
        Message message = exchange.getMessage();
        Identity identity = identity(message);
        UUID actionId = UUID.randomUUID();
        String idempotencyKey = message.getHeader(IDEMPOTENCY_KEY, String.class);
        ActionRequest request = new ActionRequest(actionId, correlationId(message), verb, kamelet, identity,
                idempotencyKey == null || idempotencyKey.isBlank() ? actionId.toString() : idempotencyKey, null);
        ActionOutcome outcome = open.execute(request);
        message.removeHeader(IDENTITY);
        message.setHeader(OUTCOME_STATUS, Wire.status(outcome.status()));
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(Wire.write(Wire.outcome(request, outcome)));
    }

    private Identity identity(Message message) {
        Object header = message.getHeader(IDENTITY);
        Object given = header != null ? header : message.getBody();
        Identity identity;
        if (given instanceof Identity i) {
            identity = i;
        } else if (given instanceof Map<?, ?> map) {
            // what a JSONPath split of a signal's identities hands over
            identity = Wire.identity(Wire.tree(map), identityKinds.get(0));
        } else {
            String text = header != null ? header.toString() : message.getBody(String.class);
            text = text == null ? "" : text.trim();
            if (text.isEmpty()) {
                throw new IllegalArgumentException(kamelet + ": no identity: send {\"kind\": \"…\", \"login\": \"…\"} "
                        + "as the body or the " + IDENTITY + " header");
            }
            if (text.startsWith("{")) {
                JsonNode node = Wire.read(text);
                identity = Wire.identity(node, identityKinds.get(0));
            } else {
                identity = new Identity(identityKinds.get(0), text, null, null);
            }
        }
        if (!identityKinds.contains(identity.kind())) {
            throw new IllegalArgumentException(kamelet + " acts on identities of kind " + String.join(", ",
                    identityKinds.stream().map(IdentityKind::wireName).toList()) + ", not " + identity.kind().wireName());
        }
        return identity;
    }

    private static UUID correlationId(Message message) {
        String given = message.getHeader(CORRELATION_ID, String.class);
        if (given == null || given.isBlank()) {
            return UUID.randomUUID();
        }
        try {
            return UUID.fromString(given.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(CORRELATION_ID + " is not a UUID");
        }
    }
}
