package io.keepwell.it.basic;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's quick start, compiled and run as written (only its URL points at a loopback
 * server). Issue 10 item 12: it closed the client right after {@code sendAsync(..)}, which failed
 * the request it had just sent, so it printed nothing.
 */
class QuickStartTest {

    private static final String README_URL = "http://127.0.0.1:8080";

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @Test
    void theQuickStartAsWrittenPrintsTheResponse(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        ScriptedServer server = servers.start(r -> Actions.ok("{\"user\":42}"));
        String snippet = quickStart();
        assertTrue(snippet.contains(README_URL), "the quick start's URL moved: " + snippet);

        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : snippet.split("\n")) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        String source = imports + "public class QuickStart {\n public static void main(String[] args) throws Exception {\n"
                + body.toString().replace(README_URL, "http://127.0.0.1:" + server.port()) + " }\n}\n";
        Path file = dir.resolve("QuickStart.java");
        Files.writeString(file, source);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String classPath = location(io.keepwell.pool.PoolConfig.class) + File.pathSeparator + location(KeepwellHttpClient.class);
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-classpath", classPath, "-d", dir.toString(), file.toString());
        assertEquals(0, rc, "the quick start does not compile:\n" + diagnostics + "\n" + source);

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
             PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            loader.loadClass("QuickStart").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(out);
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        assertTrue(output.startsWith("200 {\"user\":42}\n"), "printed: " + output);
        assertEquals("/users/42", server.requests().get(0).target());
    }

    /** The first java block under "## Quick start". */
    private static String quickStart() throws Exception {
        Path readme = Path.of("").toAbsolutePath();
        while (!Files.exists(readme.resolve("README.md")) || !Files.exists(readme.resolve("integration-tests"))) {
            readme = readme.getParent();
        }
        String text = Files.readString(readme.resolve("README.md"));
        Matcher m = Pattern.compile("## Quick start.*?```java\\n(.*?)```", Pattern.DOTALL).matcher(text);
        assertTrue(m.find(), "no quick start in the README");
        return m.group(1);
    }

    private static String location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
