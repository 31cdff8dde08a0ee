package io.github.chatserver.server.cluster;

import java.util.List;

/**
 * One thing a node sends to another through its inbox ({@link NodeInbox}). The format is the
 * caller's: a kind (what to do: deliver a one-to-one text, fan a group text out, a notice, a
 * kick...), the users it is for on the target node, a sequence number (the order number of the
 * message, or a group's sequence), and bytes (typically the protobuf body).
 */
public record InboxRecord(byte kind, List<String> recipients, long sequence, byte[] payload) {
    public InboxRecord {
        recipients = List.copyOf(recipients);
    }
}
