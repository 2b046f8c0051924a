package io.irhub.connector.vault;

/**
 * The two kinds of access the connector needs. Vault policies are per path, so each may be its own AppRole or token:
 * the credential that revokes cannot rotate, and the other way round.
 */
enum Credential {
    REVOKE("revoke"),
    ROTATE("rotate");

    private final String id;

    Credential(String id) {
        this.id = id;
    }

    /** The credential name capabilities refer to, also the prefix of its config fields. */
    String id() {
        return id;
    }
}
