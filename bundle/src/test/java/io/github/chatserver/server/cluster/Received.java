package io.github.chatserver.server.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** What a test's inbox handler was given: each record's payload as text, in the order handed over. */
final class Received implements InboxReader.Handler {
    private final List<String> texts = new ArrayList<>();
    /** Records from this index on are taken and never finished: as if the node stopped before handling them. */
    private final int finishOnly;

    Received() {
        this(Integer.MAX_VALUE);
    }

    Received(int finishOnly) {
        this.finishOnly = finishOnly;
    }

    static InboxRecord record(String text) {
        return new InboxRecord((byte) 5, List.of("someone"), 0, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public synchronized CompletionStage<Void> handle(InboxRecord record) {
        texts.add(new String(record.payload(), StandardCharsets.UTF_8));
        return texts.size() <= finishOnly ? CompletableFuture.completedFuture(null) : new CompletableFuture<>();
    }

    synchronized int size() {
        return texts.size();
    }

    synchronized List<String> texts() {
        return List.copyOf(texts);
    }

    /** The texts whose handling completed. */
    synchronized List<String> finished() {
        return List.copyOf(texts.subList(0, Math.min(finishOnly, texts.size())));
    }
}
