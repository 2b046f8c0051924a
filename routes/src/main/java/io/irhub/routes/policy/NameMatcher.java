package io.irhub.routes.policy;

import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Matches a name by a glob ({@code *} and {@code ?}, case-insensitive) or, with the prefix {@code regex:}, by a
 * Java regular expression that must match the whole name.
 */
public record NameMatcher(String expression, Pattern pattern) {

    public static NameMatcher of(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("is empty");
        }
        String e = expression.trim();
        try {
            if (e.startsWith("regex:")) {
                return new NameMatcher(e, Pattern.compile(e.substring("regex:".length())));
            }
            return new NameMatcher(e, Pattern.compile(globToRegex(e), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
        } catch (PatternSyntaxException ex) {
            throw new IllegalArgumentException("'" + e + "' is not a valid regular expression: " + ex.getDescription());
        }
    }

    public boolean matches(String name) {
        return name != null && pattern.matcher(name).matches();
    }

    private static String globToRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            switch (ch) {
                case '*' -> sb.append(".*");
                case '?' -> sb.append('.');
                default -> sb.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return expression.toLowerCase(Locale.ROOT);
    }
}
