package io.irhub.connector.vault;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.TargetConnector;
import io.irhub.connector.api.Verb;
import io.irhub.connector.testkit.TargetConnectorContract;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

class VaultConnectorTest extends TargetConnectorContract {

    @TempDir
    static Path secrets;
    private static Path rotateTokenFile;

    @BeforeAll
    static void writeTokenFile() {
        rotateTokenFile = VaultStubs.writeRotateTokenFile(secrets);
    }

    @Override
    protected TargetConnector connector() {
        return new VaultConnector();
    }

    @Override
    protected Map<String, Object> config(String baseUrl) {
        return VaultStubs.config(baseUrl, rotateTokenFile);
    }

    @Override
    protected Map<String, String> environment() {
        return VaultStubs.environment();
    }

    @Override
    protected Set<String> expectedSecretFields() {
        return Set.of("revoke-secret-id", "revoke-token", "rotate-secret-id", "rotate-token");
    }

    /**
     * One identity for both capabilities: revoke reads the lease id from the external id, rotate reads what to
     * rotate from the name (the login), by the connector's documented conventions.
     */
    @Override
    protected Identity identity() {
        return new Identity(IdentityKind.SECRET, VaultStubs.STATIC_ROLE, null, VaultStubs.LEASE_ID);
    }

    @Override
    protected void stubSuccess(Verb verb) {
        VaultStubs.stubLogin(vendor);
        switch (verb) {
            case REVOKE -> VaultStubs.stubLeaseRevoke(vendor);
            case ROTATE -> VaultStubs.stubRotateRole(vendor);
            default -> throw new IllegalArgumentException("vault does not " + verb);
        }
    }

    @Override
    protected RequestPatternBuilder changeRequest(Verb verb) {
        return switch (verb) {
            case REVOKE -> putRequestedFor(urlPathEqualTo(VaultStubs.LEASE_REVOKE_PATH))
                    .withRequestBody(matchingJsonPath("$.lease_id", equalTo(VaultStubs.LEASE_ID)));
            case ROTATE -> postRequestedFor(urlPathEqualTo(VaultStubs.ROTATE_ROLE_PATH));
            default -> throw new IllegalArgumentException("vault does not " + verb);
        };
    }

    /**
     * The change call's {@code X-Vault-Token} is the credential's own: for revoke the token Vault issued to the revoke
     * AppRole's login, for rotate the token in the rotate credential's file; never the other one.
     */
    @Override
    protected void assertUsedCredential(Verb verb, String credential) {
        List<LoggedRequest> changes = vendor.findAll(changeRequest(verb));
        assertThat(changes).isNotEmpty();
        String used = changes.get(changes.size() - 1).getHeader("X-Vault-Token");
        switch (credential) {
            case "revoke" -> {
                assertThat(used).isEqualTo(VaultStubs.REVOKE_TOKEN).isNotEqualTo(VaultStubs.ROTATE_TOKEN);
                assertThat(VaultStubs.logins(vendor)).isNotEmpty().allSatisfy(login ->
                        assertThat(login.getBodyAsString()).contains(VaultStubs.REVOKE_ROLE_ID));
            }
            case "rotate" -> {
                assertThat(used).isEqualTo(VaultStubs.ROTATE_TOKEN).isNotEqualTo(VaultStubs.REVOKE_TOKEN);
                assertThat(VaultStubs.logins(vendor)).as("the rotate credential is a token; nothing logs in").isEmpty();
            }
            default -> throw new IllegalArgumentException(credential);
        }
    }

    @Override
    protected ResponseDefinitionBuilder rateLimited(Duration retryAfter) {
        return VaultStubs.rateLimited(retryAfter);
    }

    /** An AppRole login; a renewal too, though the self-check logs in afresh and renews nothing. */
    @Override
    protected List<RequestPatternBuilder> tokenRequests() {
        return List.of(postRequestedFor(urlPathEqualTo(VaultStubs.LOGIN_PATH)),
                postRequestedFor(urlPathEqualTo(VaultStubs.RENEW_SELF_PATH)));
    }
}
