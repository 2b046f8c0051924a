package io.irhub.connector.generic;

import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConfigField;
import io.irhub.connector.api.ConfigField.Type;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.Source;
import io.irhub.connector.api.SourceConnector;

import java.time.Clock;

/**
 * Any tool that can POST: the hub's own signal JSON ({@code irhub-signal.schema.json}) at {@code POST /hooks/{instance}}
 * with {@code Authorization: Bearer <token>}. The same format is read from Kafka topics.
 */
public final class GenericConnector implements SourceConnector {
    static final String BEARER_TOKEN = "bearer-token";
    static final String MAX_BODY_BYTES = "max-body-bytes";

    @Override
    public String id() {
        return "generic";
    }

    @Override
    public String description() {
        return "The hub's own signal JSON over HTTP with a bearer token, for any tool that can POST.";
    }

    @Override
    public ConfigDef configDef() {
        return new ConfigDef()
                .define(ConfigField.requiredSecret(BEARER_TOKEN, "Token the sender presents as Authorization: Bearer <token>"))
                .define(ConfigField.optional(MAX_BODY_BYTES, Type.INT, "1048576", "Largest delivery accepted, in bytes"));
    }

    @Override
    public Source open(String instance, ConnectorConfig config) {
        return new GenericSource(instance, config.secret(BEARER_TOKEN), config.integer(MAX_BODY_BYTES), Clock.systemUTC());
    }
}
