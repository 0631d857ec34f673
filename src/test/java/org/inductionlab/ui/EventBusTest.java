package org.inductionlab.ui;

import org.inductionlab.ui.event.EventBus;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class EventBusTest {

    record Opened(String run) {}

    record Closed(String run) {}

    @Test
    void subscribersHearTheirTypeOnlyInOrder() {
        EventBus bus = new EventBus();
        List<String> heard = new ArrayList<>();
        bus.subscribe(Opened.class, e -> heard.add("a:" + e.run()));
        bus.subscribe(Opened.class, e -> heard.add("b:" + e.run()));
        bus.subscribe(Closed.class, e -> heard.add("closed:" + e.run()));
        bus.subscribe(Record.class, e -> heard.add("any"));
        bus.publish(new Opened("r1"));
        assertEquals(3, heard.size(), heard.toString());
        assertTrue(heard.indexOf("a:r1") < heard.indexOf("b:r1"), "one type's handlers in subscription order");
        assertTrue(heard.contains("any"), "a supertype's handler hears it too");
        assertFalse(heard.contains("closed:r1"));
        heard.clear();
        bus.publish("not subscribed");
        assertEquals(List.of(), heard);
    }
}
