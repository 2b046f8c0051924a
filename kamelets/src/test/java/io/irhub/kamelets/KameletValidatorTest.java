package io.irhub.kamelets;

import com.fasterxml.jackson.databind.JsonNode;
import io.irhub.kamelets.KameletFiles.Kamelet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules of the Apache Camel Kamelet catalog's validator ({@code apache/camel-kamelets}
 * {@code script/validator/validator.go}), for every Kamelet this module ships. One deliberate difference: the
 * provider annotation must name a provider, but not the Apache Software Foundation, which these are not from.
 */
class KameletValidatorTest {
    /** The validator's own expression for a template parameter: {@code {{name}}}, {@code {{?name}}}, {@code {{name:default}}}. */
    private static final Pattern PARAMETER = Pattern.compile("\\{\\{[?]?([A-Za-z0-9-._]+)(?:[:][^}]*)?}}");
    /** Words a title may leave in lower case (the validator drops English stop words before its check). */
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "and", "as", "at", "by", "for", "from", "in",
            "of", "on", "or", "per", "the", "to", "with");
    private static final String CREDENTIALS = "urn:camel:group:credentials";

    static List<Kamelet> kamelets() {
        return KameletFiles.all();
    }

    @Test
    void theCatalogIsNotEmpty() {
        assertThat(kamelets()).isNotEmpty();
    }

    @ParameterizedTest
    @MethodSource("kamelets")
    void isAKameletNamedLikeItsFile(Kamelet k) {
        assertThat(k.tree().path("apiVersion").asText()).isEqualTo("camel.apache.org/v1");
        assertThat(k.tree().path("kind").asText()).isEqualTo("Kamelet");
        assertThat(k.file().getFileName().toString()).isEqualTo(k.name() + ".kamelet.yaml");
    }

    @ParameterizedTest
    @MethodSource("kamelets")
    void nameEndsWithItsType(Kamelet k) {
        String type = k.tree().path("metadata").path("labels").path("camel.apache.org/kamelet.type").asText();
        assertThat(type).isIn("source", "sink", "action");
        assertThat(k.name()).endsWith("-" + type);
        String suffix = Character.toUpperCase(type.charAt(0)) + type.substring(1);
        assertThat(k.definition().path("title").asText()).as("title").endsWith(suffix);
    }

    @ParameterizedTest
    @MethodSource("kamelets")
    void hasTheCatalogAnnotations(Kamelet k) {
        assertThat(k.annotation("camel.apache.org/kamelet.support.level")).isIn("Stable", "Preview", "Experimental");
        assertThat(k.annotation("camel.apache.org/catalog.version")).as("catalog.version (the project's version)")
                .isEqualTo(System.getProperty("project.version"));
        assertThat(k.annotation("camel.apache.org/provider")).isNotBlank();
        assertThat(k.annotation("camel.apache.org/kamelet.group")).isNotBlank();
        String icon = k.annotation("camel.apache.org/kamelet.icon");
        assertThat(icon).startsWith("data:image/svg+xml;base64,");
        assertThat(new String(Base64.getDecoder().decode(icon.substring(icon.indexOf(',') + 1)))).startsWith("<svg");
    }

    @ParameterizedTest
    @MethodSource("kamelets")
    void definesATitledDescribedObject(Kamelet k) {
        JsonNode definition = k.definition();
        assertThat(definition.isObject()).as("spec.definition").isTrue();
        assertThat(k.template().isObject()).as("spec.template").isTrue();
        assertThat(definition.path("title").asText()).isNotBlank();
        assertThat(definition.path("description").asText()).isNotBlank();
        assertThat(definition.path("type").asText()).isEqualTo("object");
        List<String> required = new ArrayList<>();
        definition.path("required").forEach(r -> required.add(r.asText()));
        assertThat(required).as("required").doesNotHaveDuplicates();
        assertThat(required).as("required properties are defined")
                .allMatch(r -> definition.path("properties").has(r));
    }

    @ParameterizedTest
    @MethodSource("kamelets")
    void everyPropertyHasATitleATypeAndADescription(Kamelet k) {
        for (Iterator<Map.Entry<String, JsonNode>> it = k.definition().path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            String title = p.getValue().path("title").asText();
            assertThat(p.getValue().path("type").asText()).as(p.getKey() + " type").isNotBlank();
            assertThat(p.getValue().path("description").asText()).as(p.getKey() + " description").isNotBlank();
            assertThat(title).as(p.getKey() + " title").isNotBlank()
                    .doesNotStartWith("The ").doesNotStartWith("A ").doesNotStartWith("An ");
            for (String word : title.split(" ")) {
                assertThat(STOP_WORDS.contains(word.toLowerCase()) || !Character.isLowerCase(word.charAt(0)))
                        .as(p.getKey() + " title word '" + word + "' is capitalized").isTrue();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kamelets")
    void passwordsAreCredentials(Kamelet k) {
        k.definition().path("properties").fields().forEachRemaining(p -> {
            if (p.getValue().path("format").asText().equals("password")) {
                List<String> descriptors = new ArrayList<>();
                p.getValue().path("x-descriptors").forEach(d -> descriptors.add(d.asText()));
                assertThat(descriptors).as(p.getKey() + " x-descriptors").contains(CREDENTIALS);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("kamelets")
    void everyDeclaredParameterIsUsedAndEveryUsedOneDeclared(Kamelet k) {
        Set<String> declared = new TreeSet<>();
        k.definition().path("properties").fieldNames().forEachRemaining(declared::add);
        k.template().path("beans").forEach(b -> declared.add(b.path("name").asText()));
        Set<String> used = new TreeSet<>();
        collectParameters(k.template(), used);
        assertThat(used).as("used parameters").isEqualTo(declared);
    }

    @ParameterizedTest
    @MethodSource("kamelets")
    void declaresTheDependenciesItsTemplateNeeds(Kamelet k) throws ClassNotFoundException {
        List<String> dependencies = new ArrayList<>();
        k.tree().path("spec").path("dependencies").forEach(d -> dependencies.add(d.asText()));
        Set<String> schemes = new TreeSet<>();
        collectSchemes(k.template(), schemes);
        for (String scheme : schemes) {
            assertThat(dependencies).as("dependency of the " + scheme + " component").contains("camel:" + scheme);
        }
        assertThat(dependencies).contains("mvn:io.irhub:irhub-kamelets:" + System.getProperty("project.version"));
        for (JsonNode bean : k.template().path("beans")) {
            // the bean classes are in irhub-kamelets itself
            Class.forName(bean.path("type").asText().replace("#class:", ""));
        }
    }

    @Test
    void titlesAndDescriptionsAreUnique() {
        Set<String> titles = new HashSet<>();
        Set<String> descriptions = new HashSet<>();
        for (Kamelet k : kamelets()) {
            assertThat(titles.add(k.definition().path("title").asText())).as(k + " title is unique").isTrue();
            assertThat(descriptions.add(k.definition().path("description").asText())).as(k + " description is unique").isTrue();
        }
    }

    private static void collectParameters(JsonNode node, Set<String> into) {
        if (node.isTextual()) {
            Matcher m = PARAMETER.matcher(node.asText());
            while (m.find()) {
                into.add(m.group(1));
            }
        }
        node.forEach(child -> collectParameters(child, into));
    }

    /** The components endpoints in the template use: the scheme of every {@code uri} and {@code to}. */
    private static void collectSchemes(JsonNode node, Set<String> into) {
        node.fields().forEachRemaining(e -> {
            if ((e.getKey().equals("uri") || e.getKey().equals("to")) && e.getValue().isTextual()) {
                into.add(e.getValue().asText().substring(0, e.getValue().asText().indexOf(':')));
            }
        });
        node.forEach(child -> collectSchemes(child, into));
    }
}
