package io.github.chatserver.bench.jmh;

import io.github.chatserver.protocol.PbC2CTextChat;

/** The message the microbenchmarks work on: a one-to-one text of 64 characters. */
final class Samples {
    static final String TEXT_64 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!?";

    private Samples() {
    }

    static PbC2CTextChat text() {
        return PbC2CTextChat.newBuilder().setFromUuid("alice-0001").setToUuid("bob-0002").setTextMsg(TEXT_64)
                .setTimestamp(1_764_000_000L).build();
    }
}
