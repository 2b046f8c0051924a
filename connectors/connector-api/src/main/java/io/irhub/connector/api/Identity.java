package io.irhub.connector.api;

import java.util.Locale;
import java.util.Objects;

/**
 * An identity a signal names: a human user, a service account, an API token or a secret.
 *
 * @param kind        what it is
 * @param login       the login or principal name as the source reported it (for users usually an email-like UPN)
 * @param email       an email address if the source gave one, else {@code null}
 * @param externalId  the source's own id for it (a SID, an Entra object id, a lease id), else {@code null}
 */
public record Identity(IdentityKind kind, String login, String email, String externalId) {

    public Identity {
        Objects.requireNonNull(kind, "kind");
        login = blankToNull(login);
        email = blankToNull(email);
        externalId = blankToNull(externalId);
        if (login == null && email == null && externalId == null) {
            throw new IllegalArgumentException("an identity needs a login, an email or an external id");
        }
    }

    public static Identity user(String login) {
        return new Identity(IdentityKind.USER, login, null, null);
    }

    /** The best name a target can look this identity up by: login, else email, else the external id. */
    public String name() {
        return login != null ? login : email != null ? email : externalId;
    }

    /** A stable key, {@code kind:name} in lower case, used for guards, ordering and idempotency. */
    public String key() {
        return kind.wireName() + ":" + name().toLowerCase(Locale.ROOT);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
