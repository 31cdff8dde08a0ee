package io.github.chatserver.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** How names are quoted for the console; that the shell reads them back is ConsoleQuotingTest's part. */
class ShellQuotingTest {

    @Test
    void whatWasTypedIsReadWithoutQuotesAndEscapes() {
        assertEquals("hello, 我", ShellQuoting.literal("\"hello, 我"));
        assertEquals("hello, 我", ShellQuoting.literal("'hello, 我'"));
        assertEquals("hello, 我", ShellQuoting.literal("hello,' 我"));
        assertEquals("a b", ShellQuoting.literal("a\\ b"));
        assertEquals("a\\b", ShellQuoting.literal("'a\\\\b"));
        assertEquals("", ShellQuoting.literal(""));
    }

    @Test
    void aPlainNameStaysAsItIsUnlessAQuoteWasOpened() {
        assertEquals("alice-1", ShellQuoting.quoted("alice-1", "al"));
        assertEquals("张三😀", ShellQuoting.quoted("张三😀", ""));
        assertEquals("'alice-1'", ShellQuoting.quoted("alice-1", "'al"));
        assertEquals("\"alice-1\"", ShellQuoting.quoted("alice-1", "\"al"));
    }

    @Test
    void unquotedTheRestFromTheFirstSpecialCharacterIsSingleQuoted() {
        assertEquals("hello,' 我是一个java程序'", ShellQuoting.quoted("hello, 我是一个java程序", "hel"));
        assertEquals("' leading'", ShellQuoting.quoted(" leading", ""));
        assertEquals("cost' $5 & 50% off \\\\o/'", ShellQuoting.quoted("cost $5 & 50% off \\o/", "co"));
        assertEquals("'cost $5; 50% off'", ShellQuoting.quoted("cost $5; 50% off", ""));
        assertNull(ShellQuoting.quoted("cost $5; 50% off", "co"), "; or | in a quote that starts mid-word: Karaf splits there");
        assertNull(ShellQuoting.quoted("a|b", "a"));
        assertEquals("nbsp'\u00A0x'", ShellQuoting.quoted("nbsp\u00A0x", "nb"));
        assertEquals("'hello, 我是一个java程序'", ShellQuoting.quoted("hello, 我是一个java程序", ""), "nothing typed: all quoted");
    }

    @Test
    void insideOpenedQuotesTheNameIsWrittenAsTheShellReadsIt() {
        assertEquals("'张 三'", ShellQuoting.quoted("张 三", "'张"));
        assertEquals("\"张 三\"", ShellQuoting.quoted("张 三", "\"张"));
        assertEquals("'a\\\\b \"c\" $d'", ShellQuoting.quoted("a\\b \"c\" $d", "'"));
        assertNull(ShellQuoting.quoted("a$b", "\""), "$ would be expanded in double quotes");
        assertNull(ShellQuoting.quoted("say \"hi\"", "\""));
    }

    @Test
    void aNameWithAnApostropheIsNeverOffered() {
        assertNull(ShellQuoting.quoted("it's", ""));
        assertNull(ShellQuoting.quoted("it's", "'"));
        assertNull(ShellQuoting.quoted("it's", "\""));
    }
}
