package io.irhub.connector.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.irhub.connector.api.ActionOutcome;
import io.irhub.connector.api.ActionOutcome.Status;
import io.irhub.connector.api.ActionRequest;
import io.irhub.connector.api.ConnectorConfig;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Identity;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.SecretResolver;
import io.irhub.connector.api.Target;
import io.irhub.connector.api.Verb;
import io.irhub.connector.testkit.OutputCapture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.irhub.connector.vault.VaultStubs.ACCESSOR;
import static io.irhub.connector.vault.VaultStubs.LEASE_ID;
import static io.irhub.connector.vault.VaultStubs.LEASE_LOOKUP_PATH;
import static io.irhub.connector.vault.VaultStubs.LEASE_REVOKE_PATH;
import static io.irhub.connector.vault.VaultStubs.LOGIN_PATH;
import static io.irhub.connector.vault.VaultStubs.LOOKUP_ACCESSOR_PATH;
import static io.irhub.connector.vault.VaultStubs.RENEW_SELF_PATH;
import static io.irhub.connector.vault.VaultStubs.REVOKE_ACCESSOR_PATH;
import static io.irhub.connector.vault.VaultStubs.REVOKE_TOKEN;
import static io.irhub.connector.vault.VaultStubs.ROTATE_ROLE_PATH;
import static io.irhub.connector.vault.VaultStubs.ROTATE_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

class VaultTargetTest {

    @RegisterExtension
    static final WireMockExtension vault = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").extensions(new KvEcho())).build();

    private static final String KV_PATH = "/v1/secret/data/apps/billing/db";
    private static final Identity KV_SECRET = new Identity(IdentityKind.SECRET, "kv:secret/apps/billing/db", null, null);
    private static final String OLD_KV_PASSWORD = "old-kv-password-7Qm2xV9pL4sT";

    @TempDir
    Path secrets;
    private Path rotateTokenFile;
    private final MutableClock clock = new MutableClock();

    @BeforeEach
    void setUp() {
        vault.resetAll();
        rotateTokenFile = VaultStubs.writeRotateTokenFile(secrets);
    }

    private Target open(Map<String, Object> changes) {
        Map<String, Object> raw = new HashMap<>(VaultStubs.config(vault.baseUrl(), rotateTokenFile));
        raw.putAll(changes);
        ConnectorConfig config = new VaultConnector().configDef()
                .parse("vault-test", raw, SecretResolver.of(VaultStubs.environment()));
        return new VaultConnector().open("vault-test", config, new ConnectorContext(clock, "irhub/test"));
    }

    private Target open() {
        return open(Map.of());
    }

    private static ActionOutcome execute(Target target, Verb verb, Identity identity) {
        return target.execute(new ActionRequest(UUID.randomUUID(), UUID.randomUUID(), verb, "vault-test", identity,
                "key-" + UUID.randomUUID(), null));
    }

    private static Identity lease(String leaseId) {
        return new Identity(IdentityKind.SECRET, null, null, leaseId);
    }

    private static Identity accessor(String accessor) {
        return new Identity(IdentityKind.API_TOKEN, "ci-deployer", null, accessor);
    }

    private static Identity secret(String name) {
        return new Identity(IdentityKind.SECRET, name, null, null);
    }

    // ---- revoke

    @Test
    void aLeaseIsLookedUpThenRevokedSynchronously() {
        VaultStubs.stubLogin(vault);
        VaultStubs.stubLeaseRevoke(vault);

        ActionOutcome outcome = execute(open(), Verb.REVOKE, lease(LEASE_ID));

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo(LEASE_ID);
        assertThat(outcome.message()).isEqualTo("revoked Vault lease " + LEASE_ID);
        assertThat(outcome.details()).containsEntry("lease_id", LEASE_ID)
                .containsEntry("expire_time_before", "2026-11-24T12:18:11.228946708Z");
        vault.verify(putRequestedFor(urlPathEqualTo(LEASE_REVOKE_PATH))
                .withHeader("X-Vault-Token", equalTo(REVOKE_TOKEN))
                .withRequestBody(equalToJson("{\"lease_id\": \"" + LEASE_ID + "\", \"sync\": true}")));
        vault.verify(putRequestedFor(urlPathEqualTo(LEASE_LOOKUP_PATH)).withHeader("X-Vault-Token", equalTo(REVOKE_TOKEN)));
        assertThat(VaultStubs.logins(vault)).hasSize(1);
    }

