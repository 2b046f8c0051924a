package io.irhub.connector.okta;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * The parts of Okta's User object the connector acts on.
 *
 * @param id     Okta's user id ({@code 00ub0oNGTSWTBKOLGLNR})
 * @param status {@code ACTIVE}, {@code SUSPENDED}, {@code DEPROVISIONED}, {@code STAGED}, {@code PROVISIONED},
 *               {@code RECOVERY}, {@code LOCKED_OUT} or {@code PASSWORD_EXPIRED}
 * @param login  {@code profile.login}, else the id
 * @param transitioningToStatus the status an asynchronous change is taking the user to ({@code DEPROVISIONED}
 *                              while a deactivation completes), or {@code null}
 */
record OktaUser(String id, String status, String login, String transitioningToStatus) {

    static final String ACTIVE = "ACTIVE";
    static final String SUSPENDED = "SUSPENDED";
    static final String DEPROVISIONED = "DEPROVISIONED";

    /** @throws OktaFailure when the body lacks the id or the status */
    static OktaUser from(JsonNode body) throws OktaFailure {
        String id = OktaError.text(body, "id");
        String status = OktaError.text(body, "status");
        if (id == null || status == null) {
            throw OktaFailure.failed("Okta answered the user lookup without a user id or status", Map.of());
        }
        String login = OktaError.text(body.path("profile"), "login");
        return new OktaUser(id, status, login == null ? id : login, OktaError.text(body, "transitioningToStatus"));
    }
}
