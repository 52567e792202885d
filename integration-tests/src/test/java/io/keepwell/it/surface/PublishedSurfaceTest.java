package io.keepwell.it.surface;

import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.PoolConfig;
import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What users see of Keepwell: the packages its modules export, and the BOM they import. */
class PublishedSurfaceTest {

    @Test
    void theAdapterExportsOnlyTheClientsPackage() throws Exception {
        ModuleDescriptor adapter = descriptorOf(KeepwellHttpClient.class);
        assertEquals("io.keepwell.netty", adapter.name());
        assertEquals(Map.of("io.keepwell.netty", Set.of()), exports(adapter));
    }

    @Test
    void theCoreExportsItsApiAndSharesTheKeepAliveRulesWithTheAdapterAlone() throws Exception {
        ModuleDescriptor core = descriptorOf(PoolConfig.class);
        assertEquals("io.keepwell.core", core.name());
        assertEquals(Map.of("io.keepwell.http", Set.of(), "io.keepwell.pool", Set.of(),
                "io.keepwell.keepalive", Set.of("io.keepwell.netty")), exports(core));
    }

    @Test
    void theBomManagesThePublishedModulesAndTheNettyTheyAreBuiltOn() throws Exception {
        Path root = projectRoot();
        String bom = Files.readString(root.resolve("keepwell-bom/pom.xml"));
        String netty = io.netty.util.Version.identify().get("netty-common").artifactVersion();
        assertTrue(bom.contains("<netty.version>" + netty + "</netty.version>"), "the BOM's Netty is not " + netty);
        for (String module : new String[] {"core", "netty-adapter", "keepwell-micrometer", "keepwell-spring"}) {
            String artifact = artifactId(Files.readString(root.resolve(module).resolve("pom.xml")));
            assertTrue(bom.contains("<artifactId>" + artifact + "</artifactId>"), "the BOM does not manage " + artifact);
        }
    }

    private static Map<String, Set<String>> exports(ModuleDescriptor descriptor) {
        return descriptor.exports().stream().collect(Collectors.toMap(ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::targets));
    }

    /** The descriptor of the jar or classes directory {@code type} was loaded from. */
    private static ModuleDescriptor descriptorOf(Class<?> type) throws Exception {
        Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        return ModuleFinder.of(location).findAll().iterator().next().descriptor();
    }

    private static String artifactId(String pom) {
        Matcher m = Pattern.compile("</parent>.*?<artifactId>([^<]+)</artifactId>", Pattern.DOTALL).matcher(pom);
        assertTrue(m.find(), "no artifactId after the parent");
        return m.group(1);
    }

    private static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("README.md")) || !Files.exists(dir.resolve("integration-tests"))) {
            dir = dir.getParent();
        }
        return dir;
    }
}