    @Test
    void aLeaseIdReportedAsTheLoginIsRevokedToo() {
        VaultStubs.stubLogin(vault);
        VaultStubs.stubLeaseRevoke(vault);

        ActionOutcome outcome = execute(open(), Verb.REVOKE, secret(LEASE_ID));

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        vault.verify(1, putRequestedFor(urlPathEqualTo(LEASE_REVOKE_PATH)));
    }

    @Test
    void aLeaseVaultDoesNotKnowIsRefusedNotReportedDone() {
        VaultStubs.stubLogin(vault);
        vault.stubFor(put(urlPathEqualTo(LEASE_LOOKUP_PATH)).willReturn(VaultStubs.error(400, "error-invalid-lease.json")));

        ActionOutcome outcome = execute(open(), Verb.REVOKE, lease("database/creds/readonly/no-such-lease"));

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("knows no lease database/creds/readonly/no-such-lease",
                "HTTP 400: invalid lease", "expired or been revoked, or the id is wrong");
        assertThat(outcome.details()).containsEntry("http_status", 400).containsEntry("vault_errors",
                List.of("invalid lease"));
        vault.verify(0, putRequestedFor(urlPathEqualTo(LEASE_REVOKE_PATH)));
    }

    @Test
    void aTokenIsRevokedByItsAccessor() {
        VaultStubs.stubLogin(vault);
        VaultStubs.stubAccessorRevoke(vault);

        ActionOutcome outcome = execute(open(), Verb.REVOKE, accessor(ACCESSOR));

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo(ACCESSOR);
        assertThat(outcome.message()).isEqualTo("revoked the Vault token with accessor " + ACCESSOR
                + " (approle-ci-deployer) and its child tokens");
        assertThat(outcome.details()).containsEntry("accessor", ACCESSOR)
                .containsEntry("display_name", "approle-ci-deployer");
        vault.verify(postRequestedFor(urlPathEqualTo(REVOKE_ACCESSOR_PATH))
                .withHeader("X-Vault-Token", equalTo(REVOKE_TOKEN))
                .withRequestBody(equalToJson("{\"accessor\": \"" + ACCESSOR + "\"}")));
        vault.verify(0, putRequestedFor(urlPathEqualTo(LEASE_REVOKE_PATH)));
    }

    @Test
    void anAccessorVaultDoesNotKnowIsRefusedWithVaultsMessage() {
        VaultStubs.stubLogin(vault);
        vault.stubFor(post(urlPathEqualTo(LOOKUP_ACCESSOR_PATH))
                .willReturn(VaultStubs.error(400, "error-invalid-accessor.json")));

        ActionOutcome outcome = execute(open(), Verb.REVOKE, accessor("not-an-accessor"));

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("no token with accessor not-an-accessor", "HTTP 400: invalid accessor",
                "cannot tell these apart");
        vault.verify(0, postRequestedFor(urlPathEqualTo(REVOKE_ACCESSOR_PATH)));
    }

    @Test
    void aTokenRevokedBetweenItsLookupAndItsRevocationIsAlreadyDone() {
        VaultStubs.stubLogin(vault);
        VaultStubs.stubAccessorRevoke(vault);
        vault.stubFor(post(urlPathEqualTo(REVOKE_ACCESSOR_PATH)).atPriority(1)
                .willReturn(VaultStubs.error(400, "error-invalid-accessor.json")));

        ActionOutcome outcome = execute(open(), Verb.REVOKE, accessor(ACCESSOR));

        assertThat(outcome.status()).isEqualTo(Status.ALREADY_DONE);
        assertThat(outcome.message()).contains("was revoked or expired between its lookup and this revocation");
    }

