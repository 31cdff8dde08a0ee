package io.github.chatserver.server.admin;

import io.github.chatserver.server.storage.ConsoleQueries.QueueSummary;

/** What is stored for a user who was offline ({@code chat:offline}): its one-to-one and its group queue. */
public record OfflineSummary(String user, QueueSummary c2c, QueueSummary group) {
}
