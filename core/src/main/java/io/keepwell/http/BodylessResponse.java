package io.keepwell.http;

/**
 * What a transport knows of a response beyond {@code ResponseInfo}: whether it has no body at all
 * (an answer to HEAD; 1xx, 204, 304), whose {@code Content-Length} is then the length a GET would
 * have had and must not be taken as the body's.
 */
public interface BodylessResponse {

    /**
     * Whether the response has no body, whatever its headers say.
     *
     * @return {@code true} for a response that cannot carry a body (to HEAD; 1xx, 204, 304)
     */
    boolean hasNoBody();
}
