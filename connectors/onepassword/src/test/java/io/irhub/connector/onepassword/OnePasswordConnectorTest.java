package io.irhub.connector.onepassword;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.irhub.connector.api.Capability;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.TargetConnector;
import io.irhub.connector.api.Verb;
import io.irhub.connector.testkit.TargetConnectorContract;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class OnePasswordConnectorTest extends TargetConnectorContract {

    @Override
    protected TargetConnector connector() {
        return new OnePasswordConnector();
    }

    @Override
    protected Map<String, Object> config(String baseUrl) {
        return OnePasswordStubs.config(baseUrl);
    }

    @Override
    protected Map<String, String> environment() {
        return OnePasswordStubs.environment();
    }

    @Override
    protected Set<String> expectedSecretFields() {
        return Set.of("lookup-client-secret", "suspend-client-secret", "reactivate-client-secret");
    }

    /** Known by email only, so every action pages through the user list. */
    @Override
    protected Identity identity() {
        return Identity.user(OnePasswordStubs.EMAIL);
    }

    @Override
    protected void stubSuccess(Verb verb) {
        OnePasswordStubs.stubTokens(vendor);
        switch (verb) {
            case SUSPEND -> {
                OnePasswordStubs.stubList(vendor, "ACTIVE");
                OnePasswordStubs.stubSuspend(vendor);
            }
            case RESTORE -> {
                OnePasswordStubs.stubList(vendor, "SUSPENDED");
                OnePasswordStubs.stubReactivate(vendor);
            }
            default -> OnePasswordStubs.stubList(vendor, "ACTIVE");
        }
    }

    @Override
    protected RequestPatternBuilder changeRequest(Verb verb) {
        return switch (verb) {
            case LOOKUP -> getRequestedFor(urlPathEqualTo(OnePasswordStubs.USERS_PATH));
            case SUSPEND -> postRequestedFor(urlPathEqualTo(OnePasswordStubs.SUSPEND_PATH));
            case RESTORE -> postRequestedFor(urlPathEqualTo(OnePasswordStubs.REACTIVATE_PATH));
            default -> throw new IllegalArgumentException("1Password does not " + verb);
        };
    }

    /**
     * Follows the bearer token on the change call back to the token request that issued it, and decodes that
     * request's HTTP Basic credentials: they must be the capability's own application's, and no other's.
     */
    @Override
    protected void assertUsedCredential(Verb verb, String credential) {
        List<LoggedRequest> changes = vendor.findAll(changeRequest(verb));
        assertThat(changes).isNotEmpty();
        String authorization = changes.get(changes.size() - 1).getHeader("Authorization");
        assertThat(authorization).startsWith("Bearer ");
        String token = authorization.substring("Bearer ".length());

        LoggedRequest tokenRequest = vendor.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals(OnePasswordStubs.TOKEN_PATH))
                .filter(e -> e.getResponse().getBodyAsString().contains("\"" + token + "\""))
                .map(ServeEvent::getRequest)
                .findFirst().orElseThrow(() -> new AssertionError("no token request issued the token used"));
        OnePasswordStubs.App app = OnePasswordStubs.app(credential);
        String[] basic = OnePasswordStubs.decodeBasic(tokenRequest.getHeader("Authorization")).split(":", 2);
        assertThat(basic[0]).as("client id of the token request").isEqualTo(app.clientId());
        assertThat(basic[1].equals(app.secret())).as("the %s application's secret was sent", credential).isTrue();
        assertThat(tokenRequest.getBodyAsString()).isEqualTo("grant_type=client_credentials");
    }

    @Override
    protected ResponseDefinitionBuilder rateLimited(Duration retryAfter) {
        return OnePasswordStubs.rateLimited(retryAfter);
    }

    @Override
    protected List<RequestPatternBuilder> tokenRequests() {
        return List.of(postRequestedFor(urlPathEqualTo(OnePasswordStubs.TOKEN_PATH)));
    }

    @Test
    void eachVerbHasItsOwnApplication() {
        assertThat(connector().capabilities()).extracting(Capability::verb, Capability::credential).containsExactly(
                tuple(Verb.LOOKUP, "lookup"), tuple(Verb.SUSPEND, "suspend"), tuple(Verb.RESTORE, "reactivate"));
    }
}
