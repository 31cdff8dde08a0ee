package io.github.chatserver.server.storage.retry;

/** What became of a write handed to {@link RetryBuffer#submit} or {@link RetryBuffer#enqueue}. */
public enum Admission {
    /** Sent to Redis; it holds its slots and waits in the buffer if that attempt fails. */
    SENT,
    /** Queued behind earlier writes that wait for Redis. */
    BUFFERED,
    /** The buffer is full (or the server stops): the write was not taken. */
    REFUSED
}
