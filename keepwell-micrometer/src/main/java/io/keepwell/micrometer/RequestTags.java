package io.keepwell.micrometer;

/**
 * Tag values of {@code http.client.requests}, as Spring's {@code DefaultClientRequestObservationConvention}
 * gives them, each from a bounded set.
 */
final class RequestTags {

    /** The methods that get their own {@code method} value; any other is {@code OTHER}. */
    static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "CONNECT", "OTHER"};

    /** Status slots: every three-digit code has its own; slot 0 holds any code outside them. */
    static final int STATUS_SLOTS = 1000;

    /** Spring's {@code status} when there is no response. */
    static final String NO_RESPONSE_STATUS = "CLIENT_ERROR";
    static final String NONE = "none";

    private RequestTags() {
    }

    static int methodIndex(String method) {
        return switch (method) {
            case "GET" -> 0;
            case "HEAD" -> 1;
            case "POST" -> 2;
            case "PUT" -> 3;
            case "DELETE" -> 4;
            case "OPTIONS" -> 5;
            case "TRACE" -> 6;
            case "PATCH" -> 7;
            case "CONNECT" -> 8;
            default -> 9;
        };
    }

    static int statusSlot(int statusCode) {
        return statusCode >= 100 && statusCode < STATUS_SLOTS ? statusCode : 0;
    }

    static String status(int slot) {
        return slot == 0 ? "UNKNOWN" : Integer.toString(slot);
    }

    /** Spring's {@code outcome}: the status code's series, {@code UNKNOWN} outside the five. */
    static String outcome(int slot) {
        return switch (slot / 100) {
            case 1 -> "INFORMATIONAL";
            case 2 -> "SUCCESS";
            case 3 -> "REDIRECTION";
            case 4 -> "CLIENT_ERROR";
            case 5 -> "SERVER_ERROR";
            default -> "UNKNOWN";
        };
    }

    /** Spring's {@code exception}: the simple name, or the full name of a class without one. */
    static String exception(Class<?> type) {
        String simple = type.getSimpleName();
        return simple.isEmpty() ? type.getName() : simple;
    }
}
