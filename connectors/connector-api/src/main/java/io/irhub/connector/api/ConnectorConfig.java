package io.irhub.connector.api;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** A validated connector configuration, made by {@link ConfigDef#parse}. Its {@code toString} hides secrets. */
public final class ConnectorConfig {
    private final String scope;
    private final Map<String, Object> values;

    ConnectorConfig(String scope, Map<String, Object> values) {
        this.scope = scope;
        this.values = Map.copyOf(values);
    }

    public String scope() {
        return scope;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String string(String name) {
        return get(name, String.class);
    }

    public Optional<String> optionalString(String name) {
        return Optional.ofNullable((String) values.get(name));
    }

    public int integer(String name) {
        return get(name, Integer.class);
    }

    public boolean bool(String name) {
        return get(name, Boolean.class);
    }

    public URI url(String name) {
        return get(name, URI.class);
    }

    public Duration duration(String name) {
        return get(name, Duration.class);
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String name) {
        Object v = values.get(name);
        return v == null ? List.of() : (List<String>) v;
    }

    public Secret secret(String name) {
        return get(name, Secret.class);
    }

    public Optional<Secret> optionalSecret(String name) {
        return Optional.ofNullable((Secret) values.get(name));
    }

    private <T> T get(String name, Class<T> type) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalStateException(scope + ": " + name + " is not set");
        }
        return type.cast(v);
    }

    @Override
    public String toString() {
        return scope + values.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ", "{", "}"));
    }
}
