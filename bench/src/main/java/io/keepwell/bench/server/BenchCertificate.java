package io.keepwell.bench.server;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The embedded server's TLS identity: an EC key pair and a self-signed certificate for
 * {@code 127.0.0.1} and {@code localhost}, made at run time with the JDK's {@code keytool} (as the
 * integration tests' {@code TestCertificates} do), so no key material lives in the repository and
 * no BouncyCastle is needed. Clients trust exactly this certificate ({@link #trustContext()},
 * {@link #trustStore()}), so hostname verification stays on for every client.
 */
public final class BenchCertificate {

    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final String ALIAS = "server";

    private final KeyStore keyStore;
    private final X509Certificate certificate;

    private BenchCertificate(KeyStore keyStore, X509Certificate certificate) {
        this.keyStore = keyStore;
        this.certificate = certificate;
    }

    /** A fresh key pair and certificate (keytool runs in a child process; about a second). */
    public static BenchCertificate generate() {
        try {
            Path dir = Files.createTempDirectory("keepwell-bench-tls");
            Path store = dir.resolve("server.p12");
            try {
                String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
                Process p = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC",
                        "-groupname", "secp256r1", "-dname", "CN=keepwell-bench", "-ext", "SAN=IP:127.0.0.1,DNS:localhost",
                        "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)))
                        .redirectErrorStream(true).start();
                byte[] output = p.getInputStream().readAllBytes();
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
                }
                KeyStore ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(store)) {
                    ks.load(in, PASSWORD);
                }
                return new BenchCertificate(ks, (X509Certificate) ks.getCertificate(ALIAS));
            } finally {
                Files.deleteIfExists(store);
                Files.deleteIfExists(dir);
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("could not make the bench's self-signed certificate", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while keytool ran", e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The server's key manager (its key and certificate). */
    KeyManagerFactory keyManagerFactory() throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, PASSWORD);
        return kmf;
    }

    /** Writes the certificate as PEM, for {@code load --trust FILE} in another process. */
    public void writePem(Path file) throws IOException {
        Files.writeString(file, toPem(certificate));
    }

    /** A trust store holding only {@code certificate}. */
    public static KeyStore trustStore(X509Certificate certificate) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setCertificateEntry("keepwell-bench", certificate);
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client TLS context that trusts only {@code certificate}. */
    public static SSLContext trustContext(X509Certificate certificate) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore(certificate));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads one PEM certificate, as {@link #writePem} wrote it. */
    public static X509Certificate readPem(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException("not a PEM certificate: " + file, e);
        }
    }

    private static String toPem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