    @Test
    void onlyLeasesAndTokensAreRevoked() {
        vault.stubFor(any(anyUrl()).willReturn(okJson("{}")));

        ActionOutcome outcome = execute(open(), Verb.REVOKE, Identity.user("jane@example.com"));

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("not a user");
        vault.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void verbsVaultDoesNotOfferAreRefusedWithoutACall() {
        vault.stubFor(any(anyUrl()).willReturn(okJson("{}")));

        ActionOutcome outcome = execute(open(), Verb.SUSPEND, lease(LEASE_ID));

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("cannot suspend");
        vault.verify(0, anyRequestedFor(anyUrl()));
    }

    // ---- rotate

    @Test
    void aStaticRoleIsRotatedWithTheRotateToken() {
        VaultStubs.stubRotateRole(vault);

        ActionOutcome outcome = execute(open(), Verb.ROTATE, secret(VaultStubs.STATIC_ROLE));

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo(VaultStubs.STATIC_ROLE);
        assertThat(outcome.details()).containsEntry("mount", "database").containsEntry("static_role", "billing-app");
        vault.verify(postRequestedFor(urlPathEqualTo(ROTATE_ROLE_PATH)).withHeader("X-Vault-Token", equalTo(ROTATE_TOKEN)));
        assertThat(VaultStubs.logins(vault)).isEmpty();
    }

    @Test
    void aConnectionsRootCredentialsAreRotatedUnderANestedMount() {
        vault.stubFor(post(urlPathEqualTo("/v1/db/prod/rotate-root/pg-main")).willReturn(aResponse().withStatus(204)));

        ActionOutcome outcome = execute(open(), Verb.ROTATE, secret("db/prod/config/pg-main"));

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.message()).isEqualTo("Vault rotated its own credentials for connection db/prod/config/pg-main");
        assertThat(outcome.details()).containsEntry("mount", "db/prod").containsEntry("connection", "pg-main");
        vault.verify(postRequestedFor(urlPathEqualTo("/v1/db/prod/rotate-root/pg-main"))
                .withHeader("X-Vault-Token", equalTo(ROTATE_TOKEN)));
    }

