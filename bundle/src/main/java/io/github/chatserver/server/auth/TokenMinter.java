package io.github.chatserver.server.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes a login token for {@code authMode=token}: {@code uuid.expiry.signature}, where expiry is
 * in Unix seconds and signature is base64url (no padding) of HMAC-SHA256(secret, "uuid.expiry").
 * It needs nothing but the JDK, so an application backend can copy it as it is.
 */
public final class TokenMinter {
    private TokenMinter() {
    }

    /**
     * @param secret the server's {@code tokenSecret} (UTF-8 bytes are the HMAC key)
     * @param uuid the user the token is for; it may contain dots
     * @param expiry Unix seconds after which the server refuses the token
     */
    public static String mint(String secret, String uuid, long expiry) {
        String payload = uuid + "." + expiry;
        return payload + "." + sign(secret, payload);
    }

    /** base64url without padding of HMAC-SHA256(secret, payload). */
    public static String sign(String secret, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] signature = mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
