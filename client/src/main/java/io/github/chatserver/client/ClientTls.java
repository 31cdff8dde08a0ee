package io.github.chatserver.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * How a client connection is secured with TLS: which server certificates it trusts and whether
 * the certificate must name the host connected to. Used by {@link ChatConnector#ChatConnector(
 * io.github.chatserver.codec.BodyCipher, java.time.Duration, ClientTls)}.
 *
 * <p>MINA 2.2's SslFilter runs the certificate check on a worker thread and, when it fails,
 * only logs the error: the handshake would stall until the server gives up. So the trust
 * manager here reports a refused certificate to the connection whose engine asked, which then
 * closes at once with the reason.
 */
public final class ClientTls {
    /** The TLS versions docs/PROTOCOL.md §2 allows. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private static final Map<SSLEngine, Consumer<CertificateException>> WATCHED =
            Collections.synchronizedMap(new WeakHashMap<>());

    private final SSLContext context;
    private final boolean verifyHostname;

    private ClientTls(X509TrustManager trust, boolean verifyHostname) {
        try {
            this.context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new Reporting(trust)}, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM", e);
        }
        this.verifyHostname = verifyHostname;
    }

    /** Trusts the JVM's default certificate authorities and checks the host name. */
    public static ClientTls systemDefault() {
        try {
            return new ClientTls(trustManager(null), true);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("No default trust store in this JVM", e);
        }
    }

    /**
     * Trusts exactly the certificates in a file and checks the host name. The file is a key
     * store (PKCS12 or JKS, {@code password} may be {@code null}) or one or more X.509
     * certificates, PEM or DER (e.g. the server's self-signed certificate).
     */
    public static ClientTls trusting(Path file, char[] password) throws IOException, GeneralSecurityException {
        return new ClientTls(trustManager(loadTrustStore(file, password)), true);
    }

    /**
     * Trusts any certificate and any host name: encryption without authentication, for
     * development against a server with a throw-away certificate. Never the default.
     */
    public static ClientTls insecure() {
        return new ClientTls(new TrustAll(), false);
    }

    public SSLContext context() {
        return context;
    }

    /** Whether the server certificate must match the host name or IP address connected to (HTTPS rules). */
    public boolean verifyHostname() {
        return verifyHostname;
    }

    /** Calls {@code onFailure} if the engine's peer certificate is refused (then forgets the engine). */
    static void watch(SSLEngine engine, Consumer<CertificateException> onFailure) {
        WATCHED.put(engine, onFailure);
    }

    private static X509TrustManager trustManager(KeyStore trusted) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("No X.509 trust manager");
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

    /** Delegates every check and reports a refused server certificate to the watching connection. */
    private static final class Reporting extends X509ExtendedTrustManager {
        private final X509TrustManager delegate;

        Reporting(X509TrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            try {
                if (delegate instanceof X509ExtendedTrustManager x) {
                    x.checkServerTrusted(chain, authType, engine);
                } else {
                    delegate.checkServerTrusted(chain, authType);
                }
            } catch (CertificateException e) {
                Consumer<CertificateException> watcher = WATCHED.remove(engine);
                if (watcher != null) {
                    watcher.accept(e);
                }
                throw e;
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            if (delegate instanceof X509ExtendedTrustManager x) {
                x.checkServerTrusted(chain, authType, socket);
            } else {
                delegate.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("a chat client does not authenticate peers as clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("a chat client does not authenticate peers as clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a chat client does not authenticate peers as clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
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
