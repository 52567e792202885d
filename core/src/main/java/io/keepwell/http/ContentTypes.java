package io.keepwell.http;

import java.net.http.HttpHeaders;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Reads the charset parameter of {@code Content-Type}. */
final class ContentTypes {
    private ContentTypes() {
    }

    static Charset charset(HttpHeaders headers) {
        String type = headers.firstValue("content-type").orElse(null);
        if (type == null) {
            return StandardCharsets.UTF_8;
        }
        for (String param : type.split(";")) {
            String p = param.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                String name = p.substring("charset=".length()).trim();
                if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                    name = name.substring(1, name.length() - 1);
                }
                try {
                    return Charset.forName(name);
                } catch (RuntimeException unsupported) {
                    return StandardCharsets.UTF_8;
                }
            }
        }
        return StandardCharsets.UTF_8;
    }
}
