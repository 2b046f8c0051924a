package io.irhub.connector.vault;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.irhub.connector.api.CheckResult;
import io.irhub.connector.testkit.TargetChecks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.irhub.connector.testkit.TargetChecks.result;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.irhub.connector.vault.VaultStubs.LOGIN_PATH;
import static io.irhub.connector.vault.VaultStubs.REVOKE_ROLE_ID;
import static io.irhub.connector.vault.VaultStubs.REVOKE_SECRET_ID_VARIABLE;
import static io.irhub.connector.vault.VaultStubs.REVOKE_TOKEN;
import static io.irhub.connector.vault.VaultStubs.ROTATE_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code irhub connectors check} against a fake Vault: its health, the revoke AppRole's login and the rotate token
 * file, and each token's lookup-self, whose answer (as Vault's does) holds the token itself.
 */
class VaultCheckTest {

    @RegisterExtension
    static final WireMockExtension vault = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final String HEALTH_PATH = "/v1/sys/health";
    private static final String LOOKUP_SELF_PATH = "/v1/auth/token/lookup-self";
    private static final List<String> SUBJECTS = List.of("address", "credential revoke", "credential rotate");

    @TempDir
    Path secrets;
    private Path rotateTokenFile;
    private final Map<String, String> environment = new HashMap<>(VaultStubs.environment());

    @BeforeEach
    void setUp() {
        vault.resetAll();
        rotateTokenFile = VaultStubs.writeRotateTokenFile(secrets);
    }

    private List<CheckResult> check(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(VaultStubs.config(vault.baseUrl(), rotateTokenFile));
        raw.putAll(changes);
        return TargetChecks.run(new VaultConnector(), "vault-test", raw, environment);
    }

    private List<CheckResult> check() {
        return check(Map.of());
    }


    private static void stubHealth(String field, boolean value) {
        ObjectNode health = (ObjectNode) VaultStubs.read("sys-health.json");
        if (field != null) {
            health.put(field, value);
        }
        vault.stubFor(get(urlPathEqualTo(HEALTH_PATH)).willReturn(okJson(health.toString())));
    }

    /** lookup-self of {@code token}: its policies, TTL and renewability, and (as Vault answers) the token itself. */
    private static void stubLookupSelf(String token, long ttl, boolean renewable, String... policies) {
        ObjectNode body = (ObjectNode) VaultStubs.read("token-lookup-self.json");
        ObjectNode data = (ObjectNode) body.get("data");
        data.put("id", token).put("ttl", ttl).put("renewable", renewable);
        ArrayNode list = data.putArray("policies");
        for (String policy : policies) {
            list.add(policy);
        }
        vault.stubFor(get(urlPathEqualTo(LOOKUP_SELF_PATH)).withHeader("X-Vault-Token", equalTo(token))
                .willReturn(okJson(body.toString())));
    }

    private static void stubAllGood() {
        stubHealth(null, false);
        VaultStubs.stubLogin(vault);
        stubLookupSelf(REVOKE_TOKEN, 1199, true, "default", "irhub-revoke");
        stubLookupSelf(ROTATE_TOKEN, 0, false, "default", "irhub-rotate");
    }

    @Test
    void aHealthyVaultAndValidTokensAreAllOk() {
        stubAllGood();

        List<CheckResult> results = check();

        assertThat(results).extracting(CheckResult::subject).containsExactlyElementsOf(SUBJECTS);
        assertThat(results).allSatisfy(r -> assertThat(r.ok()).as("%s", r).isTrue());
        assertThat(result(results, "address").message()).contains("1.15.2", "unsealed", "active");
        assertThat(result(results, "credential revoke").message())
                .contains(REVOKE_ROLE_ID, "default, irhub-revoke", "a TTL of 19m59s", "renewable");
        assertThat(result(results, "credential rotate").message())
                .contains("file:" + rotateTokenFile, "default, irhub-rotate", "no TTL", "not renewable");
        // the health read is unauthenticated; one login; one lookup-self per token; nothing else
        vault.verify(1, getRequestedFor(urlPathEqualTo(HEALTH_PATH)).withHeader("X-Vault-Token", absent())
                .withQueryParam("sealedcode", equalTo("200")));
        assertThat(VaultStubs.logins(vault)).hasSize(1);
        vault.verify(1, getRequestedFor(urlPathEqualTo(LOOKUP_SELF_PATH))
                .withHeader("X-Vault-Token", equalTo(REVOKE_TOKEN)));
        vault.verify(1, getRequestedFor(urlPathEqualTo(LOOKUP_SELF_PATH))
                .withHeader("X-Vault-Token", equalTo(ROTATE_TOKEN)));
        assertThat(vault.findAll(anyRequestedFor(anyUrl()))).hasSize(4);
    }

