package io.irhub.connector.scim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScimUserTest {

    @Test
    void readsTheRfcsUser() throws Exception {
        ScimUser user = ScimUser.from(ScimStubs.user(false));

        assertThat(user).isEqualTo(new ScimUser(ScimStubs.USER_ID, "bjensen@example.com", false));
    }

    @Test
    void aUserWithoutAnIdIsAFailure() {
        ObjectNode noId = ScimStubs.user(true);
        noId.remove("id");

        assertThatThrownBy(() -> ScimUser.from(noId)).isInstanceOf(ScimFailure.class)
                .hasMessage("the SCIM server answered a User without an id");
    }

    @Test
    void attributePathsAreFollowedIgnoringCaseThroughMultiValuedAttributesAndSchemaUrns() {
        ObjectNode user = ScimStubs.user(true);
        user.putObject("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User").put("employeeNumber", "701984");

        assertThat(ScimUser.values(user, "USERNAME")).containsExactly("bjensen@example.com");
        assertThat(ScimUser.values(user, "name.familyName")).containsExactly("Jensen");
        assertThat(ScimUser.values(user, "emails.value")).containsExactly("bjensen@example.com", "babs@jensen.org");
        assertThat(ScimUser.values(user, "urn:ietf:params:scim:schemas:core:2.0:User:userName"))
                .containsExactly("bjensen@example.com");
        assertThat(ScimUser.values(user, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"))
                .containsExactly("701984");
        assertThat(ScimUser.values(user, "nickName.nothing")).isEmpty();
    }
}
