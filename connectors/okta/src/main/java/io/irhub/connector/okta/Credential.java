package io.irhub.connector.okta;

/**
 * The two kinds of access Okta's scopes tell apart. Each may have its own service app, so the app that reads users
 * cannot change them; each has its own cached token.
 */
enum Credential {
    LOOKUP("lookup", "okta.users.read"),
    SUSPEND("suspend", "okta.users.manage");

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
