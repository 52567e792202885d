/**
 * Spring WebClient on Keepwell: {@link io.keepwell.spring.KeepwellClientHttpConnector}, a
 * {@code ClientHttpConnector} whose response bodies are not cached, so a cancelled body subscription
 * (a disposed subscription, {@code Mono.timeout}, {@code take(n)}) reaches the connection.
 */
package io.keepwell.spring;
