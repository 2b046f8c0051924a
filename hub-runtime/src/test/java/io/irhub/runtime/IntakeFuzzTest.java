package io.irhub.runtime;

import com.slack.api.app_backend.SlackSignature;
import io.irhub.connector.api.ApprovalChannel;
import io.irhub.connector.api.ConnectorContext;
import io.irhub.connector.api.Connectors;
import io.irhub.connector.api.InboundRequest;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.SecretResolver;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.Source;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input for every intake parser: arbitrary text, mutated vendor payloads, deep nesting, odd encodings.
 * A parser either returns signals or refuses with a short, clear InvalidPayloadException — never another exception
 * (which the hub would answer with a 5xx) and never by echoing a secret.
 */
class IntakeFuzzTest {
    static final String SECRET = "fuzz-secret-value-3c9e";
    static final Map<String, String> ENV = Map.of("T", SECRET);
    static final Map<String, Source> SOURCES = new LinkedHashMap<>();
    static final Map<String, InboundRequest> AUTH = new LinkedHashMap<>();
    static final ApprovalChannel SLACK;

    static {
        Connectors c = Connectors.discover();
        SecretResolver secrets = SecretResolver.of(ENV);
        SOURCES.put("splunk", c.source("splunk").open("fuzz-splunk",
                c.source("splunk").configDef().parse("s", Map.of("token", "${env:T}"), secrets)));
        SOURCES.put("generic", c.source("generic").open("fuzz-generic",
                c.source("generic").configDef().parse("s", Map.of("bearer-token", "${env:T}"), secrets)));
        SOURCES.put("sentinel", c.source("sentinel").open("fuzz-sentinel",
                c.source("sentinel").configDef().parse("s", Map.of("auth", "bearer", "bearer-token", "${env:T}"), secrets)));
        SOURCES.put("crowdstrike", c.source("crowdstrike").open("fuzz-crowdstrike",
                c.source("crowdstrike").configDef().parse("s", Map.of("webhook-secret", "${env:T}"), secrets)));
        SLACK = c.approval("slack").open("fuzz-slack", c.approval("slack").configDef().parse("s", Map.of(
                "bot-token", "${env:B}", "signing-secret", "${env:T}", "channel", "C0FUZZ01",
                "api-base-url", "http://127.0.0.1:9"), SecretResolver.of(Map.of("T", SECRET, "B", "xoxb-1-2-fuzz"))),
                ConnectorContext.defaults());
    }

    static String fixture(String connector, String name) {
        try {
            return Files.readString(Path.of("..", "connectors", connector, "src", "test", "resources", connector, name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static InboundRequest request(String body) {
        return new InboundRequest(SECRET, Map.of("Authorization", "Bearer " + SECRET, "Content-Type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<String> bodies() {
        List<String> seeds = List.of(fixture("splunk", "alert-compromised-user.json"), fixture("generic", "signal.json"),
                fixture("sentinel", "incident-create.json"), fixture("crowdstrike", "alert-v2.json"),
                fixture("crowdstrike", "epp-detection-summary-event.json"));
        Arbitrary<String> mutated = Arbitraries.of(seeds).flatMap(seed -> Arbitraries.integers().between(0, seed.length() - 1)
                .flatMap(at -> Arbitraries.oneOf(
                        Arbitraries.just(seed.substring(0, at)),                                        // truncated
                        Arbitraries.strings().ofMaxLength(8).map(s -> seed.substring(0, at) + s + seed.substring(at)),
                        Arbitraries.of("null", "[]", "{}", "\"\"", "1e999999", "-0", "\"\\u0000\"", "true")
                                .map(v -> seed.replaceFirst(":\\s*\"[^\"]*\"", ": " + v)))));
        Arbitrary<String> nested = Arbitraries.integers().between(1, 5000).map(d -> "[".repeat(d) + "]".repeat(d));
        Arbitrary<String> deepObjects = Arbitraries.integers().between(1, 3000).map(d -> "{\"a\":".repeat(d) + "1" + "}".repeat(d));
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(2000), mutated, nested, deepObjects,
                Arbitraries.strings().withCharRange('\u0000', '\uffff').ofMaxLength(500));
    }

    @Property(tries = 400)
    void everySourceRefusesHostileBodiesCleanly(@ForAll("bodies") String body) {
        for (Map.Entry<String, Source> e : SOURCES.entrySet()) {
            try {
                List<Signal> signals = e.getValue().normalize(request(body));
                assertThat(signals).as(e.getKey()).allSatisfy(s -> assertThat(s.identities()).isNotEmpty());
            } catch (InvalidPayloadException refused) {
                assertThat(refused.getMessage()).as(e.getKey()).isNotBlank().hasSizeLessThan(2000).doesNotContain(SECRET);
            } catch (RuntimeException | StackOverflowError unexpected) {
                throw new AssertionError(e.getKey() + " threw " + unexpected + " for a body of " + body.length() + " chars", unexpected);
            }
        }
    }

    @Property(tries = 300)
    void theSlackInteractionParserRefusesHostileClicksCleanly(@ForAll("bodies") String payload) {
        String body = "payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8);
        String ts = String.valueOf(Instant.now().getEpochSecond());
        String signature = new SlackSignature.Generator(SECRET).generate(ts, body);
        for (InboundRequest click : List.of(
                new InboundRequest(null, Map.of("X-Slack-Request-Timestamp", ts, "X-Slack-Signature", signature), body.getBytes(StandardCharsets.UTF_8)),
                new InboundRequest(null, Map.of("X-Slack-Request-Timestamp", ts, "X-Slack-Signature", "v0=" + "0".repeat(64)), body.getBytes(StandardCharsets.UTF_8)),
                new InboundRequest(null, Map.of(), payload.getBytes(StandardCharsets.UTF_8)))) {
            try {
                SLACK.interaction(click);
            } catch (InvalidPayloadException refused) {
                assertThat(refused.getMessage()).isNotBlank().doesNotContain(SECRET);
            } catch (RuntimeException | StackOverflowError unexpected) {
                throw new AssertionError("slack threw " + unexpected, unexpected);
            }
        }
    }
}
