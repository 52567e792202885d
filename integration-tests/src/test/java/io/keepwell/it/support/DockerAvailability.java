package io.keepwell.it.support;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Enables container tests only where Docker answers; registered by {@link RequiresDocker}.
 *
 * <p>When Docker is absent the tests are skipped with the reason, unless the system property
 * {@value #REQUIRE_DOCKER_PROPERTY} is {@code true}: then the condition throws, and JUnit reports
 * the test class as failed. CI sets the property so that a broken Docker setup cannot pass as a
 * green build with everything skipped.
 */
public final class DockerAvailability implements ExecutionCondition {

    /** System property that turns "Docker is absent" from a skip into a failure. */
    public static final String REQUIRE_DOCKER_PROPERTY = "keepwell.requireDocker";

    /** What to do about Docker being absent. */
    static final String SETUP_HINT = "run ../shared/ci/setup-docker.sh, then `. /tmp/tc-docker/env` before Maven";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return decide(Probe.UNAVAILABLE_REASON, Boolean.getBoolean(REQUIRE_DOCKER_PROPERTY));
    }

    /**
     * The verdict for a probe result.
     *
     * @param unavailableReason null if Docker answered, otherwise why it did not
     * @param required the value of {@value #REQUIRE_DOCKER_PROPERTY}
     * @throws DockerRequiredException if Docker is absent but required
     */
    static ConditionEvaluationResult decide(String unavailableReason, boolean required) {
        if (unavailableReason == null) {
            return ConditionEvaluationResult.enabled("Docker is available");
        }
        String message = "Docker is not available (" + unavailableReason + "; DOCKER_HOST="
                + System.getenv("DOCKER_HOST") + "): " + SETUP_HINT;
        if (required) {
            throw new DockerRequiredException(message + ". Failing because -D" + REQUIRE_DOCKER_PROPERTY + "=true");
        }
        return ConditionEvaluationResult.disabled(message);
    }

    /** Docker is absent where the build requires it. */
    public static final class DockerRequiredException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        DockerRequiredException(String message) {
            super(message);
        }
    }

    /** Probes once per JVM, on first use; Testcontainers caches its client the same way. */
    private static final class Probe {
        static final String UNAVAILABLE_REASON = probe();

        private static String probe() {
            try {
                DockerClientFactory.instance().client();
                return null;
            } catch (RuntimeException e) {
                return e.getMessage();
            }
        }
    }
}
