package io.irhub.connector.vault;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a rotate action rotates, read from the identity's name by the documented convention:
 * {@code {mount}/static-roles/{name}}, {@code {mount}/config/{name}} or {@code kv:{mount}/{path}}.
 */
sealed interface RotationTarget permits RotationTarget.StaticRole, RotationTarget.Root, RotationTarget.KvSecret {

    Pattern STATIC_ROLE = Pattern.compile("(.+)/static-roles/([^/]+)");
    Pattern ROOT = Pattern.compile("(.+)/config/([^/]+)");
    String KV_PREFIX = "kv:";

    /** The name as the convention writes it, for messages and the outcome's target reference. */
    String name();

    /** A database static role: {@code POST /v1/{mount}/rotate-role/{role}} gives its user a new password. */
    record StaticRole(String mount, String role) implements RotationTarget {
        String apiPath() {
            return encode(mount) + "/rotate-role/" + encode(role);
        }

        @Override
        public String name() {
            return mount + "/static-roles/" + role;
        }
    }

    /** A database connection: {@code POST /v1/{mount}/rotate-root/{connection}} rotates Vault's own login to it. */
    record Root(String mount, String connection) implements RotationTarget {
        String apiPath() {
            return encode(mount) + "/rotate-root/" + encode(connection);
        }

        @Override
        public String name() {
            return mount + "/config/" + connection;
        }
    }

    /** A KV v2 secret; the mount is the first segment, the rest is the secret's path. */
    record KvSecret(String mount, String path) implements RotationTarget {
        String dataPath() {
            return encode(mount) + "/data/" + encode(path);
        }

        @Override
        public String name() {
            return KV_PREFIX + mount + "/" + path;
        }
    }

    /** Empty when the name follows none of the forms, or has empty, {@code .} or {@code ..} segments. */
    static Optional<RotationTarget> parse(String name) {
        String n = name.trim().replaceFirst("^/+", "");
        if (n.startsWith(KV_PREFIX)) {
            String rest = n.substring(KV_PREFIX.length()).replaceFirst("^/+", "").replaceFirst("/+$", "");
            int slash = rest.indexOf('/');
            if (slash <= 0 || !safe(rest)) {
                return Optional.empty();
            }
            return Optional.of(new KvSecret(rest.substring(0, slash), rest.substring(slash + 1)));
        }
        if (!safe(n)) {
            return Optional.empty();
        }
        Matcher staticRole = STATIC_ROLE.matcher(n);
        if (staticRole.matches()) {
            return Optional.of(new StaticRole(staticRole.group(1), staticRole.group(2)));
        }
        Matcher root = ROOT.matcher(n);
        if (root.matches()) {
            return Optional.of(new Root(root.group(1), root.group(2)));
        }
        return Optional.empty();
    }

    /** Every segment non-empty and not a dot segment, so a name cannot climb to another path. */
    private static boolean safe(String path) {
        return Arrays.stream(path.split("/", -1)).noneMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."));
    }

    /** Encodes each segment, keeping the slashes between them. */
    private static String encode(String path) {
        return Arrays.stream(path.split("/"))
                .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
    }
}
