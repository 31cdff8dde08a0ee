package io.github.chatserver.bench.deployed;

/** The two load generators: the shared Go tool and the project's own (bench). */
enum Generator {
    GOBENCH("gobench"), BENCH("bench");

    final String id;

    Generator(String id) {
        this.id = id;
    }

    static Generator byId(String id) {
        for (Generator g : values()) {
            if (g.id.equals(id)) {
                return g;
            }
        }
        throw new IllegalArgumentException("unknown generator '" + id + "' (gobench, bench)");
    }
}
