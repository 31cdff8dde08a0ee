package io.github.chatserver.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code redis-benchmark -P 16} on the Redis the offline run used, for the commands the server's
 * offline path sends, so the two throughputs appear in one summary: ZADD and ZPOPMIN alone, and one
 * EVAL of what the server runs per stored message (ZADD, ZCARD, PTTL, PEXPIRE). Skipped, with the
 * reason in the summary, when the binary is missing or the Redis is not the run's own.
 */
final class RedisBenchmark {
    /** The per-message work of the server's store script, for one entry. */
    static final String STORE_ONE = "redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) "
            + "local d = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3]) "
            + "if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end "
            + "return d";
    private static final Pattern RATE = Pattern.compile("([0-9.]+) requests per second");

    private RedisBenchmark() {
    }

    static Map<String, Object> run(int redisPort, int requests) {
        Map<String, Object> r = Json.object();
        r.put("command", "redis-benchmark -p " + redisPort + " -P 16 -q -n " + requests + " ...");
        try {
            List<Double> plain = rates(List.of("redis-benchmark", "-p", String.valueOf(redisPort), "-P", "16", "-q",
                    "-n", String.valueOf(requests), "-t", "zadd,zpopmin"));
            List<Double> eval = rates(List.of("redis-benchmark", "-p", String.valueOf(redisPort), "-P", "16", "-q",
                    "-n", String.valueOf(requests), "-r", "100000", "eval", STORE_ONE, "1", "rb:q:__rand_int__",
                    "m:__rand_int__", "1", "1000000", "600000"));
            if (plain.size() < 2 || eval.isEmpty()) {
                r.put("skipped", "could not read redis-benchmark's output");
                return r;
            }
            r.put("zadd_per_s", Math.round(plain.get(0)));
            r.put("zpopmin_per_s", Math.round(plain.get(1)));
            r.put("eval_store_script_per_s", Math.round(eval.get(0)));
        } catch (Exception e) {
            r.put("skipped", "redis-benchmark did not run: " + e.getMessage());
        }
        return r;
    }

    private static List<Double> rates(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<Double> rates = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                // -q prints "NAME: N requests per second, p50=..." per test (with \r progress before it)
                Matcher m = RATE.matcher(line);
                while (m.find()) {
                    rates.add(Double.parseDouble(m.group(1)));
                }
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return rates;
    }
}
