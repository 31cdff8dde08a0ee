package io.github.chatserver.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The first argument of /msg and /g may be quoted, so that names with spaces fit; the rest is the text. */
class CommandWordsTest {

    @Test
    void anUnquotedFirstArgumentEndsAtTheFirstSpace() {
        assertEquals(new CommandWords.Split("book", "club hello"), CommandWords.firstAndRest("book club hello"));
        assertEquals(new CommandWords.Split("bob", "hi  there "), CommandWords.firstAndRest("  bob \t hi  there "));
        assertEquals(new CommandWords.Split("bob", ""), CommandWords.firstAndRest("bob"));
        assertEquals(new CommandWords.Split("", ""), CommandWords.firstAndRest("   "));
    }

    @Test
    void aQuotedFirstArgumentHoldsSpacesAndTheOtherQuote() {
        assertEquals(new CommandWords.Split("book club", "hello"), CommandWords.firstAndRest("\"book club\" hello"));
        assertEquals(new CommandWords.Split("张 三", "你好 \"friend\""), CommandWords.firstAndRest("'张 三' 你好 \"friend\""));
        assertEquals(new CommandWords.Split("it's me", "hi"), CommandWords.firstAndRest("\"it's me\" hi"));
        assertEquals(new CommandWords.Split("say \"hi\"", "x"), CommandWords.firstAndRest("'say \"hi\"' x"));
        assertEquals(new CommandWords.Split("", "text"), CommandWords.firstAndRest("\"\" text"));
    }

    @Test
    void anUnclosedQuoteIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommandWords.firstAndRest("\"book club hello"));
        assertEquals("missing closing \" after \"book club hello", e.getMessage());
    }

    @Test
    void aWholeQuotedArgumentLosesItsQuotes() {
        assertEquals("book club", CommandWords.unquoted(" \"book club\" "));
        assertEquals("book club", CommandWords.unquoted("'book club'"));
        assertEquals("book club", CommandWords.unquoted("book club"));
        assertEquals("\"half", CommandWords.unquoted("\"half"));
        assertEquals("'", CommandWords.unquoted("'"));
    }
}
