package io.irhub.connector.scim;

/**
 * The three bearer tokens a SCIM instance holds, one per capability, so that the token that reads users cannot
 * deactivate them and the one that deactivates cannot reactivate.
 */
enum Credential {
    LOOKUP("lookup"),
    SUSPEND("suspend"),
    RESTORE("restore");

    private final String id;

    Credential(String id) {
        this.id = id;
    }

    /** The credential name capabilities refer to; its config field is {@code <id>-token}. */
    String id() {
        return id;
    }

    String field() {
        return id + "-token";
    }
}