    @Test
    void aWrongSecretIdFailsTheRevokeCredentialNamingItsRoleId() {
        stubAllGood();
        vault.stubFor(post(urlPathEqualTo(LOGIN_PATH)).atPriority(10)
                .willReturn(VaultStubs.error(400, "error-approle-login.json")));
        environment.put(REVOKE_SECRET_ID_VARIABLE, "0d1e2f3a-not-the-secret-id");

        List<CheckResult> results = check();

        CheckResult revoke = result(results, "credential revoke");
        assertThat(revoke.ok()).isFalse();
        assertThat(revoke.message()).contains("revoke", REVOKE_ROLE_ID, "invalid role or secret ID",
                "check the role id and the secret id");
        assertThat(result(results, "address").ok()).isTrue();
        assertThat(result(results, "credential rotate").ok()).isTrue();
    }

    @Test
    void aTokenWithOnlyTheDefaultPolicyFailsNamingWhatItNeeds() {
        stubAllGood();
        stubLookupSelf(ROTATE_TOKEN, 3600, true, "default");

        CheckResult rotate = result(check(), "credential rotate");

        assertThat(rotate.ok()).isFalse();
        assertThat(rotate.message()).contains("only Vault's default policy", "rotate-role");
    }

    @Test
    void aTokenVaultDeniesFailsAsPermissionDenied() {
        stubAllGood();
        vault.stubFor(get(urlPathEqualTo(LOOKUP_SELF_PATH)).withHeader("X-Vault-Token", equalTo(ROTATE_TOKEN))
                .atPriority(1).willReturn(VaultStubs.error(403, "error-permission-denied.json")));

        CheckResult rotate = result(check(), "credential rotate");

        assertThat(rotate.ok()).isFalse();
        assertThat(rotate.message()).contains("permission denied", "HTTP 403", "expired or revoked",
                "auth/token/lookup-self");
    }

    @Test
    void aSealedVaultFailsTheAddress() {
        stubAllGood();
        stubHealth("sealed", true);

        CheckResult address = result(check(), "address");

        assertThat(address.ok()).isFalse();
        assertThat(address.message()).contains("is sealed");
    }

    @Test
    void aStandbyIsReportedAsSuch() {
        stubAllGood();
        stubHealth("standby", true);

        CheckResult address = result(check(), "address");

        assertThat(address.ok()).isTrue();
        assertThat(address.message()).contains("standby", "active node");
    }

    @Test
    void aServerThatIsNotVaultFailsTheAddress() {
        VaultStubs.stubLogin(vault);
        vault.stubFor(any(anyUrl()).atPriority(100).willReturn(aResponse().withStatus(404)));

        List<CheckResult> results = check();

        assertThat(result(results, "address").ok()).isFalse();
        assertThat(result(results, "address").message()).contains("HTTP 404", "not Vault's health status");
    }

    @Test
    void theNamespaceGoesWithTheTokenLookupsButNotWithTheHealthRead() {
        stubAllGood();

        assertThat(check(Map.of("namespace", "admin/team-a"))).allSatisfy(r -> assertThat(r.ok()).isTrue());

        vault.verify(2, getRequestedFor(urlPathEqualTo(LOOKUP_SELF_PATH))
                .withHeader("X-Vault-Namespace", equalTo("admin/team-a")));
        vault.verify(1, getRequestedFor(urlPathEqualTo(HEALTH_PATH)).withHeader("X-Vault-Namespace", absent()));
    }

    @Test
    void anUnreachableVaultFailsEveryResult() {
        List<CheckResult> results = check(Map.of("address", "http://127.0.0.1:" + closedPort(),
                "max-retries", "0"));

        assertThat(results).extracting(CheckResult::subject).containsExactlyElementsOf(SUBJECTS);
        assertThat(results).allSatisfy(r -> assertThat(r.ok()).as("%s", r).isFalse());
        assertThat(result(results, "address").message()).contains("cannot reach Vault");
        assertThat(result(results, "credential revoke").message())
                .contains("the revoke credential could not be checked: cannot reach Vault");
    }

    @Test
    void ttlsAreShownInDaysHoursMinutesAndSeconds() {
        assertThat(VaultTarget.duration(1200)).isEqualTo("20m");
        assertThat(VaultTarget.duration(2764790)).isEqualTo("31d23h59m50s");
        assertThat(VaultTarget.duration(0)).isEqualTo("0s");
    }

    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