    @Test
    void aNameThatFollowsNoConventionIsRefusedWithoutACall() {
        vault.stubFor(any(anyUrl()).willReturn(okJson("{}")));

        ActionOutcome outcome = execute(open(), Verb.ROTATE, secret("database/roles/readonly"));

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("cannot tell what to rotate from 'database/roles/readonly'",
                "{mount}/static-roles/{name}", "kv:{mount}/{path}");
        vault.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aKvSecretIsRefusedWhenNoHookIsConfigured() {
        vault.stubFor(any(anyUrl()).willReturn(okJson("{}")));

        ActionOutcome outcome = execute(open(), Verb.ROTATE, KV_SECRET);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("KV v2 has no rotate operation", "no kv-rotation hook is configured");
        vault.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void theKvHookWritesANewVersionWithANewValueAndKeepsTheOtherKeysWithoutLoggingIt() {
        vault.stubFor(get(urlPathEqualTo(KV_PATH)).willReturn(okJson(VaultStubs.fixture("kv-read.json"))));
        vault.stubFor(post(urlPathEqualTo(KV_PATH)).willReturn(okJson(VaultStubs.fixture("kv-write.json"))));

        ActionOutcome outcome;
        String written;
        try (OutputCapture capture = OutputCapture.start()) {
            outcome = execute(open(Map.of("kv-rotation", "random-password")), Verb.ROTATE, KV_SECRET);
            List<LoggedRequest> writes = vault.findAll(postRequestedFor(urlPathEqualTo(KV_PATH)));
            assertThat(writes).hasSize(1);
            JsonNode body = VaultStubs.json(writes.get(0).getBodyAsString());
            assertThat(body.path("options").path("cas").asLong()).as("check-and-set on the version read").isEqualTo(3);
            JsonNode data = body.path("data");
            assertThat(data.path("username").asText()).isEqualTo("billing_app");
            assertThat(data.path("host").asText()).isEqualTo("db.internal.example.com:5432");
            written = data.path("password").asText();
            assertThat(written).matches("[A-Za-z0-9]{32}").isNotEqualTo(OLD_KV_PASSWORD);
            capture.assertContainsNone(List.of(written, OLD_KV_PASSWORD));
        }

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.targetRef()).isEqualTo("kv:secret/apps/billing/db");
        assertThat(outcome.details()).containsEntry("mount", "secret").containsEntry("path", "apps/billing/db")
                .containsEntry("key", "password").containsEntry("version_before", 3L).containsEntry("version_after", 4L);
        assertThat(outcome.toString()).doesNotContain(written, OLD_KV_PASSWORD);
        vault.verify(getRequestedFor(urlPathEqualTo(KV_PATH)).withHeader("X-Vault-Token", equalTo(ROTATE_TOKEN)));
        vault.verify(postRequestedFor(urlPathEqualTo(KV_PATH)).withHeader("X-Vault-Token", equalTo(ROTATE_TOKEN)));
    }

    @Test
    void aKvSecretWithoutTheKeyIsRefusedNamingOnlyItsKeys() {
        vault.stubFor(get(urlPathEqualTo(KV_PATH)).willReturn(okJson(VaultStubs.fixture("kv-read.json"))));

        ActionOutcome outcome = execute(open(Map.of("kv-rotation", "random-password", "kv-rotation-key", "api_key")),
                Verb.ROTATE, KV_SECRET);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("has no key 'api_key'");
        assertThat(outcome.details()).containsEntry("keys", List.of("username", "password", "host"));
        assertThat(outcome.toString()).doesNotContain(OLD_KV_PASSWORD);
        vault.verify(0, postRequestedFor(urlPathEqualTo(KV_PATH)));
    }

    @Test
    void aMissingKvSecretIsRefused() {
        vault.stubFor(get(urlPathEqualTo(KV_PATH)).willReturn(VaultStubs.error(404, "error-not-found.json")));

        ActionOutcome outcome = execute(open(Map.of("kv-rotation", "random-password")), Verb.ROTATE, KV_SECRET);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("no KV v2 secret kv:secret/apps/billing/db");
        vault.verify(0, postRequestedFor(urlPathEqualTo(KV_PATH)));
    }

    @Test
    void aKvWriteWhoseAnswerWasLostIsRecognisedOnItsRetry() {
        // a proxy answers 502 though Vault wrote the version; the retry then fails check-and-set against it
        vault.stubFor(get(urlPathEqualTo(KV_PATH)).inScenario("kv").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(VaultStubs.fixture("kv-read.json"))));
        vault.stubFor(post(urlPathEqualTo(KV_PATH)).inScenario("kv").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("written").willReturn(aResponse().withStatus(502).withTransformers(KvEcho.NAME)));
        vault.stubFor(post(urlPathEqualTo(KV_PATH)).inScenario("kv").whenScenarioStateIs("written")
                .willReturn(VaultStubs.error(400, "error-cas.json")));
        vault.stubFor(get(urlPathEqualTo(KV_PATH)).inScenario("kv").whenScenarioStateIs("written")
                .willReturn(aResponse().withTransformers(KvEcho.NAME)));

        ActionOutcome outcome = execute(open(Map.of("kv-rotation", "random-password")), Verb.ROTATE, KV_SECRET);

        assertThat(outcome.status()).as("%s", outcome).isEqualTo(Status.SUCCEEDED);
        assertThat(outcome.details()).containsEntry("version_before", 3L).containsEntry("version_after", 4L);
        vault.verify(2, postRequestedFor(urlPathEqualTo(KV_PATH)));
    }

