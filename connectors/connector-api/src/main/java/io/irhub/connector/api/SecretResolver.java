package io.irhub.connector.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a secret reference into a {@link Secret}. Secrets are never written inline in configuration: a secret
 * field holds {@code ${env:NAME}} (an environment variable, as Kubernetes Secrets are usually mounted) or
 * {@code ${file:/path}} (a mounted file; one trailing newline is dropped).
 */
public final class SecretResolver {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]+)}");

    private final Function<String, String> environment;

    public SecretResolver(Function<String, String> environment) {
        this.environment = environment;
    }

    public static SecretResolver system() {
        return new SecretResolver(System::getenv);
    }

    public static SecretResolver of(Map<String, String> environment) {
        return new SecretResolver(environment::get);
    }

    public static boolean isReference(String value) {
        return value != null && REFERENCE.matcher(value.trim()).matches();
    }

    /**
     * @throws IllegalArgumentException with a message that names the reference but never a value: for an inline
     *                                  value, an unset variable, or an unreadable or empty file
     */
    public Secret resolve(String reference) {
        Matcher m = REFERENCE.matcher(reference == null ? "" : reference.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "must reference an environment variable (${env:NAME}) or a file (${file:/path}); inline secrets are refused");
        }
        String kind = m.group(1);
        String name = m.group(2).trim();
        String value;
        if (kind.equals("env")) {
            value = environment.apply(name);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("environment variable " + name + " is not set");
            }
        } else {
            try {
                value = Files.readString(Path.of(name), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read secret file " + name + " (" + e.getClass().getSimpleName() + ")");
            }
            if (value.endsWith("\n")) {
                value = value.substring(0, value.length() - (value.endsWith("\r\n") ? 2 : 1));
            }
            if (value.isEmpty()) {
                throw new IllegalArgumentException("secret file " + name + " is empty");
            }
        }
        return Secret.of(value, kind + ":" + name);
    }
}
