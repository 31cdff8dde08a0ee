package io.github.chatserver.bench.jmh;

import io.github.chatserver.codec.BodyCipher;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * legacy-aes (AES-128-CBC, key = IV, one initialised cipher per thread) on the body of a
 * one-to-one text with a 64-byte text: what every relayed message costs twice on the server.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CipherBench {
    private BodyCipher cipher;
    private byte[] plain;
    private byte[] encrypted;

    @Setup
    public void setup() {
        cipher = BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY);
        plain = Samples.text().toByteArray();
        encrypted = cipher.encrypt(plain);
    }

    @Benchmark
    public byte[] encrypt() {
        return cipher.encrypt(plain);
    }

    @Benchmark
    public byte[] decrypt() throws GeneralSecurityException {
        return cipher.decrypt(encrypted);
    }
}
