package io.irhub.connector.vault;

import io.irhub.connector.api.Secret;

import java.nio.file.Path;
import java.util.Optional;

/** How one credential authenticates to Vault: an AppRole the connector logs in with, or a token it is given. */
sealed interface VaultAuth permits VaultAuth.AppRole, VaultAuth.Token {

    /**
     * Logs in at {@code POST /v1/auth/approle/login}; the token it gets is renewed or replaced before it expires.
     *
     * @param roleId   the AppRole's role id (an identifier, not a secret)
     * @param secretId the AppRole's secret id
     */
    record AppRole(String roleId, Secret secretId) implements VaultAuth {
        @Override
        public String toString() {
            return "AppRole[roleId=" + roleId + "]";
        }
    }

    /**
     * A Vault token given by reference. When the reference is a file, the file is read again before each use, so a
     * token that Vault Agent's auto-auth sink (or a projected Kubernetes Secret) replaces is picked up.
     */
    record Token(Secret token) implements VaultAuth {

        /** The file the token was read from, if it came from one. */
        Optional<Path> file() {
            String source = token.source();
            return source != null && source.startsWith("file:")
                    ? Optional.of(Path.of(source.substring("file:".length())))
                    : Optional.empty();
        }

        @Override
        public String toString() {
            return "Token[" + token.source() + "]";
        }
    }
}
