package io.keepwell.it.support;

import com.github.dockerjava.api.exception.NotFoundException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.ImagePullPolicy;
import org.testcontainers.utility.DockerImageName;

/**
 * Accepts only images already in the local Docker daemon; never pulls.
 *
 * <p>The CI machines reach no registry, and the daemon set up by {@code setup-docker.sh} points
 * pulls at a dead proxy. A missing image is a setup problem, reported as such instead of as a
 * pull timeout.
 */
public final class NeverPullPolicy implements ImagePullPolicy {

    @Override
    public boolean shouldPull(DockerImageName imageName) {
        String name = imageName.asCanonicalNameString();
        try {
            DockerClientFactory.instance().client().inspectImageCmd(name).exec();
            return false;
        } catch (NotFoundException e) {
            throw new IllegalStateException("image " + name + " is not in the local Docker daemon and the tests"
                    + " never pull: run ../shared/ci/setup-docker.sh (it builds the image), then"
                    + " `. /tmp/tc-docker/env`", e);
        }
    }
}