    @Test
    void aKvSecretChangedWhileBeingRotatedIsNotOverwritten() {
        vault.stubFor(get(urlPathEqualTo(KV_PATH)).inScenario("kv").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(VaultStubs.fixture("kv-read.json"))));
        vault.stubFor(post(urlPathEqualTo(KV_PATH)).inScenario("kv").willSetStateTo("changed")
                .willReturn(VaultStubs.error(400, "error-cas.json")));
        ObjectNode changed = (ObjectNode) VaultStubs.read("kv-read.json");
        ((ObjectNode) changed.path("data").path("metadata")).put("version", 5);
        ((ObjectNode) changed.path("data").path("data")).put("password", "someone-elses-new-value");
        vault.stubFor(get(urlPathEqualTo(KV_PATH)).inScenario("kv").whenScenarioStateIs("changed")
                .willReturn(okJson(changed.toString())));

        ActionOutcome outcome = execute(open(Map.of("kv-rotation", "random-password")), Verb.ROTATE, KV_SECRET);

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("changed from version 3 to 5 while it was being rotated",
                "nothing was written");
        assertThat(outcome.toString()).doesNotContain("someone-elses-new-value");
        vault.verify(1, postRequestedFor(urlPathEqualTo(KV_PATH)));
    }

    // ---- credentials, namespace, errors

    @Test
    void theNamespaceIsSentOnEveryCallTheLoginToo() {
        VaultStubs.stubLogin(vault);
        VaultStubs.stubLeaseRevoke(vault);

        ActionOutcome outcome = execute(open(Map.of("namespace", "/admin/team-a/")), Verb.REVOKE, lease(LEASE_ID));

        assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
        List<LoggedRequest> calls = vault.findAll(anyRequestedFor(anyUrl()));
        assertThat(calls).extracting(LoggedRequest::getUrl)
                .containsExactly(LOGIN_PATH, LEASE_LOOKUP_PATH, LEASE_REVOKE_PATH);
        assertThat(calls).allSatisfy(c -> assertThat(c.getHeader("X-Vault-Namespace")).isEqualTo("admin/team-a"));
    }

    @Test
    void noNamespaceHeaderWithoutANamespace() {
        VaultStubs.stubRotateRole(vault);

        execute(open(), Verb.ROTATE, secret(VaultStubs.STATIC_ROLE));

        assertThat(vault.findAll(anyRequestedFor(anyUrl())))
                .allSatisfy(c -> assertThat(c.containsHeader("X-Vault-Namespace")).isFalse());
    }

    @Test
    void anAppRoleTokenIsReusedThenRenewedBeforeItExpiresThenReplacedOnceExpired() {
        VaultStubs.stubLogin(vault, REVOKE_TOKEN, 60, true);
        vault.stubFor(post(urlPathEqualTo(RENEW_SELF_PATH)).withHeader("X-Vault-Token", equalTo(REVOKE_TOKEN))
                .willReturn(okJson(VaultStubs.auth("token-renew-self.json", REVOKE_TOKEN, 60, true))));
        VaultStubs.stubLeaseRevoke(vault);
        Target target = open();

        assertThat(execute(target, Verb.REVOKE, lease(LEASE_ID)).status()).isEqualTo(Status.SUCCEEDED);
        clock.advance(Duration.ofSeconds(30));
        assertThat(execute(target, Verb.REVOKE, lease(LEASE_ID)).status()).isEqualTo(Status.SUCCEEDED);
        assertThat(VaultStubs.logins(vault)).hasSize(1);
        vault.verify(0, postRequestedFor(urlPathEqualTo(RENEW_SELF_PATH)));

        clock.advance(Duration.ofSeconds(15)); // 45 s into a 60 s lease: past two thirds
        assertThat(execute(target, Verb.REVOKE, lease(LEASE_ID)).status()).isEqualTo(Status.SUCCEEDED);
        vault.verify(1, postRequestedFor(urlPathEqualTo(RENEW_SELF_PATH)));
        assertThat(VaultStubs.logins(vault)).hasSize(1);

        clock.advance(Duration.ofSeconds(120)); // the renewed lease ended at 105 s
        assertThat(execute(target, Verb.REVOKE, lease(LEASE_ID)).status()).isEqualTo(Status.SUCCEEDED);
        vault.verify(1, postRequestedFor(urlPathEqualTo(RENEW_SELF_PATH)));
        assertThat(VaultStubs.logins(vault)).hasSize(2);
        assertThat(vault.findAll(putRequestedFor(urlPathEqualTo(LEASE_REVOKE_PATH))))
                .allSatisfy(r -> assertThat(r.getHeader("X-Vault-Token")).isEqualTo(REVOKE_TOKEN));
    }

    @Test
    void aTokenVaultWillNotRenewIsReplacedByALogin() {
        VaultStubs.stubLogin(vault, REVOKE_TOKEN, 60, true);
        vault.stubFor(post(urlPathEqualTo(RENEW_SELF_PATH))
                .willReturn(VaultStubs.error(403, "error-permission-denied.json")));
        VaultStubs.stubLeaseRevoke(vault);
        Target target = open();

        execute(target, Verb.REVOKE, lease(LEASE_ID));
        clock.advance(Duration.ofSeconds(45));
        assertThat(execute(target, Verb.REVOKE, lease(LEASE_ID)).status()).isEqualTo(Status.SUCCEEDED);

        vault.verify(1, postRequestedFor(urlPathEqualTo(RENEW_SELF_PATH)));
        assertThat(VaultStubs.logins(vault)).hasSize(2);
    }

    @Test
    void aTokenThatIsNotRenewableOrWhoseRenewalWasCappedIsReplacedByALogin() {
        VaultStubs.stubLogin(vault, REVOKE_TOKEN, 60, true);
        // the token reached its max TTL: Vault renews it for less than asked
        vault.stubFor(post(urlPathEqualTo(RENEW_SELF_PATH))
                .willReturn(okJson(VaultStubs.auth("token-renew-self.json", REVOKE_TOKEN, 30, true))));
        VaultStubs.stubLeaseRevoke(vault);
        Target target = open();

        execute(target, Verb.REVOKE, lease(LEASE_ID));
        clock.advance(Duration.ofSeconds(45));
        execute(target, Verb.REVOKE, lease(LEASE_ID)); // renewed for 30 s, the last renewal
        clock.advance(Duration.ofSeconds(25));
        execute(target, Verb.REVOKE, lease(LEASE_ID));

        vault.verify(1, postRequestedFor(urlPathEqualTo(RENEW_SELF_PATH)));
        assertThat(VaultStubs.logins(vault)).hasSize(2);
    }

    @Test
    void theTokenFileIsReadAgainBeforeEachUse() throws IOException {
        VaultStubs.stubRotateRole(vault);
        Target target = open();

        execute(target, Verb.ROTATE, secret(VaultStubs.STATIC_ROLE));
        Files.writeString(rotateTokenFile, "hvs.token-the-agent-wrote-later\n");
        execute(target, Verb.ROTATE, secret(VaultStubs.STATIC_ROLE));

        assertThat(vault.findAll(postRequestedFor(urlPathEqualTo(ROTATE_ROLE_PATH))))
                .extracting(r -> r.getHeader("X-Vault-Token"))
                .containsExactly(ROTATE_TOKEN, "hvs.token-the-agent-wrote-later");
    }

    @Test
    void aRefusedLoginIsReportedWithVaultsMessageAndNotTheSecretId() {
        vault.stubFor(post(urlPathEqualTo(LOGIN_PATH)).willReturn(VaultStubs.error(400, "error-approle-login.json")));

        ActionOutcome outcome = execute(open(), Verb.REVOKE, lease(LEASE_ID));

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).contains("refused the login of the revoke credential's AppRole",
                VaultStubs.REVOKE_ROLE_ID, "invalid role or secret ID").doesNotContain(VaultStubs.REVOKE_SECRET_ID);
        vault.verify(0, putRequestedFor(urlPathEqualTo(LEASE_LOOKUP_PATH)));
    }

    @Test
    void aForbiddenCallIsRefusedNamingThePolicyPathTheCredentialLacks() {
        vault.stubFor(post(urlPathEqualTo(ROTATE_ROLE_PATH))
                .willReturn(VaultStubs.error(403, "error-permission-denied.json")));

        ActionOutcome outcome = execute(open(Map.of("namespace", "admin")), Verb.ROTATE, secret(VaultStubs.STATIC_ROLE));

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.message()).isEqualTo("Vault refused the rotation of static role "
                + "database/static-roles/billing-app (HTTP 403: permission denied); the rotate credential's policy "
                + "needs \"update\" on path \"database/rotate-role/billing-app\" in namespace admin, and its token "
                + "must be valid");
        assertThat(outcome.details()).containsEntry("http_status", 403)
                .containsEntry("vault_errors", List.of("permission denied")).containsEntry("credential", "rotate");
    }

    @Test
    void aForbiddenAnswerMakesTheNextActionLogInAfresh() {
        VaultStubs.stubLogin(vault);
        vault.stubFor(put(urlPathEqualTo(LEASE_LOOKUP_PATH))
                .willReturn(VaultStubs.error(403, "error-permission-denied.json")));
        Target target = open();

        assertThat(execute(target, Verb.REVOKE, lease(LEASE_ID)).message()).contains("\"sys/leases/lookup\"");
        execute(target, Verb.REVOKE, lease(LEASE_ID));

        assertThat(VaultStubs.logins(vault)).hasSize(2);
    }

    @Test
    void aSealedVaultFailsTheActionAfterTheRetriesSayingItIsSealed() {
        VaultStubs.stubLogin(vault);
        vault.stubFor(put(urlPathEqualTo(LEASE_LOOKUP_PATH)).willReturn(VaultStubs.error(503, "error-sealed.json")));

        ActionOutcome outcome = execute(open(Map.of("max-retries", "2")), Verb.REVOKE, lease(LEASE_ID));

        assertThat(outcome.status()).isEqualTo(Status.FAILED);
        assertThat(outcome.message()).contains("HTTP 503: Vault is sealed", "after 3 attempts",
                "503 when it is sealed, or when it is a standby");
        assertThat(outcome.details()).containsEntry("http_status", 503);
        vault.verify(3, putRequestedFor(urlPathEqualTo(LEASE_LOOKUP_PATH)));
        vault.verify(0, putRequestedFor(urlPathEqualTo(LEASE_REVOKE_PATH)));
    }

    @Test
    void aRateLimitLongerThanAllowedFailsAtOnce() {
        VaultStubs.stubLogin(vault);
        vault.stubFor(put(urlPathEqualTo(LEASE_LOOKUP_PATH)).willReturn(VaultStubs.rateLimited(Duration.ofMinutes(2))));

        long started = System.nanoTime();
        ActionOutcome outcome = execute(open(Map.of("max-rate-limit-wait", "30s")), Verb.REVOKE, lease(LEASE_ID));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(outcome.status()).isEqualTo(Status.FAILED);
        assertThat(outcome.message()).contains("retry in 120 s", "max-rate-limit-wait (30 s)");
        assertThat(outcome.details()).containsEntry("retry_after", "120");
        vault.verify(1, putRequestedFor(urlPathEqualTo(LEASE_LOOKUP_PATH)));
    }

    /** A clock the tests move forward, so token lifetimes pass without waiting. */
    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-24T11:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /**
     * Remembers the data of the KV write it is attached to and answers a read it is attached to with that data as
     * version 4: a Vault that applied a write whose answer the client never saw.
     */
    static final class KvEcho implements ResponseDefinitionTransformerV2 {
        static final String NAME = "kv-echo";
        private static final AtomicReference<JsonNode> WRITTEN = new AtomicReference<>();

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            if (event.getRequest().getMethod().getName().equals("POST")) {
                WRITTEN.set(VaultStubs.json(event.getRequest().getBodyAsString()).path("data"));
                return event.getResponseDefinition();
            }
            ObjectNode read = (ObjectNode) VaultStubs.read("kv-read.json");
            ((ObjectNode) read.path("data")).set("data", WRITTEN.get());
            ((ObjectNode) read.path("data").path("metadata")).put("version", 4);
            return ResponseDefinition.okForJson(read);
        }

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }
    }
}
