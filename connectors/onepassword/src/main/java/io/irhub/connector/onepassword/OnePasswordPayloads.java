package io.irhub.connector.onepassword;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Users API's JSON as the connector reads it (1Password Users API for Partners, v1beta1). Unknown fields are
 * ignored, as a preview API may add some.
 */
final class OnePasswordPayloads {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private OnePasswordPayloads() {
    }

    /**
     * The User object ({@code GET …/users/{id}}, an entry of a list, and the answer to {@code :suspend} and
     * {@code :reactivate}).
     *
     * @param id    the user's id ({@code IR7VJHJ36JHINBFAD7V2T5MP3E})
     * @param state {@code ACTIVE}, {@code SUSPENDED} or {@code STATE_UNSPECIFIED}
     */
    record User(String id, String email, @JsonProperty("display_name") String displayName, String state) {
        static final String ACTIVE = "ACTIVE";
        static final String SUSPENDED = "SUSPENDED";

        /** The email, else the id, for messages. */
        String name() {
            return email == null || email.isBlank() ? id : email;
        }
    }

    /** ListUsersResponse: one page of users; {@code next_page_token} is absent or empty on the last page. */
    record UserPage(List<User> results, @JsonProperty("next_page_token") String nextPageToken) {
        UserPage {
            results = results == null ? List.of() : results;
        }

        boolean last() {
            return nextPageToken == null || nextPageToken.isBlank();
        }
    }

    /** The token endpoint's answer; 1Password's tokens live 900 s. */
    record TokenGrant(@JsonProperty("access_token") String accessToken,
                      @JsonProperty("token_type") String tokenType,
                      @JsonProperty("expires_in") long expiresIn) {
        @Override
        public String toString() {
            return "TokenGrant[tokenType=" + tokenType + ", expiresIn=" + expiresIn + "]";
        }
    }

    /**
     * An error answer. The public documentation names error kinds ({@code InvalidArgument}) but shows no body, so
     * this reads what such bodies commonly carry: {@code code} (a number or a name) and {@code message}, and for the
     * token endpoint OAuth's {@code error} and {@code error_description}.
     */
    record ApiError(String code, String message) {

        static ApiError from(String body) {
            JsonNode node = tree(body);
            String code = text(node, "code");
            String message = text(node, "message");
            return new ApiError(code != null ? code : text(node, "error"),
                    message != null ? message : text(node, "error_description"));
        }

        /** {@code HTTP 400 9: cannot suspend the last owner}. */
        String describe(int httpStatus) {
            StringBuilder s = new StringBuilder("HTTP ").append(httpStatus);
            if (code != null) {
                s.append(' ').append(code);
            }
            if (message != null) {
                s.append(": ").append(message);
            }
            return s.toString();
        }

        /** For the audit record; {@code null} values are dropped by {@code ActionOutcome}. */
        Map<String, Object> details(int httpStatus) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("http_status", httpStatus);
            details.put("onepassword_error_code", code);
            details.put("onepassword_error_message", message);
            return details;
        }
    }

    /**
     * @throws OnePasswordFailure (FAILED) when the body is not the JSON documented for {@code what}
     */
    static <T> T read(String body, Class<T> type, String what) throws OnePasswordFailure {
        try {
            T value = JSON.readValue(body, type);
            if (value == null) {
                throw new IllegalArgumentException("empty body");
            }
            return value;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw OnePasswordFailure.failed("1Password's answer to " + what + " is not the documented JSON",
                    Map.of("expected", type.getSimpleName()));
        }
    }

    private static JsonNode tree(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // an HTML error page from a proxy: the status code says enough
            return MissingNode.getInstance();
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.asText().isBlank() ? value.asText() : null;
    }
}
