package io.github.chatserver.protocol;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;

/**
 * The packet-type numbers of docs/PROTOCOL.md §3, each bound to the message that travels
 * with it. This enum is the only place where the numbers are written down.
 */
public enum PacketType {
    CLIENT_LOGIN(1, PbClientLogin.getDefaultInstance()),
    SERVER_ACCEPT_LOGIN(2, PbServerAcceptLogin.getDefaultInstance()),
    CLIENT_LOGOUT(3, PbClientLogout.getDefaultInstance()),
    CLIENT_PING(4, PbClientPing.getDefaultInstance()),
    C2C_TEXT_CHAT(5, PbC2CTextChat.getDefaultInstance()),
    CLIENT_REQUEST_C2C_OFFLINE_MSG(6, PbClientRequestC2COfflineMsg.getDefaultInstance()),
    SERVER_RESPONSE_C2C_OFFLINE_MSG(7, PbServerResponseC2COfflineMsg.getDefaultInstance()),
    GROUP_TEXT_CHAT(8, PbGroupTextChat.getDefaultInstance()),
    CLIENT_REQUEST_GROUP_OFFLINE_MSG(9, PbClientRequestGroupOfflineMsg.getDefaultInstance()),
    SERVER_RESPONSE_GROUP_OFFLINE_MSG(10, PbServerResponseGroupOfflineMsg.getDefaultInstance()),
    CLIENT_REQUEST_GROUP_INFO(11, PbClientRequestGroupInfo.getDefaultInstance()),
    SERVER_RESPONSE_GROUP_INFO(12, PbServerResponseGroupInfo.getDefaultInstance()),
    CLIENT_BUILD_GROUP(13, PbClientBuildGroup.getDefaultInstance()),
    SERVER_NOTIFY_BUILD_GROUP(14, PbServerNotifyBuildGroup.getDefaultInstance()),
    CLIENT_DISBAND_GROUP(15, PbClientDisbandGroup.getDefaultInstance()),
    SERVER_NOTIFY_DISBAND_GROUP(16, PbServerNotifyDisbandGroup.getDefaultInstance()),
    CLIENT_JOIN_GROUP(17, PbClientJoinGroup.getDefaultInstance()),
    SERVER_NOTIFY_JOIN_GROUP(18, PbServerNotifyJoinGroup.getDefaultInstance()),
    CLIENT_LEAVE_GROUP(19, PbClientLeaveGroup.getDefaultInstance()),
    SERVER_NOTIFY_LEAVE_GROUP(20, PbServerNotifyLeaveGroup.getDefaultInstance()),
    GROUP_INFO(21, PbGroupInfo.getDefaultInstance());

    private static final PacketType[] BY_CODE = new PacketType[22];

    static {
        for (PacketType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final Message prototype;

    PacketType(int code, Message prototype) {
        this.code = code;
        this.prototype = prototype;
    }

    /** The number carried in the frame header. */
    public int code() {
        return code;
    }

    public Parser<? extends Message> parser() {
        return prototype.getParserForType();
    }

    /** The packet type for a header value, or {@code null} if this server does not know it. */
    public static PacketType ofCode(long code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[(int) code] : null;
    }

    /** The packet type that carries messages of this class. */
    public static PacketType of(Message message) {
        for (PacketType t : values()) {
            if (t.prototype.getClass() == message.getClass()) {
                return t;
            }
        }
        throw new IllegalArgumentException("No packet type carries " + message.getClass().getName());
    }
}
