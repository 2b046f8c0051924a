package io.irhub.connector.vault;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The naming convention rotate actions follow. */
class RotationTargetTest {

    @Test
    void aStaticRoleRotatesThroughRotateRole() {
        assertThat(RotationTarget.parse("database/static-roles/billing-app")).get()
                .isEqualTo(new RotationTarget.StaticRole("database", "billing-app"))
                .extracting(t -> ((RotationTarget.StaticRole) t).apiPath())
                .isEqualTo("database/rotate-role/billing-app");
    }

    @Test
    void aConnectionRotatesThroughRotateRootAndMountsMayBeNested() {
        assertThat(RotationTarget.parse("/teams/db/config/pg main")).get()
                .isEqualTo(new RotationTarget.Root("teams/db", "pg main"))
                .extracting(t -> ((RotationTarget.Root) t).apiPath())
                .isEqualTo("teams/db/rotate-root/pg%20main");
    }

    @Test
    void aKvSecretsMountIsItsFirstSegment() {
        assertThat(RotationTarget.parse("kv:secret/apps/billing/db")).get()
                .isEqualTo(new RotationTarget.KvSecret("secret", "apps/billing/db"))
                .extracting(t -> ((RotationTarget.KvSecret) t).dataPath())
                .isEqualTo("secret/data/apps/billing/db");
        // a KV path may contain what would otherwise read as a static role
        assertThat(RotationTarget.parse("kv:secret/database/static-roles/x")).get()
                .isInstanceOf(RotationTarget.KvSecret.class);
    }

    @Test
    void namesOutsideTheConventionAreNotGuessed() {
        assertThat(RotationTarget.parse("database/roles/readonly")).isEmpty();
        assertThat(RotationTarget.parse("database/static-roles/")).isEmpty();
        assertThat(RotationTarget.parse("kv:secret")).isEmpty();
        assertThat(RotationTarget.parse("kv:secret/")).isEmpty();
    }

    @Test
    void dotSegmentsCannotClimbToAnotherPath() {
        assertThat(RotationTarget.parse("kv:secret/../sys/policies/acl/x")).isEmpty();
        assertThat(RotationTarget.parse("database/../sys/static-roles/x")).isEmpty();
        assertThat(RotationTarget.parse("database//static-roles/x")).isEmpty();
    }
}
