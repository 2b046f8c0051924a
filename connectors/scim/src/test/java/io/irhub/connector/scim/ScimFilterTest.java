package io.irhub.connector.scim;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ScimFilterTest {

    @Test
    void aValueIsQuotedAsAJsonString() throws Exception {
        String nasty = "a\"b\\c\nd\te\u0001f/é";

        String quoted = ScimFilter.quote(nasty);

        assertThat(quoted).isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001f/é\"");
        assertThat(new ObjectMapper().readValue(quoted, String.class)).isEqualTo(nasty);
    }

    @Test
    void aQuoteCannotCloseTheLiteral() {
        assertThat(ScimFilter.eq("userName", "x\" or userName pr or userName eq \"y"))
                .isEqualTo("userName eq \"x\\\" or userName pr or userName eq \\\"y\"");
    }

    @Test
    void theEmailFiltersAreTheRfcsValuePathAndSubAttributeForms() {
        assertThat(ScimFilter.workEmail("bjensen@example.com"))
                .isEqualTo("emails[type eq \"work\" and value eq \"bjensen@example.com\"]");
        assertThat(ScimFilter.anyEmail("bjensen@example.com")).isEqualTo("emails.value eq \"bjensen@example.com\"");
    }
}
