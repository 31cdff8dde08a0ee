package io.github.chatserver.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class SteadySelectorProcessorTest {

    @Test
    void rebuildsTheSelectorAtMostOnceASecond() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        SteadySelectorProcessor processor = new SteadySelectorProcessor(executor);
        try {
            processor.registerNewSelector();
            for (int i = 0; i < 1_000; i++) {
                processor.registerNewSelector(); // what MINA's spin guard asks under cross-thread wakeups
            }
            assertEquals(1, processor.rebuilds());
        } finally {
            processor.dispose();
            executor.shutdownNow();
        }
    }
}
