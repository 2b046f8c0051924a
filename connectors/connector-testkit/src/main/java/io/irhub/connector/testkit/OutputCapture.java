package io.irhub.connector.testkit;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tees {@code System.out} and {@code System.err} (where slf4j-simple writes) while a block runs, so a test can
 * assert that no secret reached a log line.
 */
public final class OutputCapture implements AutoCloseable {
    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    public static OutputCapture start() {
        return new OutputCapture();
    }

    private OutputCapture() {
        System.setOut(new PrintStream(new Tee(originalOut, captured), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(originalErr, captured), true, StandardCharsets.UTF_8));
    }

    public synchronized String text() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** Fails naming the position of a secret, never printing the secret itself. */
    public void assertContainsNone(Collection<String> secrets) {
        String text = text();
        int i = 0;
        for (String secret : secrets) {
            i++;
            assertThat(text.contains(secret))
                    .as("secret #%d (of %d) appeared in the log output", i, secrets.size())
                    .isFalse();
        }
    }

    @Override
    public void close() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final ByteArrayOutputStream b;

        Tee(OutputStream a, ByteArrayOutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) {
            synchronized (b) {
                b.write(x);
            }
            try {
                a.write(x);
            } catch (java.io.IOException ignored) {
                // the original stream's troubles are not the test's
            }
        }

        @Override
        public void write(byte[] buf, int off, int len) {
            synchronized (b) {
                b.write(buf, off, len);
            }
            try {
                a.write(buf, off, len);
            } catch (java.io.IOException ignored) {
                // as above
            }
        }
    }
}
