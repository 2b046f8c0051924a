package io.irhub.routes;

import com.fasterxml.jackson.databind.JsonNode;
import io.irhub.connector.api.AuditEvent;
import io.irhub.connector.api.ConfigDef;
import io.irhub.routes.ApiAuth.Caller;
import io.irhub.routes.ApiAuth.Role;
import io.irhub.routes.policy.Planner;
import io.irhub.routes.store.AuditExport;
import io.irhub.routes.store.Json;
import io.irhub.routes.store.PipelineStore;
import io.irhub.routes.store.PipelineStore.DispatchOrder;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import javax.sql.DataSource;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The operator API under {@code /api}. Bearer tokens name the caller and give a role: viewers read (incidents,
 * timelines, evidence export, policy dry runs), operators also restore, confirm, approve or deny, and pause. Every
 * call is audited with its caller, method, path and status.
 */
public final class ApiRoutes extends RouteBuilder {
    private final ApiAuth auth;
    private final Restores restores;
    private final Approvals approvals;
    private final Incidents incidents;
    private final HubState state;
    private final Planner planner;
    private final PipelineStore store;
    private final DataSource dataSource;
    private final Clock clock;

    public ApiRoutes(ApiAuth auth, Restores restores, Approvals approvals, Incidents incidents, HubState state,
                     Planner planner, PipelineStore store, DataSource dataSource, Clock clock) {
        this.auth = auth;
        this.restores = restores;
        this.approvals = approvals;
        this.incidents = incidents;
        this.state = state;
        this.planner = planner;
        this.store = store;
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** A refused call: status and reason. */
    static final class ApiRefusal extends RuntimeException {
        final int status;

        ApiRefusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** What a handler answers: status and JSON body (or a file to stream), and any actions to dispatch. */
    record Response(int status, Object body, List<DispatchOrder> dispatch, File file, String contentType) {
        static Response json(int status, Object body) {
            return new Response(status, body, List.of(), null, null);
        }
    }

    @FunctionalInterface
    interface Handler {
        Response handle(Exchange exchange, Caller caller) throws Exception;
    }

    @Override
    public void configure() {
        endpoint("GET", "/api/incidents", "api-incidents", Role.VIEWER, (e, c) -> {
            Instant since = since(query(e, "since"));
            int limit = Math.min(1000, Math.max(1, Integer.parseInt(queryOr(e, "limit", "100"))));
            return Response.json(200, Map.of("incidents", incidents.list(since, query(e, "state"), limit)));
        });
        endpoint("GET", "/api/incidents/{id}", "api-incident", Role.VIEWER, (e, c) ->
                incidents.timeline(uuid(e)).map(t -> Response.json(200, t))
                        .orElseThrow(() -> new ApiRefusal(404, "no incident " + uuid(e))));
        endpoint("POST", "/api/actions/{id}/restore", "api-restore-action", Role.OPERATOR, (e, c) ->
                restoring(restores.restoreAction(uuid(e), c.actor(), reason(e))));
        endpoint("POST", "/api/incidents/{id}/restore", "api-restore-incident", Role.OPERATOR, (e, c) ->
                restoring(restores.restoreIncident(uuid(e), c.actor(), reason(e))));
        endpoint("POST", "/api/actions/{id}/confirm", "api-confirm-action", Role.OPERATOR, (e, c) -> {
            restores.confirm(uuid(e), c.actor());
            return Response.json(200, Map.of("status", "confirmed"));
        });
        endpoint("POST", "/api/plans/{id}/approve", "api-approve-plan", Role.OPERATOR, (e, c) -> decide(e, c, true));
        endpoint("POST", "/api/plans/{id}/deny", "api-deny-plan", Role.OPERATOR, (e, c) -> decide(e, c, false));
        endpoint("POST", "/api/policies/test", "api-policy-test", Role.VIEWER, (e, c) -> {
            try {
                return Response.json(200, PolicyTestRequest.describe(
                        planner.plan(PolicyTestRequest.signal(body(e)), 0)));
            } catch (IllegalArgumentException ex) {
                throw new ApiRefusal(400, ex.getMessage());
            }
        });
        endpoint("GET", "/api/audit/export", "api-audit-export", Role.VIEWER, (e, c) -> {
            Instant from = queryOr(e, "from", null) == null ? Instant.EPOCH : instant(query(e, "from"), "from");
            Instant to = queryOr(e, "to", null) == null ? clock.instant().plusSeconds(1) : instant(query(e, "to"), "to");
            String format = queryOr(e, "format", "jsonl");
            if (!format.equals("jsonl") && !format.equals("csv")) {
                throw new ApiRefusal(400, "format must be jsonl or csv");
            }
            File file = Files.createTempFile("irhub-audit-export", "." + format).toFile();
            try (OutputStream out = Files.newOutputStream(file.toPath())) {
                AuditExport.write(dataSource, from, to, format.equals("csv") ? AuditExport.Format.CSV : AuditExport.Format.JSONL, out);
            }
            e.getExchangeExtension().addOnCompletion(new org.apache.camel.support.SynchronizationAdapter() {
                @Override
                public void onDone(Exchange exchange) {
                    file.delete();
                }
            });
            return new Response(200, null, List.of(), file, format.equals("csv") ? "text/csv" : "application/x-ndjson");
        });
        endpoint("POST", "/api/pause", "api-pause", Role.OPERATOR, (e, c) -> {
            boolean changed = state.setPaused(true, c.actor());
            return Response.json(200, Map.of("paused", true, "changed", changed));
        });
        endpoint("POST", "/api/resume", "api-resume", Role.OPERATOR, (e, c) -> {
            boolean changed = state.setPaused(false, c.actor());
            return new Response(200, Map.of("paused", false, "changed", changed),
                    changed ? store.unfinishedActions(clock.instant()) : List.of(), null, null);
        });

        // the incident timeline page: static; it reads everything through this API with the user's token
        from("platform-http:/ui?httpMethodRestrict=GET").routeId("ui")
                .removeHeaders("*")
                .setHeader(Exchange.CONTENT_TYPE, constant("text/html; charset=utf-8"))
                .setHeader("Content-Security-Policy", constant("default-src 'none'; script-src 'unsafe-inline'; "
                        + "style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'"))
                .setHeader("X-Frame-Options", constant("DENY"))
                .setHeader("Referrer-Policy", constant("no-referrer"))
                .setBody(e -> resource("/ui/index.html"));

        from("platform-http:/api/openapi.json?httpMethodRestrict=GET").routeId("api-openapi")
                .removeHeaders("*")
                .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
                .setBody(e -> resource("/openapi.json"));
    }

    private void endpoint(String method, String path, String routeId, Role role, Handler handler) {
        from("platform-http:" + path + "?httpMethodRestrict=" + method).routeId(routeId)
                .process(e -> handle(e, method, path, role, handler))
                .to(Bus.DISPATCH)
                .process(ApiRoutes::respond)
                .wireTap(Bus.AUDIT);
    }

    private void handle(Exchange e, String method, String path, Role role, Handler handler) {
        var m = e.getMessage();
        String header = m.getHeader("Authorization", String.class);
        m.removeHeader("Authorization");
        Caller caller = null;
        Response response;
        try {
            if (!auth.enabled()) {
                throw new ApiRefusal(401, "the API is disabled: no api.tokens are configured");
            }
            caller = auth.caller(header).orElseThrow(() -> new ApiRefusal(401, "missing or unknown bearer token"));
            if (!caller.role().allows(role)) {
                throw new ApiRefusal(403, "this call needs the role " + role.name().toLowerCase(java.util.Locale.ROOT)
                        + "; " + caller.name() + " is a " + caller.role().name().toLowerCase(java.util.Locale.ROOT));
            }
            response = handler.handle(e, caller);
        } catch (ApiRefusal r) {
            response = Response.json(r.status, Map.of("error", r.getMessage()));
        } catch (Restores.Refused r) {
            response = Response.json(r.status, Map.of("error", r.getMessage()));
        } catch (NumberFormatException ex) {
            response = Response.json(400, Map.of("error", "a number was expected"));
        } catch (Exception ex) {
            log.error("API call {} {} failed: {}", method, path, ex.getClass().getName());
            response = Response.json(500, Map.of("error", "internal error; see the hub's log"));
        }
        e.setProperty("irhubResponse", response);
        m.setBody(response.dispatch());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("method", method);
        details.put("path", m.getHeader(Exchange.HTTP_URI, path, String.class));
        details.put("status", response.status());
        if (response.status() >= 400 && response.body() instanceof Map<?, ?> b && b.get("error") != null) {
            details.put("reason", b.get("error"));
        }
        e.setProperty(Bus.AUDIT_EVENT, new AuditEvent(clock.instant(), correlationOf(e, path), AuditEvent.Stage.API_CALL,
                caller == null ? "api" : caller.actor(), null, null, response.status() < 400 ? "ok" : "refused", details));
    }

    private static UUID correlationOf(Exchange e, String path) {
        if (path.startsWith("/api/incidents/{id}")) {
            try {
                return UUID.fromString(e.getMessage().getHeader("id", String.class));
            } catch (RuntimeException ex) {
                return null;
            }
        }
        return null;
    }

    private static void respond(Exchange e) {
        Response r = e.getProperty("irhubResponse", Response.class);
        var m = e.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, r.status());
        m.setHeader(Exchange.CONTENT_TYPE, r.file() != null ? r.contentType() : "application/json");
        m.setBody(r.file() != null ? r.file() : Json.write(r.body()));
    }

    private Response decide(Exchange e, Caller c, boolean approve) {
        Approvals.Decided d = approvals.decideAsOperator(uuid(e), c.actor(), approve);
        if (d.refusal() != null) {
            throw new ApiRefusal(409, d.refusal());
        }
        return new Response(200, Map.of("status", "recorded", "released_actions", d.toDispatch().size()),
                d.toDispatch(), null, null);
    }

    private static Response restoring(List<DispatchOrder> orders) {
        return new Response(orders.isEmpty() ? 200 : 202, Map.of("status", orders.isEmpty() ? "nothing-to-restore" : "restoring",
                "restore_actions", orders.stream().map(o -> o.actionId().toString()).toList()), orders, null, null);
    }

    private static UUID uuid(Exchange e) {
        try {
            return UUID.fromString(e.getMessage().getHeader("id", String.class));
        } catch (IllegalArgumentException | NullPointerException ex) {
            throw new ApiRefusal(400, "id is not an id");
        }
    }

    private static String query(Exchange e, String name) {
        Object v = e.getMessage().getHeader(name);
        return v == null ? null : v.toString();
    }

    private static String queryOr(Exchange e, String name, String fallback) {
        String v = query(e, name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private Instant since(String value) {
        if (value == null || value.isBlank()) {
            return clock.instant().minusSeconds(24 * 3600);
        }
        try {
            return clock.instant().minus(ConfigDef.parseDuration(value));
        } catch (IllegalArgumentException ex) {
            return instant(value, "since");
        }
    }

    private static Instant instant(String value, String name) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException ex) {
            throw new ApiRefusal(400, name + " must be an ISO-8601 instant (2026-11-23T10:00:00Z) or a duration (24h)");
        }
    }

    private static String body(Exchange e) {
        String body = e.getMessage().getBody(String.class);
        return body == null ? "" : body;
    }

    private static String reason(Exchange e) {
        String body = body(e);
        if (body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            return node.hasNonNull("reason") ? node.get("reason").asText() : null;
        } catch (IOException ex) {
            throw new ApiRefusal(400, "the body is not JSON (expected {\"reason\": \"…\"} or nothing)");
        }
    }

    private static String resource(String name) {
        try (var in = ApiRoutes.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException ex) {
            throw new IllegalStateException(name + " is missing from the jar", ex);
        }
    }
}
