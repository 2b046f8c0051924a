package io.irhub.kamelets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads the test JVM's log ({@code target/kamelets-test.log}, irhub and Camel at debug, see
 * {@code simplelogger.properties}) for secrets a test handed to a Kamelet.
 */
final class SecretsInLogs {
    private static final Path LOG = Path.of("target", "kamelets-test.log");

    private SecretsInLogs() {
    }

    static void assertAbsent(Collection<String> secrets) {
        String log;
        try {
            log = Files.exists(LOG) ? Files.readString(LOG, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String secret : secrets) {
            // a PEM key is looked for by its base64 body, which is what would leak
            String needle = secret.contains("-----") ? secret.lines().skip(1).findFirst().orElseThrow() : secret;
            assertThat(log).as("the log holds a secret given to a Kamelet").doesNotContain(needle);
        }
    }
}
