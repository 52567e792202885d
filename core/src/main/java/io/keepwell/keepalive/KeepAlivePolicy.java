package io.keepwell.keepalive;

/**
 * The one keep-alive decision, made once per exchange at its end. Pure: the same facts always give
 * the same verdict. Checks run from the most to the least fundamental, so the verdict names the
 * first thing that ruled reuse out.
 */
public final class KeepAlivePolicy {

    private KeepAlivePolicy() {
    }

    public static KeepAliveVerdict decide(ExchangeFacts f) {
        if (f.framingError()) {
            return KeepAliveVerdict.BAD_FRAMING;
        }
        if (f.earlyResponse()) {
            return KeepAliveVerdict.EARLY_RESPONSE;
        }
        if (!f.requestFullyWritten()) {
            return KeepAliveVerdict.REQUEST_INCOMPLETE;
        }
        if (!f.responseComplete()) {
            return KeepAliveVerdict.RESPONSE_INCOMPLETE;
        }
        if (f.closeDelimited()) {
            return KeepAliveVerdict.CLOSE_DELIMITED_BODY;
        }
        if (f.requestAskedClose()) {
            return KeepAliveVerdict.REQUEST_ASKED_CLOSE;
        }
        if (f.responseAskedClose()) {
            return KeepAliveVerdict.RESPONSE_ASKED_CLOSE;
        }
        if (f.http10() && !f.http10KeepAlive()) {
            return KeepAliveVerdict.HTTP10_WITHOUT_KEEP_ALIVE;
        }
        if (f.serverRequestsLeft() == 0) {
            return KeepAliveVerdict.SERVER_MAX_REACHED;
        }
        return KeepAliveVerdict.REUSE;
    }
}
