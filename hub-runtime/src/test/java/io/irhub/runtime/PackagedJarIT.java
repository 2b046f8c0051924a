package io.irhub.runtime;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar as shipped ({@code java -jar irhub.jar} with lib/ beside it), after the package phase: what the README's
 * first command runs. Catches a dependency the tests have but the jar lacks.
 */
class PackagedJarIT {

    @Test
    void theShippedJarRunsTheDemo() throws Exception {
        Path jar = Path.of("target", "irhub.jar").toAbsolutePath();
        assertThat(jar).exists();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "demo").redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err.lines().filter(l -> !l.startsWith("\tat ")).limit(40).reduce("", (a, b) -> a + "\n" + b))
                .isZero();
        assertThat(out).contains("=== end of DEMO ===").contains("succeeded");
    }
}
