package io.keepwell.it.support;

/**
 * Fails a test that resolves names unless the JVM's own resolver is confined to the hosts file
 * ({@code -Djdk.net.hosts.file}, set in the build's surefire argLine): a client whose resolver
 * falls back to the JDK's would otherwise send queries for test names to the system's name
 * servers, which no test may do.
 */
public final class SystemDnsGuard {

    /** The property that confines the JDK's resolver to a hosts file. */
    public static final String HOSTS_FILE_PROPERTY = "jdk.net.hosts.file";

    private SystemDnsGuard() {}

    /** Throws unless the JDK resolves from a hosts file only. */
    public static void requireHostsFileOnly() {
        if (System.getProperty(HOSTS_FILE_PROPERTY) == null) {
            throw new IllegalStateException("-D" + HOSTS_FILE_PROPERTY + " is not set: a lookup that falls back to the"
                    + " JDK's resolver would ask the system's name servers; run through Maven (surefire's argLine sets it)"
                    + " or add -D" + HOSTS_FILE_PROPERTY + "=/etc/hosts");
        }
    }
}
