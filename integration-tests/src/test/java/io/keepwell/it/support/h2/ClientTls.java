package io.keepwell.it.support.h2;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

/** Client-side TLS for tests against an {@link H2Server}. */
public final class ClientTls {

    private ClientTls() {
    }

    /** An SSLContext whose only trust is {@code certificate}; it leaves ALPN to the client using it. */
    public static SSLContext clientSslContextTrusting(X509Certificate certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
