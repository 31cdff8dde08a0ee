package io.github.chatserver.server.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.protocol.PacketType;
import io.github.chatserver.protocol.PbC2CTextChat;
import io.github.chatserver.protocol.PbClientPing;
import io.github.chatserver.server.fuzz.PacketScript.Encoder;
import io.github.chatserver.server.fuzz.PacketScript.Expect;
import io.github.chatserver.server.fuzz.PacketScript.Step;
import io.github.chatserver.testing.SeedCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The seed corpus of {@link HandlerFuzzTest#handlePackets}: scripts ({@link PacketScript}) of a
 * valid packet of every type, and of the situations the handlers distinguish (texts to each peer,
 * a group's life, impersonation, missing fields, bad frames). Generated here; this test fails when
 * the committed files differ, and rewrites them with {@code -Dfuzz.writeSeeds=true}. Files named
 * {@code crash-*} or {@code timeout-*} there are findings kept as regression inputs.
 */
class HandlerSeedCorpusTest {
    static final Path DIR = Path.of("src/test/resources/io/github/chatserver/server/fuzz/HandlerFuzzTestInputs/handlePackets");
    private static final PacketScript.Names NAMES =
            new PacketScript.Names("self", "peer-a", "peer-b", "offline", "PPPPPPPPPPPPPPPPPPPPPP", "OOOOOOOOOOOOOOOOOOOOOO");
    // Choices (PacketScript#string): uuid 0 self, 1 peer A, 2 peer B, 3 offline user; group 0 the
    // peers' group, 1 the user's own, 2 one that does not exist.
    private static final int SELF = 0, PEER_A = 1, PEER_B = 2, OFFLINE = 3;
    private static final int PEERS_GROUP = 0, OWN_GROUP = 1, NO_GROUP = 2;

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        for (PacketType type : PacketType.values()) {
            seeds.put(String.format("seed-type-%02d-%s", type.code(), type.name().toLowerCase(Locale.ROOT).replace('_', '-')),
                    new Encoder().built(type).bytes());
        }
        seeds.put("seed-c2c-to-each", new Encoder()
                .built(PacketType.C2C_TEXT_CHAT, Map.of("to_uuid", PEER_A))
                .built(PacketType.C2C_TEXT_CHAT, Map.of("to_uuid", PEER_B))
                .built(PacketType.C2C_TEXT_CHAT, Map.of("to_uuid", OFFLINE))
                .built(PacketType.C2C_TEXT_CHAT, Map.of("to_uuid", SELF)).bytes());
        seeds.put("seed-group-life", new Encoder()
                .built(PacketType.CLIENT_JOIN_GROUP, Map.of("group_id", PEERS_GROUP))
                .built(PacketType.GROUP_TEXT_CHAT, Map.of("group_id", PEERS_GROUP))
                .built(PacketType.CLIENT_REQUEST_GROUP_INFO)
                .built(PacketType.CLIENT_LEAVE_GROUP, Map.of("group_id", PEERS_GROUP))
                .built(PacketType.GROUP_TEXT_CHAT, Map.of("group_id", PEERS_GROUP))
                .built(PacketType.CLIENT_DISBAND_GROUP, Map.of("group_id", PEERS_GROUP))
                .built(PacketType.CLIENT_JOIN_GROUP, Map.of("group_id", OWN_GROUP))
                .built(PacketType.CLIENT_LEAVE_GROUP, Map.of("group_id", OWN_GROUP))
                .built(PacketType.CLIENT_DISBAND_GROUP, Map.of("group_id", OWN_GROUP))
                .built(PacketType.CLIENT_JOIN_GROUP, Map.of("group_id", OWN_GROUP))
                .built(PacketType.CLIENT_JOIN_GROUP, Map.of("group_id", NO_GROUP))
                .built(PacketType.CLIENT_BUILD_GROUP)
                .built(PacketType.CLIENT_BUILD_GROUP, Map.of("group_name", 3)) // empty name: refused
                .bytes());
        seeds.put("seed-offline-requests", new Encoder()
                .built(PacketType.CLIENT_REQUEST_C2C_OFFLINE_MSG)
                .built(PacketType.CLIENT_REQUEST_GROUP_OFFLINE_MSG)
                .built(PacketType.CLIENT_REQUEST_C2C_OFFLINE_MSG).bytes());
        seeds.put("seed-impersonation-between-texts", new Encoder()
                .built(PacketType.C2C_TEXT_CHAT, Map.of("to_uuid", PEER_A))
                .built(PacketType.C2C_TEXT_CHAT, Map.of("from_uuid", PEER_A, "to_uuid", PEER_B))
                .built(PacketType.C2C_TEXT_CHAT, Map.of("to_uuid", PEER_A)).bytes());
        seeds.put("seed-missing-fields", new Encoder().partial(PacketType.C2C_TEXT_CHAT)
                .built(PacketType.C2C_TEXT_CHAT, Map.of("to_uuid", PEER_A)).bytes());
        seeds.put("seed-lenient-c2c", new Encoder().lenient(PacketType.C2C_TEXT_CHAT,
                PbC2CTextChat.newBuilder().setFromUuid("x").setToUuid("y").setTextMsg("z").setTimestamp(1).build()
                        .toByteArray()).bytes());
        seeds.put("seed-bad-length", new Encoder().shortLength(PacketType.CLIENT_PING, 7).bytes());
        seeds.put("seed-aes-body-ping", new Encoder().aesBody(PacketType.CLIENT_PING,
                PbClientPing.newBuilder().setPing(true).setTimestamp(1).build().toByteArray()).bytes());
        seeds.put("seed-unknown-type", new Encoder().unknownType().built(PacketType.CLIENT_PING).bytes());
        // A long script: libFuzzer's length limit starts at the largest seed (and stays there
        // with -len_control=0), so this one lets mutations reach full-length scripts at once.
        Encoder longScript = new Encoder();
        String text = "long text, with a tab\t and ünïcödé ".repeat(3);
        for (int i = 0; i < 4; i++) {
            longScript.built(PacketType.C2C_TEXT_CHAT, Map.of("to_uuid", PEER_A, "text_msg", text + i))
                    .built(PacketType.C2C_TEXT_CHAT, Map.of("to_uuid", "someone-" + i, "text_msg", text))
                    .built(PacketType.GROUP_TEXT_CHAT, Map.of("group_id", PEERS_GROUP, "text_msg", text))
                    .built(PacketType.CLIENT_JOIN_GROUP, Map.of("group_id", "g".repeat(22 + i)))
                    .built(PacketType.CLIENT_BUILD_GROUP, Map.of("group_name", "name " + text.substring(0, 10 + i)))
                    .built(PacketType.CLIENT_REQUEST_GROUP_INFO)
                    .built(PacketType.CLIENT_LEAVE_GROUP, Map.of("group_id", NO_GROUP));
        }
        seeds.put("seed-long-script", longScript.bytes());
        seeds.put("seed-logout-then-text", new Encoder().built(PacketType.CLIENT_LOGOUT)
                .built(PacketType.C2C_TEXT_CHAT, Map.of("to_uuid", PEER_A)).bytes());
        return seeds;
    }

    @Test
    void committedSeedsAreWhatTheCodeGenerates() throws Exception {
        SeedCorpus.assertCommitted(DIR, seeds());
    }

    /** The encoder and the parser agree: each seed reads back as the steps it was written as. */
    @Test
    void seedsParseAsWritten() {
        Map<String, byte[]> seeds = seeds();
        for (PacketType type : PacketType.values()) {
            List<Step> steps = parse(seeds.get(String.format("seed-type-%02d-%s", type.code(),
                    type.name().toLowerCase(Locale.ROOT).replace('_', '-'))));
            assertEquals(1, steps.size(), type.toString());
            Expect expected = type == PacketType.CLIENT_LOGIN || type == PacketType.CLIENT_LOGOUT ? Expect.CLOSES : Expect.VALID;
            assertEquals(expected, steps.get(0).expect(), type + ": " + steps.get(0));
            assertEquals(type, steps.get(0).type());
        }
        List<Step> c2c = parse(seeds.get("seed-c2c-to-each"));
        assertEquals(List.of("peer-a", "peer-b"), c2c.stream().map(Step::c2cTo).filter(s -> s != null).toList());
        assertTrue(c2c.stream().allMatch(s -> s.expect() == Expect.VALID));
        List<Step> life = parse(seeds.get("seed-group-life"));
        assertEquals(13, life.size());
        assertTrue(life.stream().allMatch(s -> s.expect() == Expect.VALID), life.toString());
        assertEquals(List.of(Expect.VALID, Expect.VIOLATION, Expect.VALID),
                parse(seeds.get("seed-impersonation-between-texts")).stream().map(Step::expect).toList());
        assertEquals(List.of(Expect.VIOLATION, Expect.VALID),
                parse(seeds.get("seed-missing-fields")).stream().map(Step::expect).toList());
        assertEquals(Expect.VIOLATION, parse(seeds.get("seed-lenient-c2c")).get(0).expect(), "from_uuid x is not self");
        assertEquals(Expect.VIOLATION, parse(seeds.get("seed-bad-length")).get(0).expect());
        assertEquals(Expect.VALID, parse(seeds.get("seed-aes-body-ping")).get(0).expect());
        assertEquals(List.of(Expect.VALID, Expect.VALID),
                parse(seeds.get("seed-unknown-type")).stream().map(Step::expect).toList());
        assertEquals(List.of(Expect.CLOSES, Expect.VALID),
                parse(seeds.get("seed-logout-then-text")).stream().map(Step::expect).toList());
        List<Step> longScript = parse(seeds.get("seed-long-script"));
        assertEquals(28, longScript.size());
        assertTrue(seeds.get("seed-long-script").length > 1500 && seeds.get("seed-long-script").length <= 2048,
                "near -max_len=2048: " + seeds.get("seed-long-script").length);
        assertEquals("peer-a", longScript.get(0).c2cTo());
        assertEquals(Expect.UNSURE, longScript.get(1).expect(), "a literal recipient");
    }

    private static List<Step> parse(byte[] script) {
        return PacketScript.parse(script, NAMES, HandlerFuzzTest.LIMITS, 8192,
                BodyCipher.forMode(BodyCipher.LEGACY_AES, BodyCipher.ORIGINAL_CLIENT_KEY));
    }
}
