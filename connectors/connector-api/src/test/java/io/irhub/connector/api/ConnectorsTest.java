package io.irhub.connector.api;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectorsTest {

    /** A minimal source type, here only to exercise the registry. */
    static class NamedSource implements SourceConnector {
        private final String id;

        NamedSource(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String description() {
            return "test";
        }

        @Override
        public ConfigDef configDef() {
            return new ConfigDef();
        }

        @Override
        public Source open(String instance, ConnectorConfig config) {
            throw new UnsupportedOperationException();
        }
    }

    static class OtherNamedSource extends NamedSource {
        OtherNamedSource(String id) {
            super(id);
        }
    }

    @Test
    void aDuplicateIdFailsNamingItAndBothClasses() {
        assertThatThrownBy(() -> Connectors.of(List.of(new NamedSource("splunk"), new OtherNamedSource("splunk")), List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'splunk'")
                .hasMessageContaining(NamedSource.class.getName())
                .hasMessageContaining(OtherNamedSource.class.getName());
    }

    @Test
    void anUnknownIdFailsNamingItAndTheKnownOnes() {
        Connectors connectors = Connectors.of(List.of(new NamedSource("splunk"), new NamedSource("sentinel")), List.of());
        assertThat(connectors.source("splunk").id()).isEqualTo("splunk");
        assertThatThrownBy(() -> connectors.source("splonk"))
                .hasMessageContaining("'splonk'").hasMessageContaining("sentinel, splunk");
        assertThatThrownBy(() -> connectors.target("okta")).hasMessageContaining("'okta'");
    }
}
