package io.irhub.connector.okta;

/**
 * The credentials a capability names. Okta's scopes only tell reading from changing users apart, so each change has
 * a credential of its own: each may have its own service app (the app that suspends cannot restore or deactivate,
 * the app that reads cannot change anything), and each has its own cached token.
 */
enum Credential {
    LOOKUP("lookup", "okta.users.read"),
    SUSPEND("suspend", "okta.users.manage"),
    RESTORE("restore", "okta.users.manage"),
    DEACTIVATE("deactivate", "okta.users.manage");

    private final String id;
    private final String scope;

    Credential(String id, String scope) {
        this.id = id;
        this.scope = scope;
    }

    /** The credential name capabilities refer to, also the prefix of its config fields. */
    String id() {
        return id;
    }

    String scope() {
        return scope;
    }
}
