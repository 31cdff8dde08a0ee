/**
 * The retry buffer: writes to Redis that must outlive a Redis outage (messages for offline users,
 * removals of delivered messages, presence releases) are kept in memory, bounded, and retried until
 * Redis takes them. {@link io.github.chatserver.server.storage.retry.RetryBuffer} is the entry point;
 * the other classes each hold one part of its state. It uses only the server's counters and
 * timer: the writes themselves ({@link io.github.chatserver.server.storage.retry.Write}) are given
 * by the stores and handlers that use it.
 */
package io.github.chatserver.server.storage.retry;
