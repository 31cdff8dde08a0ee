package io.github.chatserver.codec;

/** Cipher mode {@code none}: the body is the protobuf bytes. Only allowed on a TLS listener. */
final class PlainBody implements BodyCipher {
    static final PlainBody INSTANCE = new PlainBody();

    private PlainBody() {
    }

    @Override
    public byte[] encrypt(byte[] plain) {
        return plain;
    }

    @Override
    public byte[] decrypt(byte[] body) {
        return body;
    }

    @Override
    public String mode() {
        return NONE;
    }
}
