package io.keepwell.it.support;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

/** The skip-or-fail decision, without Docker. */
class DockerAvailabilityTest {

    @Test
    void availableDockerEnablesTheTests() {
        assertFalse(DockerAvailability.decide(null, true).isDisabled());
        assertFalse(DockerAvailability.decide(null, false).isDisabled());
    }

    @Test
    void absentDockerSkipsWithTheReasonAndTheSetupHint() {
        ConditionEvaluationResult result = DockerAvailability.decide("no socket", false);
        assertTrue(result.isDisabled());
        String reason = result.getReason().orElseThrow();
        assertTrue(reason.contains("no socket") && reason.contains(DockerAvailability.SETUP_HINT), reason);
    }

    @Test
    void absentDockerFailsWhenRequired() {
        DockerAvailability.DockerRequiredException e = assertThrows(DockerAvailability.DockerRequiredException.class,
                () -> DockerAvailability.decide("no socket", true));
        assertTrue(e.getMessage().contains("no socket") && e.getMessage().contains("keepwell.requireDocker"),
                e.getMessage());
    }
}
