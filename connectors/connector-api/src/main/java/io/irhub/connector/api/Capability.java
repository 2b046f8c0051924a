package io.irhub.connector.api;

import java.util.Objects;

/**
 * One verb a target can perform and the credential it uses. Credentials are named per connector (Okta's
 * {@code lookup} and {@code suspend} service apps); an instance may configure a separate credential for each, so
 * the one that can look up cannot suspend.
 */
public record Capability(Verb verb, String credential, String description) {
    public Capability {
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(description, "description");
    }
}
