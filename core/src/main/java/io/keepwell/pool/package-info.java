/**
 * The transport-neutral HTTP/1.1 connection pool: {@link io.keepwell.pool.ConnectionPool} decides
 * which connection serves a request, which are kept idle and which are closed, and never performs
 * I/O itself; a transport supplies the sockets through {@link io.keepwell.pool.TransportHooks} and
 * asks for connections with a {@link io.keepwell.pool.Waiter}. Its limits and timeouts are a
 * {@link io.keepwell.pool.PoolConfig}; what it did is told to a {@link io.keepwell.pool.PoolListener}
 * and counted in {@link io.keepwell.pool.PoolStats}, with every refusal and close given a reason
 * ({@link io.keepwell.pool.RefuseReason}, {@link io.keepwell.pool.CloseReason}).
 */
package io.keepwell.pool;
