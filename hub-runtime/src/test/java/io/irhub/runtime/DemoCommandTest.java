package io.irhub.runtime;

import org.junit.jupiter.api.Test;

import static io.irhub.runtime.AuditVerifyCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code irhub demo} runs from nothing and prints what the hub did, clearly labelled. */
class DemoCommandTest {

    @Test
    void theDemoPrintsATimeline() {
        AuditVerifyCommandTest.Result r = run("demo");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("=== irhub DEMO").contains("=== end of DEMO ===")
                .contains("plan: contain-compromised-account (auto), completed")
                .containsPattern("action-outcome\\s+target:okta-demo\\s+user:dana@demo.example\\s+suspend\\s+succeeded")
                .containsPattern("guard\\s+guard:protected-identities\\s+user:breakglass@demo.example\\s+suspend\\s+blocked")
                .doesNotContain("api-call")
                .contains("plan: watch-everything-else (dry-run), completed");
    }
}
