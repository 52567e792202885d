package io.keepwell.it.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that runs real servers in Docker.
 *
 * <p>Without Docker the class is skipped with the reason; with
 * {@code -Dkeepwell.requireDocker=true} (as {@code .ci/run} sets) it fails instead. A Docker that
 * answers but lacks the image is not skipped: the start fails with the setup hint of
 * {@link NeverPullPolicy}. Containers in {@code @Container} fields are only started once the
 * condition has enabled the class.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("docker")
@ExtendWith(DockerAvailability.class)
public @interface RequiresDocker {}
