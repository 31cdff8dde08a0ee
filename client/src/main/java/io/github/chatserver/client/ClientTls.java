package io.github.chatserver.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * How a client connection is secured with TLS: which server certificates it trusts and whether
 * the certificate must name the host connected to. Used by {@link ChatConnector#ChatConnector(
 * io.github.chatserver.codec.BodyCipher, java.time.Duration, ClientTls)}.
 *
 * @param context        the SSL context the client's engines are made from
 * @param verifyHostname whether the server certificate must match the host name or IP address
 *                       connected to (HTTPS rules); off only for {@link #insecure()}
 */
public record ClientTls(SSLContext context, boolean verifyHostname) {
    /** The TLS versions PROTOCOL.md allows. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** Trusts the JVM's default certificate authorities and checks the host name. */
    public static ClientTls systemDefault() {
        try {
            return new ClientTls(SSLContext.getDefault(), true);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("No default SSL context in this JVM", e);
        }
    }

    /**
     * Trusts exactly the certificates in a file and checks the host name. The file is a key
     * store (PKCS12 or JKS, {@code password} may be {@code null}) or one or more X.509
     * certificates, PEM or DER (e.g. the server's self-signed certificate).
     */
    public static ClientTls trusting(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore trusted = loadTrustStore(file, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return new ClientTls(context, true);
    }

    /**
     * Trusts any certificate and any host name: encryption without authentication, for
     * development against a server with a throw-away certificate. Never the default.
     */
    public static ClientTls insecure() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustAll()}, null);
            return new ClientTls(context, false);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM", e);
        }
    }

    static KeyStore loadTrustStore(Path file, char[] password) throws IOException, GeneralSecurityException {
        byte[] bytes = Files.readAllBytes(file);
        for (String type : new String[] {"PKCS12", "JKS"}) {
            try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
                KeyStore ks = KeyStore.getInstance(type);
                ks.load(in, password);
                if (ks.size() > 0) {
                    return ks;
                }
            } catch (IOException | GeneralSecurityException notThisType) {
                // try the next format
            }
        }
        Collection<? extends Certificate> certs;
        try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException(file + " is neither a key store (PKCS12, JKS; wrong password?)"
                    + " nor X.509 certificates (PEM, DER)", e);
        }
        if (certs.isEmpty()) {
            throw new GeneralSecurityException(file + " holds no certificate");
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (Certificate c : certs) {
            ks.setCertificateEntry("cert-" + i++, c);
        }
        return ks;
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
