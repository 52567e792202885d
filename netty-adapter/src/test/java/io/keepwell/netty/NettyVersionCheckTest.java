package io.keepwell.netty;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NettyVersionCheckTest {

    @Test
    void netty42OnTheClassPathPasses() {
        assertDoesNotThrow(() -> NettyVersionCheck.requireNetty42());
    }

    /** A loader without Netty 4.2's classes stands for a class path that has Netty 4.1. */
    @Test
    void withoutNetty42BuildFailsNamingTheVersionFoundAndTheBomToImport() {
        ClassLoader withoutNetty = new ClassLoader(null) {
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NettyVersionCheck.requireNetty42(withoutNetty));
        assertTrue(e.getMessage().contains("needs Netty 4.2, but found Netty "), e.getMessage());
        assertTrue(e.getMessage().contains("io.netty:netty-bom:4.2.18.Final"), e.getMessage());
        assertTrue(e.getMessage().contains("io.keepwell:keepwell-bom"), e.getMessage());
        assertTrue(NettyVersionCheck.message("4.1.118.Final").contains("found Netty 4.1.118.Final"));
    }
}
