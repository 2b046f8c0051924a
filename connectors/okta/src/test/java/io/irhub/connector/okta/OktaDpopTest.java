package io.irhub.connector.okta;

import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionOutcome.Status;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.SecretResolver;
import io.irhub.connector.api.Target;
import io.irhub.connector.api.Verb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.irhub.connector.okta.OktaStubs.LOGIN;
import static io.irhub.connector.okta.OktaStubs.SESSIONS_PATH;
import static io.irhub.connector.okta.OktaStubs.TOKEN_PATH;
import static io.irhub.connector.okta.OktaStubs.USER_PATH;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Service apps that require DPoP (RFC 9449): Okta's token endpoint asks for a proof and a nonce, tokens come back
 * DPoP-bound, and every API call then carries a proof of its own. Proofs are checked as Okta checks them: signed by
 * the key in their header, for the request's method and URI, with the nonce, a fresh jti and the token's hash.
 */
class OktaDpopTest {

    @RegisterExtension
    static final WireMockExtension okta = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final String TOKEN_NONCE = "token-nonce-1";
    private static final String API_NONCE = "api-nonce-1";

    private final Map<String, String> environment = new HashMap<>(OktaStubs.environment());

    private Target open(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(OktaStubs.config(okta.baseUrl()));
        raw.putAll(changes);
        ConnectorConfig config = new OktaConnector().configDef()
                .parse("okta-test", raw, SecretResolver.of(environment));
        return new OktaConnector().open("okta-test", config, new ConnectorContext(Clock.systemUTC(), "irhub/test"));
    }

    private static ActionOutcome execute(Target target, Verb verb) {
        return target.execute(new ActionRequest(UUID.randomUUID(), UUID.randomUUID(), verb, "okta-test",
                Identity.user(LOGIN), "key-" + UUID.randomUUID(), null));
    }

