/**
 * Keepwell's Netty 4.2 transport: {@link io.keepwell.netty.KeepwellHttpClient}, a
 * {@code java.net.http.HttpClient} that takes the JDK's {@code HttpRequest}s and body handlers
 * and runs them over HTTP/1.1 on pooled, kept-alive connections, with a limit on every phase of an
 * exchange so that each returned future completes. Build one with
 * {@link io.keepwell.netty.KeepwellHttpClient#newBuilder()}, choosing the I/O
 * {@link io.keepwell.netty.Transport} and the pool settings ({@link io.keepwell.pool.PoolConfig})
 * there, and share it; the client's handlers, pool bridge and event loops are internal.
 */
package io.keepwell.netty;
