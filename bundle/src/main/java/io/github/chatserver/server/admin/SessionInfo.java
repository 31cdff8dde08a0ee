package io.github.chatserver.server.admin;

/**
 * One logged-in session on this node ({@code chat:sessions}), with MINA's per-session counts.
 *
 * @param packetsIn packets decoded from the client (counted by the handler: MINA's getReadMessages()
 *                  counts only raw buffers and stays 0 behind a codec)
 * @param packetsOut packets written to the client (frames, also those written together in one batch)
 * @param loggedInAtMillis when the login completed, epoch milliseconds
 * @param queuedOutboundBytes bytes waiting to be written to the client (MINA's scheduled write bytes)
 */
public record SessionInfo(String user, String remoteAddress, boolean tls, long loggedInAtMillis, long packetsIn,
                          long packetsOut, long bytesIn, long bytesOut, long queuedOutboundBytes) {
}
