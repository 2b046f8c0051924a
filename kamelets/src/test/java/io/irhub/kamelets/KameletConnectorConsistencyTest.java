package io.irhub.kamelets;

import com.fasterxml.jackson.databind.JsonNode;
import io.irhub.connector.api.Capability;
import io.irhub.connector.api.ConfigField;
import io.irhub.connector.api.Connector;
import io.irhub.connector.api.Connectors;
import io.irhub.connector.api.TargetConnector;
import io.irhub.connector.api.Verb;
import io.irhub.kamelets.KameletFiles.Kamelet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One source of truth: a Kamelet's properties are its connector's configuration fields ({@code ConfigDef}), under the
 * naming rule of {@link PropertyNames} (kebab-case field, camelCase property).
 *
 * <p>For every connector field the capability uses there is a property of that name, with the same required flag and
 * default, a password (with the credentials descriptor) exactly when the field is a secret, and a matching type; and
 * the template binds it to the connector unchanged. Fields the capability does not use are left out: those of the
 * credentials it does not use (a target's capabilities name them; an action uses its verb's credential and the lookup
 * credential, which every target reads with first), and those its {@value #UNUSED} annotation names. Such a field
 * may only be bound to a constant, and must be when the connector requires it. No property exists that the connector
 * does not declare, except the Kamelet-only {@value #PATH} of a webhook source.
 */
class KameletConnectorConsistencyTest {
    static final String UNUSED = "irhub.io/unused-connector-fields";
    static final String PATH = "path";
    private static final Set<String> CONNECTOR_BEANS = Set.of(TargetAction.class.getName(),
            SourceNormalizer.class.getName(), ApprovalAction.class.getName());
    private static final Connectors CONNECTORS = Connectors.discover();

    static List<Kamelet> connectorKamelets() {
        return KameletFiles.all().stream().filter(k -> CONNECTOR_BEANS.contains(k.beanClass())).toList();
    }

    @Test
    void everyKameletButTheAuditSinkIsBackedByAConnector() {
        assertThat(KameletFiles.all()).filteredOn(k -> !CONNECTOR_BEANS.contains(k.beanClass()))
                .extracting(Kamelet::name).containsExactly("irhub-audit-sink");
    }

    @Test
    void theNamingRuleIsReversibleForEveryConnectorField() {
        List<Connector> all = new ArrayList<>();
        all.addAll(CONNECTORS.sources().values());
        all.addAll(CONNECTORS.targets().values());
        all.addAll(CONNECTORS.approvals().values());
        for (Connector connector : all) {
            for (ConfigField field : connector.configDef().fields()) {
                assertThat(PropertyNames.kebab(PropertyNames.camel(field.name())))
                        .as(connector.id() + " field " + field.name()).isEqualTo(field.name());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("connectorKamelets")
    void propertiesAreTheConnectorFieldsTheCapabilityUses(Kamelet k) {
        Connector connector = connector(k);
        Set<String> unused = unusedFields(k, connector);
        Map<String, JsonNode> properties = properties(k);
        Set<String> required = new TreeSet<>();
        k.definition().path("required").forEach(r -> required.add(r.asText()));

        for (ConfigField field : connector.configDef().fields()) {
            String name = PropertyNames.camel(field.name());
            if (unused.contains(field.name())) {
                assertThat(properties).as(k + ": " + name + " is not used by this capability").doesNotContainKey(name);
                continue;
            }
            assertThat(properties).as(k + " declares connector field " + field.name()).containsKey(name);
            JsonNode p = properties.get(name);
            assertThat(required.contains(name)).as(k + ": " + name + " required").isEqualTo(field.required());
            assertThat(p.has("default") ? p.path("default").asText() : null).as(k + ": " + name + " default")
                    .isEqualTo(field.defaultValue());
            boolean password = p.path("format").asText().equals("password")
                    && descriptors(p).contains("urn:camel:group:credentials");
            assertThat(password).as(k + ": " + name + " is a credential exactly when the field is a secret")
                    .isEqualTo(field.secret());
            assertThat(p.path("type").asText()).as(k + ": " + name + " type").isEqualTo(switch (field.type()) {
                case INT -> "integer";
                case BOOLEAN -> "boolean";
                default -> "string";
            });
        }
        Set<String> fields = connector.configDef().fields().stream().map(ConfigField::name).collect(Collectors.toSet());
        for (String property : properties.keySet()) {
            if (property.equals(PATH) && k.beanClass().equals(SourceNormalizer.class.getName())) {
                continue;
            }
            assertThat(fields).as(k + ": property " + property + " is a field of the " + connector.id() + " connector")
                    .contains(PropertyNames.kebab(property));
        }
    }

    @ParameterizedTest
    @MethodSource("connectorKamelets")
    void theTemplateBindsEachPropertyToItsFieldUnchanged(Kamelet k) {
        Connector connector = connector(k);
        Set<String> unused = unusedFields(k, connector);
        Map<String, JsonNode> properties = properties(k);
        Map<String, String> bindings = k.configBindings();

        for (Map.Entry<String, JsonNode> p : properties.entrySet()) {
            if (p.getKey().equals(PATH) && k.beanClass().equals(SourceNormalizer.class.getName())) {
                assertThat(k.template().path("from").path("uri").asText()).startsWith("platform-http:{{path}}");
                continue;
            }
            // a property without a value must not be bound with {{name}}, which fails when it is absent
            boolean mayBeAbsent = !isRequired(k, p.getKey()) && !p.getValue().has("default");
            assertThat(bindings.get(p.getKey())).as(k + ": config[" + p.getKey() + "]")
                    .isEqualTo(mayBeAbsent ? "{{?" + p.getKey() + "}}" : "{{" + p.getKey() + "}}");
        }
        for (Map.Entry<String, String> binding : bindings.entrySet()) {
            if (properties.containsKey(binding.getKey())) {
                continue;
            }
            String field = PropertyNames.kebab(binding.getKey());
            assertThat(unused).as(k + ": config[" + binding.getKey() + "] is bound to a constant, so its field must be "
                    + "one the capability does not use").contains(field);
            assertThat(binding.getValue()).as(k + ": constant for " + field).doesNotContain("{{").isNotBlank();
        }
        for (ConfigField field : connector.configDef().fields()) {
            if (field.required() && unused.contains(field.name())) {
                assertThat(bindings).as(k + ": the connector requires " + field.name() + ", which this capability "
                        + "never uses, so the template gives it an inert constant")
                        .containsKey(PropertyNames.camel(field.name()));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("connectorKamelets")
    void theBeanNamesItsKameletAndAVerbTheConnectorCanDo(Kamelet k) {
        JsonNode bean = k.bean().path("properties");
        assertThat(bean.path("kamelet").asText()).isEqualTo(k.name());
        assertThat(k.bean().path("initMethod").asText()).isEqualTo("start");
        if (k.beanClass().equals(TargetAction.class.getName())) {
            TargetConnector target = (TargetConnector) connector(k);
            Verb verb = Verb.fromWire(bean.path("verb").asText());
            assertThat(target.capabilities()).extracting(Capability::verb).contains(verb);
            assertThat(k.bean().path("destroyMethod").asText()).isEqualTo("stop");
            new TargetAction().setIdentityKinds(bean.path("identityKinds").asText());
        }
    }

    private static Connector connector(Kamelet k) {
        String id = k.bean().path("properties").path("connector").asText();
        String bean = k.beanClass();
        if (bean.equals(TargetAction.class.getName())) {
            return CONNECTORS.target(id);
        }
        if (bean.equals(SourceNormalizer.class.getName())) {
            return CONNECTORS.source(id);
        }
        return CONNECTORS.approval(id);
    }

    /** The connector fields this Kamelet's capability does not use. */
    private static Set<String> unusedFields(Kamelet k, Connector connector) {
        Set<String> fields = connector.configDef().fields().stream().map(ConfigField::name).collect(Collectors.toSet());
        Set<String> unused = new TreeSet<>();
        String listed = k.annotation(UNUSED);
        if (!listed.isBlank()) {
            for (String field : listed.split(",")) {
                assertThat(fields).as(k + ": " + UNUSED + " names a field of the connector").contains(field.trim());
                unused.add(field.trim());
            }
        }
        if (connector instanceof TargetConnector target) {
            Verb verb = Verb.fromWire(k.bean().path("properties").path("verb").asText());
            Set<String> credentials = target.capabilities().stream().map(Capability::credential)
                    .collect(Collectors.toSet());
            Set<String> used = target.capabilities().stream()
                    .filter(c -> c.verb() == verb || c.verb() == Verb.LOOKUP).map(Capability::credential)
                    .collect(Collectors.toSet());
            for (String credential : credentials) {
                if (!used.contains(credential)) {
                    fields.stream().filter(f -> f.startsWith(credential + "-")).forEach(unused::add);
                }
            }
            for (String field : unused) {
                assertThat(used).as(k + ": " + field + " belongs to a credential this capability uses")
                        .noneMatch(c -> field.startsWith(c + "-"));
            }
        }
        return unused;
    }

    private static Map<String, JsonNode> properties(Kamelet k) {
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        k.definition().path("properties").fields().forEachRemaining(e -> properties.put(e.getKey(), e.getValue()));
        return properties;
    }

    private static boolean isRequired(Kamelet k, String property) {
        for (JsonNode r : k.definition().path("required")) {
            if (r.asText().equals(property)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> descriptors(JsonNode property) {
        List<String> descriptors = new ArrayList<>();
        property.path("x-descriptors").forEach(d -> descriptors.add(d.asText()));
        return descriptors;
    }

    @Test
    void namingRuleExamples() {
        assertThat(Arrays.asList(PropertyNames.camel("max-rate-limit-wait"), PropertyNames.camel("org-url"),
                PropertyNames.camel("dpop"))).containsExactly("maxRateLimitWait", "orgUrl", "dpop");
        assertThat(PropertyNames.kebab("lookupPrivateKey")).isEqualTo("lookup-private-key");
    }
}
