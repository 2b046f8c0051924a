package io.irhub.routes.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON for jsonb columns. Details hold plain values: strings, numbers, booleans, lists and maps. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private Json() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serializable as JSON: " + value.getClass().getName(), e);
        }
    }

    public static Map<String, Object> readMap(String json) {
        try {
            return json == null ? Map.of() : MAPPER.readValue(json, new TypeReference<>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stored JSON is unreadable", e);
        }
    }

    public static Map<String, Object> identity(Identity identity) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", identity.kind().wireName());
        if (identity.login() != null) {
            m.put("login", identity.login());
        }
        if (identity.email() != null) {
            m.put("email", identity.email());
        }
        if (identity.externalId() != null) {
            m.put("external_id", identity.externalId());
        }
        return m;
    }

    public static Identity identity(Map<String, Object> m) {
        return new Identity(IdentityKind.fromWire((String) m.get("kind")), (String) m.get("login"),
                (String) m.get("email"), (String) m.get("external_id"));
    }

    public static List<Identity> identities(String json) {
        try {
            List<Map<String, Object>> list = MAPPER.readValue(json, new TypeReference<>() { });
            return list.stream().map(Json::identity).toList();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stored identities are unreadable", e);
        }
    }
}
