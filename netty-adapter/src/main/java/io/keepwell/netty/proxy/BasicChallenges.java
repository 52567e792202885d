package io.keepwell.netty.proxy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads Basic challenges ({@code WWW-Authenticate}, {@code Proxy-Authenticate}), for servers' and proxies' 401/407 alike. */
public final class BasicChallenges {

    private static final Pattern BASIC = Pattern.compile("(?i)(?:^|,)\\s*basic(?:\\s+(?:.*?\\brealm=\"([^\"]*)\")?|\\s*$|\\s*,)");

    private BasicChallenges() {
    }

    /** The realm of the first Basic challenge among {@code challenges}: "" when it names none, {@code null} when there is none. */
    public static String realm(Iterable<String> challenges) {
        for (String challenge : challenges) {
            Matcher m = BASIC.matcher(challenge);
            if (m.find()) {
                return m.group(1) == null ? "" : m.group(1);
            }
        }
        return null;
    }
}
