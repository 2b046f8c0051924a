package io.irhub.connector.okta;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.TargetConnector;
import io.irhub.connector.api.Verb;
import io.irhub.connector.testkit.TargetConnectorContract;

import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

class OktaConnectorTest extends TargetConnectorContract {

    @Override
    protected TargetConnector connector() {
        return new OktaConnector();
    }

    @Override
    protected Map<String, Object> config(String baseUrl) {
        return OktaStubs.config(baseUrl);
    }

    @Override
    protected Map<String, String> environment() {
        return OktaStubs.environment();
    }

    @Override
    protected Set<String> expectedSecretFields() {
        return Set.of("private-key", "lookup-private-key", "suspend-private-key", "restore-private-key",
                "deactivate-private-key");
    }

    @Override
    protected Identity identity() {
        return Identity.user(OktaStubs.LOGIN);
    }

    @Override
    protected void stubSuccess(Verb verb) {
        OktaStubs.stubTokens(vendor);
        OktaStubs.stubUser(vendor, OktaStubs.USER_PATH, verb == Verb.RESTORE ? OktaUser.SUSPENDED : OktaUser.ACTIVE);
        switch (verb) {
            case SUSPEND -> OktaStubs.stubSuspend(vendor);
            case RESTORE -> OktaStubs.stubUnsuspend(vendor);
            case CLEAR_SESSIONS -> OktaStubs.stubClearSessions(vendor);
            case DEACTIVATE -> OktaStubs.stubDeactivate(vendor);
            default -> {
                // a lookup is the read stubbed above
            }
        }
    }

    @Override
    protected RequestPatternBuilder changeRequest(Verb verb) {
        return switch (verb) {
            case LOOKUP -> getRequestedFor(urlPathEqualTo(OktaStubs.USER_PATH));
            case SUSPEND -> postRequestedFor(urlPathEqualTo(OktaStubs.SUSPEND_PATH));
            case RESTORE -> postRequestedFor(urlPathEqualTo(OktaStubs.UNSUSPEND_PATH));
            case CLEAR_SESSIONS -> deleteRequestedFor(urlPathEqualTo(OktaStubs.SESSIONS_PATH))
                    .withQueryParam("oauthTokens", equalTo("true"));
            case DEACTIVATE -> postRequestedFor(urlPathEqualTo(OktaStubs.DEACTIVATE_PATH))
                    .withQueryParam("sendEmail", equalTo("false"));
            default -> throw new IllegalArgumentException("okta does not " + verb);
        };
    }

    /**
     * Follows the bearer token on the change call back to the token request that issued it, and checks that request
     * asked for the credential's scope with a client assertion from the credential's own app, signed by its key.
     */
    @Override
    protected void assertUsedCredential(Verb verb, String credential) {
        List<LoggedRequest> changes = vendor.findAll(changeRequest(verb));
        assertThat(changes).isNotEmpty();
        String authorization = changes.get(changes.size() - 1).getHeader("Authorization");
        assertThat(authorization).startsWith("Bearer ");
        String token = authorization.substring("Bearer ".length());

        LoggedRequest tokenRequest = vendor.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals(OktaStubs.TOKEN_PATH))
                .filter(e -> e.getResponse().getBodyAsString().contains("\"" + token + "\""))
                .map(ServeEvent::getRequest)
                .findFirst().orElseThrow(() -> new AssertionError("no token request issued the token used"));
        assertThat(OktaStubs.form(tokenRequest)).containsEntry("scope", OktaStubs.scope(credential));

        OktaStubs.App app = OktaStubs.app(credential);
        SignedJWT assertion = OktaStubs.assertion(tokenRequest);
        try {
            assertThat(assertion.getJWTClaimsSet().getIssuer()).isEqualTo(app.clientId());
            assertThat(assertion.verify(new RSASSAVerifier((RSAPublicKey) app.keys().getPublic())))
                    .as("signed with the %s app's key", credential).isTrue();
            for (OktaStubs.App other : OktaStubs.APPS) {
                if (other != app) {
                    assertThat(assertion.verify(new RSASSAVerifier((RSAPublicKey) other.keys().getPublic())))
                            .as("signed with %s's key", other.clientId()).isFalse();
                }
            }
        } catch (ParseException | JOSEException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    protected ResponseDefinitionBuilder rateLimited(Duration retryAfter) {
        return OktaStubs.rateLimited(retryAfter);
    }

    @Override
    protected List<RequestPatternBuilder> tokenRequests() {
        return List.of(postRequestedFor(urlPathEqualTo(OktaStubs.TOKEN_PATH)));
    }
}
