package io.irhub.routes;

import com.fasterxml.jackson.databind.JsonNode;
import io.irhub.connector.api.AuditEvent;
import io.irhub.routes.store.Json;
import io.irhub.routes.store.PipelineStore.DispatchOrder;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The operator API under {@code /api}: restore a suspension or a whole incident, confirm a suspension so that its
 * expiry does not restore it. Bearer tokens name the caller, who is recorded as the actor.
 */
public final class ApiRoutes extends RouteBuilder {
    private final ApiAuth auth;
    private final Restores restores;
    private final Clock clock;

    public ApiRoutes(ApiAuth auth, Restores restores, Clock clock) {
        this.auth = auth;
        this.restores = restores;
        this.clock = clock;
    }

    /** A refused API call: status and reason. */
    static final class ApiRefusal extends RuntimeException {
        final int status;

        ApiRefusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    @Override
    public void configure() {
        onException(ApiRefusal.class, Restores.Refused.class).handled(true)
                .process(this::refuse)
                .wireTap(Bus.AUDIT);

        from("platform-http:/api/actions/{id}/restore?httpMethodRestrict=POST").routeId("api-restore-action")
                .process(e -> {
                    String caller = caller(e);
                    respondWithRestores(e, restores.restoreAction(uuid(e, "id"), "api:" + caller, reason(e)));
                })
                .to(Bus.DISPATCH)
                .process(ApiRoutes::respond);

        from("platform-http:/api/incidents/{id}/restore?httpMethodRestrict=POST").routeId("api-restore-incident")
                .process(e -> {
                    String caller = caller(e);
                    respondWithRestores(e, restores.restoreIncident(uuid(e, "id"), "api:" + caller, reason(e)));
                })
                .to(Bus.DISPATCH)
                .process(ApiRoutes::respond);

        from("platform-http:/api/actions/{id}/confirm?httpMethodRestrict=POST").routeId("api-confirm-action")
                .process(e -> {
                    String caller = caller(e);
                    restores.confirm(uuid(e, "id"), "api:" + caller);
                    e.setProperty("irhubResponse", Map.of("status", "confirmed"));
                    e.setProperty("irhubStatus", 200);
                    e.getMessage().setBody(List.of());
                })
                .process(ApiRoutes::respond);
    }

    private String caller(Exchange e) {
        String header = e.getMessage().getHeader("Authorization", String.class);
        e.getMessage().removeHeader("Authorization");
        if (!auth.enabled()) {
            throw new ApiRefusal(401, "the API is disabled: no api.tokens are configured");
        }
        return auth.caller(header).orElseThrow(() -> new ApiRefusal(401, "missing or unknown bearer token"));
    }

    private static UUID uuid(Exchange e, String name) {
        try {
            return UUID.fromString(e.getMessage().getHeader(name, String.class));
        } catch (IllegalArgumentException | NullPointerException ex) {
            throw new ApiRefusal(400, name + " is not an id");
        }
    }

    private static String reason(Exchange e) {
        String body = e.getMessage().getBody(String.class);
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            return node.hasNonNull("reason") ? node.get("reason").asText() : null;
        } catch (IOException ex) {
            throw new ApiRefusal(400, "the body is not JSON (expected {\"reason\": \"…\"} or nothing)");
        }
    }

    private static void respondWithRestores(Exchange e, List<DispatchOrder> orders) {
        e.setProperty("irhubResponse", Map.of("status", orders.isEmpty() ? "nothing-to-restore" : "restoring",
                "restore_actions", orders.stream().map(o -> o.actionId().toString()).toList()));
        e.setProperty("irhubStatus", orders.isEmpty() ? 200 : 202);
        e.getMessage().setBody(orders);
    }

    private static void respond(Exchange e) {
        var m = e.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, e.getProperty("irhubStatus"));
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setBody(Json.write(e.getProperty("irhubResponse")));
    }

    private void refuse(Exchange e) {
        Exception ex = e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        int status = ex instanceof ApiRefusal r ? r.status : ((Restores.Refused) ex).status;
        String path = e.getMessage().getHeader(Exchange.HTTP_PATH, String.class);
        e.setProperty(Bus.AUDIT_EVENT, new AuditEvent(clock.instant(), null, AuditEvent.Stage.API_CALL, "api", null, null,
                "refused", Map.of("http_status", status, "reason", ex.getMessage(), "path", path == null ? "" : path)));
        var m = e.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setBody(Json.write(Map.of("error", ex.getMessage())));
    }
}
