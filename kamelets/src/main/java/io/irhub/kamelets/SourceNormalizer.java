package io.irhub.kamelets;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.Connectors;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.Source;
import io.irhub.connector.api.SourceConnector;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bean behind every webhook source Kamelet: checks a delivery the way the hub's intake does (size limit, then the
 * source connector's {@code authenticate}, then its {@code normalize}) and leaves the signals, one JSON each in the
 * hub's signal format, in the exchange property {@value #SIGNALS} for the Kamelet to emit one exchange per signal.
 *
 * <p>It also sets the HTTP answer: 202 {@code {"status": "accepted", "signals": n}}, or 413, 401 or 400
 * {@code {"status": "refused", "reason": "…"}} with no signal. The request's headers (credentials among them) and the
 * path token are removed before anything is emitted.
 */
public final class SourceNormalizer implements Processor {
    public static final String SIGNALS = "irhubSignals";
    /** The path parameter a path-token source's Kamelet puts last in its path ({@code …/{token}}). */
    public static final String PATH_TOKEN = "token";

    private final Map<String, Object> config = new LinkedHashMap<>();
    private String kamelet;
    private String connector;
    private volatile Source source;

    /** The Kamelet's name: names it in configuration errors and is the source instance of its signals. */
    public void setKamelet(String kamelet) {
        this.kamelet = kamelet;
    }

    /** The source connector's id ({@code splunk}). */
    public void setConnector(String connector) {
        this.connector = connector;
    }

    /** The connector's configuration, keyed by Kamelet property name (camelCase); filled by the Kamelet template. */
    public Map<String, Object> getConfig() {
        return config;
    }

    /**
     * Opens the source.
     *
     * @throws io.irhub.connector.api.ConfigException listing every property that is missing or unusable
     * @throws IllegalArgumentException when no source connector with that id is on the classpath
     */
    public void start() {
        SourceConnector found = Connectors.discover(SourceNormalizer.class.getClassLoader()).source(connector);
        source = found.open(kamelet, ConnectorSettings.parse(found.configDef(), kamelet, config));
    }

    @Override
    public void process(Exchange exchange) {
        Source open = source;
        if (open == null) {
            throw new IllegalStateException(kamelet + " is not started");
        }
        Message message = exchange.getMessage();
        String pathToken = message.getHeader(PATH_TOKEN, String.class);
        Map<String, String> headers = new LinkedHashMap<>();
        message.getHeaders().forEach((name, value) -> {
            if (value instanceof String text && !name.startsWith("Camel") && !name.equals(PATH_TOKEN)) {
                headers.put(name, text);
            }
        });
        byte[] body = message.getBody(byte[].class);
        message.removeHeaders("*");
        exchange.setProperty(SIGNALS, List.of());
        if (body == null) {
            body = new byte[0];
        }
        if (body.length > open.maxBodyBytes()) {
            answer(message, 413, refused("the body of " + body.length + " bytes exceeds the limit of "
                    + open.maxBodyBytes() + " bytes"));
            return;
        }
        InboundRequest request = new InboundRequest(pathToken, headers, body);
        if (!open.authenticate(request)) {
            answer(message, 401, refused("credentials missing or wrong"));
            return;
        }
        List<Signal> signals;
        try {
            signals = open.normalize(request);
        } catch (InvalidPayloadException e) {
            answer(message, 400, refused(e.getMessage()));
            return;
        }
        if (signals.isEmpty()) {
            answer(message, 400, refused("the delivery holds no signal"));
            return;
        }
        exchange.setProperty(SIGNALS, signals.stream().map(s -> Wire.write(Wire.signal(s))).toList());
        ObjectNode accepted = JsonNodeFactory.instance.objectNode().put("status", "accepted")
                .put("signals", signals.size());
        answer(message, 202, accepted);
    }

    private static ObjectNode refused(String reason) {
        return JsonNodeFactory.instance.objectNode().put("status", "refused").put("reason", reason);
    }

    private static void answer(Message message, int status, ObjectNode body) {
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(Wire.write(body));
    }
}
