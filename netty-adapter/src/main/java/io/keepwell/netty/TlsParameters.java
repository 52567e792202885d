package io.keepwell.netty;

import javax.net.ssl.SSLParameters;

/** {@link SSLParameters} is mutable: the client keeps its own copy and hands out copies. */
final class TlsParameters {

    private TlsParameters() {
    }

    static SSLParameters copy(SSLParameters source) {
        SSLParameters copy = new SSLParameters(source.getCipherSuites(), source.getProtocols());
        copy.setAlgorithmConstraints(source.getAlgorithmConstraints());
        copy.setEndpointIdentificationAlgorithm(source.getEndpointIdentificationAlgorithm());
        copy.setServerNames(source.getServerNames());
        copy.setSNIMatchers(source.getSNIMatchers());
        copy.setUseCipherSuitesOrder(source.getUseCipherSuitesOrder());
        copy.setEnableRetransmissions(source.getEnableRetransmissions());
        copy.setMaximumPacketSize(source.getMaximumPacketSize());
        copy.setApplicationProtocols(source.getApplicationProtocols());
        if (source.getNeedClientAuth()) {
            copy.setNeedClientAuth(true);
        } else if (source.getWantClientAuth()) {
            copy.setWantClientAuth(true);
        }
        return copy;
    }
}
