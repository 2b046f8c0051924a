package io.irhub.connector.api;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A webhook delivery as the hub received it.
 *
 * @param pathToken the secret segment after {@code /hooks/{instance}/}, or {@code null}
 * @param headers   request headers, looked up case-insensitively through {@link #header(String)}
 * @param body      the raw body
 */
public record InboundRequest(String pathToken, Map<String, String> headers, byte[] body) {

    public InboundRequest {
        Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            headers.forEach((k, v) -> {
                if (k != null && v != null) {
                    copy.put(k.toLowerCase(Locale.ROOT), v);
                }
            });
        }
        headers = copy;
        body = Objects.requireNonNull(body, "body");
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        // the path token and the headers may carry credentials
        return "InboundRequest[" + body.length + " bytes]";
    }
}
