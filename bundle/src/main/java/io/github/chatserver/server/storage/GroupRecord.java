package io.github.chatserver.server.storage;

import java.util.Set;

/** A discussion group as stored: id, name, owner, creation time (Unix seconds), and its members. */
public record GroupRecord(String id, String name, String owner, long createdAt, Set<String> members) {
}
