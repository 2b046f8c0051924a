package io.irhub.connector.scim;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.TargetConnector;
import io.irhub.connector.api.Verb;
import io.irhub.connector.testkit.TargetConnectorContract;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.irhub.connector.scim.ScimStubs.LOGIN;
import static io.irhub.connector.scim.ScimStubs.USERS_PATH;
import static io.irhub.connector.scim.ScimStubs.USER_PATH;
import static org.assertj.core.api.Assertions.assertThat;

class ScimConnectorTest extends TargetConnectorContract {

    @Override
    protected TargetConnector connector() {
        return new ScimConnector();
    }

    @Override
    protected Map<String, Object> config(String baseUrl) {
        return ScimStubs.config(baseUrl);
    }

    @Override
    protected Map<String, String> environment() {
        return ScimStubs.environment();
    }

    @Override
    protected Set<String> expectedSecretFields() {
        return Set.of("lookup-token", "suspend-token", "restore-token");
    }

    @Override
    protected Identity identity() {
        return Identity.user(LOGIN);
    }

    /** The user is found active for a lookup or suspend, inactive for a restore; suspend answers 200, restore 204. */
    @Override
    protected void stubSuccess(Verb verb) {
        ScimStubs.stubFound(vendor, verb != Verb.RESTORE);
        switch (verb) {
            case SUSPEND -> ScimStubs.stubPatch(vendor, false);
            case RESTORE -> vendor.stubFor(patch(urlPathEqualTo(USER_PATH))
                    .withRequestBody(equalToJson(ScimStubs.patchBody(true)))
                    .willReturn(aResponse().withStatus(204)));
            default -> {
                // a lookup is the search stubbed above
            }
        }
    }

    @Override
    protected RequestPatternBuilder changeRequest(Verb verb) {
        return switch (verb) {
            case LOOKUP -> getRequestedFor(urlPathEqualTo(USERS_PATH))
                    .withQueryParam("filter", equalTo("userName eq \"" + LOGIN + "\""));
            case SUSPEND -> patchRequestedFor(urlPathEqualTo(USER_PATH))
                    .withRequestBody(equalToJson(ScimStubs.patchBody(false)));
            case RESTORE -> patchRequestedFor(urlPathEqualTo(USER_PATH))
                    .withRequestBody(equalToJson(ScimStubs.patchBody(true)));
            default -> throw new IllegalArgumentException("scim does not " + verb);
        };
    }

    @Override
    protected void assertUsedCredential(Verb verb, String credential) {
        List<LoggedRequest> changes = vendor.findAll(changeRequest(verb));
        assertThat(changes).isNotEmpty();
        for (LoggedRequest change : changes) {
            assertThat(change.getHeader("Authorization")).as("%s with the %s token", verb, credential)
                    .isEqualTo(ScimStubs.bearer(credential));
        }
        // the read before a change is the lookup token's, never the changing one's
        for (LoggedRequest read : vendor.findAll(getRequestedFor(urlPathEqualTo(USERS_PATH)))) {
            assertThat(read.getHeader("Authorization")).isEqualTo(ScimStubs.bearer("lookup"));
        }
    }

    @Override
    protected ResponseDefinitionBuilder rateLimited(Duration retryAfter) {
        return ScimStubs.rateLimited(retryAfter);
    }
}