    /**
     * Okta's token endpoint for apps that require DPoP: without a proof, 400 invalid_dpop_proof (proof missing) or,
     * with {@code nonceFirst}, 400 use_dpop_nonce and the nonce; with a proof but not the current nonce, 400
     * use_dpop_nonce and the nonce; with both, a DPoP token of the app's ({@code access-token-<credential>}).
     */
    private static void stubDpopTokens(boolean nonceFirst) {
        okta.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(1)
                .withHeader("DPoP", absent())
                .willReturn(nonceFirst
                        ? OktaStubs.error(400, "token-error-use-dpop-nonce.json").withHeader("DPoP-Nonce", TOKEN_NONCE)
                        : OktaStubs.error(400, "token-error-dpop.json")));
        okta.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(2)
                .andMatching(request -> MatchResult.of(!TOKEN_NONCE.equals(nonce(request))))
                .willReturn(OktaStubs.error(400, "token-error-use-dpop-nonce.json")
                        .withHeader("DPoP-Nonce", TOKEN_NONCE)));
        for (OktaStubs.App app : OktaStubs.APPS) {
            for (String scope : List.of("okta.users.read", "okta.users.manage")) {
                okta.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(3)
                        .andMatching(request -> MatchResult.of(OktaStubs.form(request.getBodyAsString())
                                .get("scope").equals(scope) && issuedBy(request, app)))
                        .willReturn(okJson(OktaStubs.token(OktaStubs.credentialOf(app), scope, "DPoP"))));
            }
        }
    }

    private static boolean issuedBy(Request tokenRequest, OktaStubs.App app) {
        try {
            return SignedJWT.parse(OktaStubs.form(tokenRequest.getBodyAsString()).get("client_assertion"))
                    .getJWTClaimsSet().getIssuer().equals(app.clientId());
        } catch (ParseException e) {
            return false;
        }
    }

    private static String nonce(Request request) {
        String proof = request.getHeader("DPoP");
        try {
            return proof == null ? null : SignedJWT.parse(proof).getJWTClaimsSet().getStringClaim("nonce");
        } catch (ParseException e) {
            return null;
        }
    }

    /** A user read that wants {@code token} as a DPoP token. */
    private static void stubUser(String token) {
        okta.stubFor(get(urlPathEqualTo(USER_PATH)).withHeader("Authorization", equalTo("DPoP " + token))
                .withHeader("DPoP", matching(".+"))
                .willReturn(okJson(OktaStubs.user(OktaUser.ACTIVE))));
    }

    @Test
    void anAppThatAsksForANonceGetsProofsAndItsDpopTokenIsSentWithAProofPerCall() throws Exception {
        stubDpopTokens(true);
        stubUser("access-token-lookup");
        okta.stubFor(delete(urlPathEqualTo(SESSIONS_PATH))
                .withHeader("Authorization", equalTo("DPoP access-token-suspend"))
                .willReturn(aResponse().withStatus(204)));
        Instant before = Instant.now().minusSeconds(1);

        ActionOutcome outcome = execute(open(Map.of()), Verb.CLEAR_SESSIONS);

        assertThat(outcome.status()).as("%s", outcome).isEqualTo(Status.SUCCEEDED);
        List<LoggedRequest> tokenRequests = OktaStubs.tokenRequests(okta);
        // each app: first without a proof (Okta answers use_dpop_nonce), then with a proof carrying the nonce
        assertThat(tokenRequests).hasSize(4);
        assertThat(tokenRequests).extracting(r -> r.getHeader("DPoP") == null)
                .containsExactly(true, false, true, false);
        Set<String> jtis = new HashSet<>();
        ECKey key = null;
        for (LoggedRequest tokenRequest : List.of(tokenRequests.get(1), tokenRequests.get(3))) {
            SignedJWT proof = verifiedProof(tokenRequest);
            JWTClaimsSet claims = proof.getJWTClaimsSet();
            assertThat(claims.getStringClaim("htm")).isEqualTo("POST");
            assertThat(claims.getStringClaim("htu")).isEqualTo(okta.baseUrl() + TOKEN_PATH);
            assertThat(claims.getStringClaim("nonce")).isEqualTo(TOKEN_NONCE);
            assertThat(claims.getClaim("ath")).isNull();
            assertThat(claims.getIssueTime()).isAfter(before).isBefore(Instant.now().plusSeconds(1));
            assertThat(jtis.add(claims.getJWTID())).as("fresh jti").isTrue();
            key = key == null ? proofKey(proof) : key;
            assertThat(proofKey(proof)).as("one key per instance").isEqualTo(key);
        }

        LoggedRequest read = okta.findAll(getRequestedFor(urlPathEqualTo(USER_PATH))).get(0);
        assertThat(read.getHeader("Authorization")).isEqualTo("DPoP access-token-lookup");
        JWTClaimsSet readClaims = verifiedProof(read).getJWTClaimsSet();
        assertThat(readClaims.getStringClaim("htm")).isEqualTo("GET");
        assertThat(readClaims.getStringClaim("htu")).isEqualTo(okta.baseUrl() + USER_PATH);
        assertThat(readClaims.getStringClaim("ath")).isEqualTo(sha256("access-token-lookup"));
        assertThat(readClaims.getStringClaim("nonce")).as("the API has sent no nonce").isNull();
        assertThat(jtis.add(readClaims.getJWTID())).isTrue();
        assertThat(proofKey(verifiedProof(read))).isEqualTo(key);

        LoggedRequest clear = okta.findAll(deleteRequestedFor(urlPathEqualTo(SESSIONS_PATH))).get(0);
        JWTClaimsSet clearClaims = verifiedProof(clear).getJWTClaimsSet();
        assertThat(clearClaims.getStringClaim("htm")).isEqualTo("DELETE");
        assertThat(clearClaims.getStringClaim("htu")).as("without the query")
                .isEqualTo(okta.baseUrl() + SESSIONS_PATH);
        assertThat(clearClaims.getStringClaim("ath")).isEqualTo(sha256("access-token-suspend"));
        assertThat(jtis.add(clearClaims.getJWTID())).isTrue();
    }

    @Test
    void anAppMissingItsProofIsSentOneThenTheNonceAndIsRememberedForItsNextToken() {
        stubDpopTokens(false);
        stubUser("access-token-lookup");

        try (Target target = open(Map.of("max-retries", "0"))) {
            assertThat(execute(target, Verb.LOOKUP).status()).isEqualTo(Status.SUCCEEDED);
            // the token was refused by the API: the next action fetches a new one, with a proof from the start
            okta.stubFor(get(urlPathEqualTo(USER_PATH)).atPriority(1).willReturn(aResponse().withStatus(401)));
            assertThat(execute(target, Verb.LOOKUP).status()).isEqualTo(Status.REFUSED);
            assertThat(execute(target, Verb.LOOKUP).status()).isEqualTo(Status.REFUSED);
        }

        List<LoggedRequest> tokenRequests = OktaStubs.tokenRequests(okta);
        // invalid_dpop_proof (no proof) -> use_dpop_nonce (proof) -> token (proof + nonce); then proof + nonce at once
        assertThat(tokenRequests).extracting(r -> r.getHeader("DPoP") != null).containsExactly(false, true, true, true);
        assertThat(tokenRequests).extracting(r -> nonce(r)).containsExactly(null, null, TOKEN_NONCE, TOKEN_NONCE);
    }

    @Test
    void dpopConfiguredSendsAProofWithTheFirstTokenRequestAndReusesTheNonce() {
        stubDpopTokens(false);
        stubUser("access-token-lookup");
        okta.stubFor(delete(urlPathEqualTo(SESSIONS_PATH))
                .withHeader("Authorization", equalTo("DPoP access-token-suspend"))
                .willReturn(aResponse().withStatus(204)));

        assertThat(execute(open(Map.of("dpop", "true")), Verb.CLEAR_SESSIONS).status()).isEqualTo(Status.SUCCEEDED);

        List<LoggedRequest> tokenRequests = OktaStubs.tokenRequests(okta);
        assertThat(tokenRequests).allSatisfy(r -> assertThat(r.getHeader("DPoP")).isNotBlank());
        // the lookup app learns the nonce; the suspend app's first proof already carries it
        assertThat(tokenRequests).extracting(r -> nonce(r)).containsExactly(null, TOKEN_NONCE, TOKEN_NONCE);
    }

    @Test
    void theApisOwnNonceIsSentOnceAskedForWithoutANewToken() throws Exception {
        stubDpopTokens(true);
        okta.stubFor(get(urlPathEqualTo(USER_PATH)).atPriority(1)
                .andMatching(request -> MatchResult.of(!API_NONCE.equals(nonce(request))))
                .willReturn(aResponse().withStatus(401)
                        .withHeader("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\", "
                                + "error_description=\"Resource server requires nonce in DPoP proof\"")
                        .withHeader("DPoP-Nonce", API_NONCE)));
        stubUser("access-token-lookup");

        try (Target target = open(Map.of())) {
            assertThat(execute(target, Verb.LOOKUP).status()).isEqualTo(Status.SUCCEEDED);
            assertThat(execute(target, Verb.LOOKUP).status()).isEqualTo(Status.SUCCEEDED);
        }

        List<LoggedRequest> reads = okta.findAll(getRequestedFor(urlPathEqualTo(USER_PATH)));
        assertThat(reads).extracting(r -> nonce(r)).containsExactly(null, API_NONCE, API_NONCE);
        for (LoggedRequest read : reads) {
            assertThat(verifiedProof(read).getJWTClaimsSet().getStringClaim("ath"))
                    .isEqualTo(sha256("access-token-lookup"));
        }
        assertThat(OktaStubs.tokenRequests(okta)).hasSize(2);
    }

    @Test
    void aNonceOktaKeepsRefusingEndsInARefusalAfterThreeTokenRequests() {
        okta.stubFor(post(urlPathEqualTo(TOKEN_PATH)).willReturn(OktaStubs.error(400, "token-error-use-dpop-nonce.json")
                .withHeader("DPoP-Nonce", TOKEN_NONCE)));

        ActionOutcome outcome = execute(open(Map.of()), Verb.LOOKUP);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains(OktaStubs.LOOKUP_APP.clientId(), "use_dpop_nonce",
                "did not accept the connector's DPoP proof");
        assertThat(outcome.details()).containsEntry("oauth_error", "use_dpop_nonce");
        assertThat(OktaStubs.tokenRequests(okta)).hasSize(3);
        okta.verify(0, getRequestedFor(urlPathEqualTo(USER_PATH)));
    }

    @Test
    void aProofOktaRefusesEndsInARefusal() {
        okta.stubFor(post(urlPathEqualTo(TOKEN_PATH)).willReturn(OktaStubs.error(400, "token-error-dpop.json")));

        ActionOutcome outcome = execute(open(Map.of()), Verb.LOOKUP);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("invalid_dpop_proof", "did not accept the connector's DPoP proof");
        // once without a proof, once with one
        assertThat(OktaStubs.tokenRequests(okta)).extracting(r -> r.getHeader("DPoP") != null)
                .containsExactly(false, true);
    }

    @Test
    void aBearerTokenIssuedDespiteTheProofIsSentAsABearerToken() {
        okta.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .willReturn(okJson(OktaStubs.token("lookup", "okta.users.read", "Bearer"))));
        okta.stubFor(get(urlPathEqualTo(USER_PATH)).willReturn(okJson(OktaStubs.user(OktaUser.ACTIVE))));

        assertThat(execute(open(Map.of("dpop", "true")), Verb.LOOKUP).status()).isEqualTo(Status.SUCCEEDED);

        okta.verify(getRequestedFor(urlPathEqualTo(USER_PATH))
                .withHeader("Authorization", equalTo("Bearer access-token-lookup"))
                .withoutHeader("DPoP"));
    }

    /** The request's DPoP proof, after checking its header and its signature by the key the header carries. */
    private static SignedJWT verifiedProof(LoggedRequest request) throws Exception {
        String header = request.getHeader("DPoP");
        assertThat(header).as("DPoP header of %s %s", request.getMethod(), request.getUrl()).isNotBlank();
        SignedJWT proof = SignedJWT.parse(header);
        assertThat(proof.getHeader().getType()).isEqualTo(Dpop.TYPE);
        assertThat(proof.getHeader().getType().getType()).isEqualTo("dpop+jwt");
        assertThat(proof.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        ECKey key = proofKey(proof);
        assertThat(key.isPrivate()).as("the header carries the public key only").isFalse();
        assertThat(proof.verify(new ECDSAVerifier(key))).as("signed by the key in its header").isTrue();
        assertThat(proof.getJWTClaimsSet().getJWTID()).isNotBlank();
        assertThat(proof.getJWTClaimsSet().getIssueTime()).isNotNull();
        return proof;
    }

    private static ECKey proofKey(SignedJWT proof) {
        assertThat(proof.getHeader().getJWK()).isInstanceOf(ECKey.class);
        return (ECKey) proof.getHeader().getJWK();
    }

    private static String sha256(String token) throws Exception {
        return Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)))
                .toString();
    }
}
