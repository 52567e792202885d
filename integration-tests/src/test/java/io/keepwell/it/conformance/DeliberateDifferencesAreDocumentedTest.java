package io.keepwell.it.conformance;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every {@link Difference} Keepwell has from the JDK is named in the repository's README. */
class DeliberateDifferencesAreDocumentedTest {

    @Test
    void theReadmeNamesEveryDifference() throws Exception {
        String readme = Files.readString(repositoryRoot().resolve("README.md"));
        List<String> missing = Arrays.stream(Difference.values()).map(Difference::name)
                .filter(name -> !readme.contains(name)).toList();
        assertEquals(List.of(), missing, "deliberate differences the README does not list");
    }

    /** The first directory up from the working directory with README.md and integration-tests/. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("README.md")) && Files.exists(dir.resolve("integration-tests"))) {
                return dir;
            }
        }
        throw new AssertionError("no directory above " + Path.of("").toAbsolutePath() + " has README.md and integration-tests/");
    }
}
