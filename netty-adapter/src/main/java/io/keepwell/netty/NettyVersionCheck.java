package io.keepwell.netty;

import io.netty.util.Version;

/**
 * Keepwell is built on Netty 4.2; on 4.1 (Spring Boot 3's default) it would fail later with a
 * {@code NoClassDefFoundError} far from the cause. This fails {@code build()} first, saying what
 * was found and how to fix it.
 */
final class NettyVersionCheck {

    /** A class that exists from Netty 4.2 on. */
    private static final String NETTY_42_CLASS = "io.netty.channel.IoHandlerFactory";

    private NettyVersionCheck() {
    }

    static void requireNetty42() {
        requireNetty42(NettyVersionCheck.class.getClassLoader());
    }

    /** As {@link #requireNetty42()}, looking in {@code loader}. */
    static void requireNetty42(ClassLoader loader) {
        try {
            Class.forName(NETTY_42_CLASS, false, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(message(found()), e);
        }
    }

    static String message(String found) {
        return "Keepwell needs Netty 4.2, but found Netty " + found + " on the class path; import io.netty:netty-bom:"
                + "4.2.18.Final (or io.keepwell:keepwell-bom, which does) in your dependencyManagement before any other"
                + " BOM that manages Netty (Spring Boot 3's does, at 4.1)";
    }

    private static String found() {
        Version common = Version.identify().get("netty-common");
        return common == null ? "(version unknown)" : common.artifactVersion();
    }
}
