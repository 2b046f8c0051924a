package io.irhub.connector.onepassword;

/**
 * The OAuth applications the connector uses. 1Password grants permissions per application, not per token request,
 * so each capability has its own application: the one that looks users up cannot suspend them, and the one that
 * suspends cannot reactivate. Each has its own cached token.
 */
enum Application {
    LOOKUP("lookup", "Get user and List users"),
    SUSPEND("suspend", "Suspend users"),
    REACTIVATE("reactivate", "Reactivate users");

    private final String id;
    private final String permissions;

    Application(String id, String permissions) {
        this.id = id;
        this.permissions = permissions;
    }

    /** The credential name capabilities refer to, also the prefix of the application's config fields. */
    String id() {
        return id;
    }

    /** The permissions to select for the application in 1Password, as 1Password names them. */
    String permissions() {
        return permissions;
    }
}
