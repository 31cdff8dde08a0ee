package io.github.chatserver.codec;

import com.google.protobuf.Message;
import io.github.chatserver.protocol.*;

/** One fully populated message (optional fields set too) for every packet type. */
final class Samples {
    static final long TS = 1420070400L; // 2015-01-01T00:00:00Z

    private Samples() {
    }

    static Message of(PacketType type) {
        // A switch expression over the enum: a new packet type will not compile until it has a sample.
        return switch (type) {
            case CLIENT_LOGIN -> PbClientLogin.newBuilder()
                    .setUuid("alice").setVersion(1.5f).setTimestamp(TS).setToken("s3cret").build();
            case SERVER_ACCEPT_LOGIN -> PbServerAcceptLogin.newBuilder()
                    .setLogin(true).setTipsMsg("welcome").setTimestamp(TS).build();
            case CLIENT_LOGOUT -> PbClientLogout.newBuilder().setLogout(true).setTimestamp(TS).build();
            case CLIENT_PING -> PbClientPing.newBuilder().setPing(true).setTimestamp(TS).build();
            case C2C_TEXT_CHAT -> PbC2CTextChat.newBuilder()
                    .setFromUuid("alice").setToUuid("bob").setTextMsg("hello, 世界").setTimestamp(TS).build();
            case CLIENT_REQUEST_C2C_OFFLINE_MSG -> PbClientRequestC2COfflineMsg.newBuilder()
                    .setFromUuid("bob").setTimestamp(TS).build();
            case SERVER_RESPONSE_C2C_OFFLINE_MSG -> PbServerResponseC2COfflineMsg.newBuilder()
                    .setFromUuid("alice").setToUuid("bob").setTextMsg("while you were away").setTimestamp(TS).build();
            case GROUP_TEXT_CHAT -> PbGroupTextChat.newBuilder()
                    .setFromUuid("alice").setGroupId("g-1").setTextMsg("hi all").setTimestamp(TS).build();
            case CLIENT_REQUEST_GROUP_OFFLINE_MSG -> PbClientRequestGroupOfflineMsg.newBuilder()
                    .setFromUuid("carol").setTimestamp(TS).build();
            case SERVER_RESPONSE_GROUP_OFFLINE_MSG -> PbServerResponseGroupOfflineMsg.newBuilder()
                    .setFromUuid("alice").setGroupId("g-1").setTextMsg("missed this").setTimestamp(TS).build();
            case CLIENT_REQUEST_GROUP_INFO -> PbClientRequestGroupInfo.newBuilder()
                    .setFromUuid("alice").setTimestamp(TS).build();
            case SERVER_RESPONSE_GROUP_INFO -> PbServerResponseGroupInfo.newBuilder()
                    .setFromUuid("alice")
                    .addAllGroupInfo(groupInfo("g-1", "friends", "alice", "bob", "carol"))
                    .addAllGroupInfo(groupInfo("g-2", "work", "dave"))
                    .setTimestamp(TS).build();
            case CLIENT_BUILD_GROUP -> PbClientBuildGroup.newBuilder().setGroupName("friends").setTimestamp(TS).build();
            case SERVER_NOTIFY_BUILD_GROUP -> PbServerNotifyBuildGroup.newBuilder()
                    .setBuild(true).setGroupId("g-1").setGroupName("friends").setOwnerUuid("alice")
                    .setTipsMsg("built").setTimestamp(TS).build();
            case CLIENT_DISBAND_GROUP -> PbClientDisbandGroup.newBuilder()
                    .setFromUuid("alice").setGroupId("g-1").setTimestamp(TS).build();
            case SERVER_NOTIFY_DISBAND_GROUP -> PbServerNotifyDisbandGroup.newBuilder()
                    .setDisband(true).setGroupId("g-1").setGroupName("friends").setTipsMsg("bye").setTimestamp(TS).build();
            case CLIENT_JOIN_GROUP -> PbClientJoinGroup.newBuilder()
                    .setFromUuid("bob").setGroupId("g-1").setNoteMsg("let me in").setTimestamp(TS).build();
            case SERVER_NOTIFY_JOIN_GROUP -> PbServerNotifyJoinGroup.newBuilder()
                    .setApplicantUuid("bob").setGroupId("g-1").setGroupName("friends").setTimestamp(TS).build();
            case CLIENT_LEAVE_GROUP -> PbClientLeaveGroup.newBuilder()
                    .setFromUuid("bob").setGroupId("g-1").setTimestamp(TS).build();
            case SERVER_NOTIFY_LEAVE_GROUP -> PbServerNotifyLeaveGroup.newBuilder()
                    .setLeaverUuid("bob").setGroupId("g-1").setGroupName("friends").setTimestamp(TS).build();
            case GROUP_INFO -> groupInfo("g-1", "friends", "alice", "bob", "carol");
        };
    }

    private static PbGroupInfo groupInfo(String id, String name, String owner, String... members) {
        return PbGroupInfo.newBuilder().setGroupId(id).setGroupName(name).setOwnerUuid(owner)
                .addAllMemberUuid(java.util.List.of(members)).build();
    }

    /**
     * Type 5 from "alice" to "bob", text "hi", timestamp {@link #TS}, encoded by hand:
     * field 1 (0A) len 5, field 2 (12) len 3, field 3 (1A) len 2, field 4 (20) varint.
     */
    static final String C2C_HI_HEX = "0A 05 616C696365  12 03 626F62  1A 02 6869  20 809C92A505";

    static PbC2CTextChat c2cHi() {
        return PbC2CTextChat.newBuilder()
                .setFromUuid("alice").setToUuid("bob").setTextMsg("hi").setTimestamp(TS).build();
    }

    static byte[] c2cHiPlain() {
        return FrameBytes.hex(C2C_HI_HEX);
    }
}
