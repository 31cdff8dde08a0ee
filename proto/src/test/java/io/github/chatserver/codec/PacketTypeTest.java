package io.github.chatserver.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import io.github.chatserver.protocol.*;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The packet-type table of docs/PROTOCOL.md §3, written out again here by hand. */
class PacketTypeTest {
    private static final Map<Integer, Class<? extends Message>> CONTRACT = new LinkedHashMap<>();

    static {
        CONTRACT.put(1, PbClientLogin.class);
        CONTRACT.put(2, PbServerAcceptLogin.class);
        CONTRACT.put(3, PbClientLogout.class);
        CONTRACT.put(4, PbClientPing.class);
        CONTRACT.put(5, PbC2CTextChat.class);
        CONTRACT.put(6, PbClientRequestC2COfflineMsg.class);
        CONTRACT.put(7, PbServerResponseC2COfflineMsg.class);
        CONTRACT.put(8, PbGroupTextChat.class);
        CONTRACT.put(9, PbClientRequestGroupOfflineMsg.class);
        CONTRACT.put(10, PbServerResponseGroupOfflineMsg.class);
        CONTRACT.put(11, PbClientRequestGroupInfo.class);
        CONTRACT.put(12, PbServerResponseGroupInfo.class);
        CONTRACT.put(13, PbClientBuildGroup.class);
        CONTRACT.put(14, PbServerNotifyBuildGroup.class);
        CONTRACT.put(15, PbClientDisbandGroup.class);
        CONTRACT.put(16, PbServerNotifyDisbandGroup.class);
        CONTRACT.put(17, PbClientJoinGroup.class);
        CONTRACT.put(18, PbServerNotifyJoinGroup.class);
        CONTRACT.put(19, PbClientLeaveGroup.class);
        CONTRACT.put(20, PbServerNotifyLeaveGroup.class);
        CONTRACT.put(21, PbGroupInfo.class);
    }

    @Test
    void codesOneToTwentyOneMapBothWays() throws Exception {
        assertEquals(21, PacketType.values().length);
        Set<Integer> seen = new HashSet<>();
        for (Map.Entry<Integer, Class<? extends Message>> e : CONTRACT.entrySet()) {
            int code = e.getKey();
            PacketType type = PacketType.ofCode(code);
            assertNotNull(type, "code " + code);
            assertEquals(code, type.code());
            assertSame(type, PacketType.ofCode(type.code()));
            Message sample = Samples.of(type);
            assertEquals(e.getValue(), sample.getClass(), "message of type " + code);
            assertSame(type, PacketType.of(sample));
            assertEquals(e.getValue(), type.parser().parseFrom(sample.toByteArray()).getClass());
            seen.add(type.code());
        }
        assertEquals(21, seen.size());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 22, 23, 99, -1, 0xFFFFFFFFL, 0x100000005L, Long.MAX_VALUE, Long.MIN_VALUE})
    void unknownCodesAreNull(long code) {
        assertNull(PacketType.ofCode(code));
    }

    @Test
    void aMessageNoTypeCarriesIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> PacketType.of(Empty.getDefaultInstance()));
    }
}
