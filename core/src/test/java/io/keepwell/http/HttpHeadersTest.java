package io.keepwell.http;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpHeadersTest {

    @Test
    void namesCompareCaseInsensitively() {
        HttpHeaders h = new HttpHeaders.Builder().add("Content-Type", "text/plain").add("X-Multi", "1").build();

        for (String name : List.of("Content-Type", "content-type", "CONTENT-TYPE", "cOnTeNt-TyPe")) {
            assertEquals(Optional.of("text/plain"), h.firstValue(name), name);
            assertEquals(List.of("text/plain"), h.allValues(name), name);
            assertTrue(h.contains(name), name);
            assertEquals(List.of("text/plain"), h.map().get(name), name);
        }
        assertFalse(h.contains("Content-Length"));
        assertEquals(Optional.empty(), h.firstValue("Content-Length"));
        assertEquals(List.of(), h.allValues("Content-Length"));
    }

    @Test
    void valuesOfOneNameInAnyCaseAccumulateInOrder() {
        HttpHeaders h = new HttpHeaders.Builder()
                .add("Accept", "a")
                .add("ACCEPT", "b")
                .add("accept", "c")
                .build();
        assertEquals(List.of("a", "b", "c"), h.allValues("Accept"));
        assertEquals(Optional.of("a"), h.firstValue("accept"));
        assertEquals(1, h.map().size());
    }

    @Test
    void setAndRemoveIgnoreCase() {
        HttpHeaders.Builder b = new HttpHeaders.Builder().add("X-A", "1").add("x-a", "2").add("X-B", "3");
        b.set("X-a", "4");
        b.remove("x-B");
        assertTrue(b.contains("x-A"));
        assertFalse(b.contains("X-B"));
        HttpHeaders h = b.build();
        assertEquals(List.of("4"), h.allValues("X-A"));
        assertFalse(h.contains("X-B"));
    }

    @Test
    void mapKeysAreLowerCaseInOrderAndUnmodifiable() {
        HttpHeaders h = new HttpHeaders.Builder().add("X-Zeta", "1").add("Accept", "2").add("Content-Type", "3").build();
        assertEquals(List.of("accept", "content-type", "x-zeta"), new ArrayList<>(h.map().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> h.map().put("X", List.of("y")));
        assertThrows(UnsupportedOperationException.class, () -> h.allValues("Accept").add("z"));
    }

    @Test
    void forEachVisitsEveryValueInOrder() {
        HttpHeaders h = new HttpHeaders.Builder().add("B", "1").add("A", "2").add("b", "3").build();
        List<String> seen = new ArrayList<>();
        h.forEach((name, value) -> seen.add(name + "=" + value));
        assertEquals(List.of("a=2", "b=1", "b=3"), seen);
    }

    @Test
    void equalityIgnoresTheCaseOfNamesButNotOfValues() {
        HttpHeaders lower = HttpHeaders.of(Map.of("x-a", List.of("v")));
        HttpHeaders upper = HttpHeaders.of(Map.of("X-A", List.of("v")));
        assertEquals(lower, upper);
        assertEquals(lower.hashCode(), upper.hashCode());
        assertNotEquals(lower, HttpHeaders.of(Map.of("X-A", List.of("V"))));
        assertNotEquals(lower, HttpHeaders.of(Map.of("X-A", List.of("v", "v"))));
    }

    @Test
    void ofCopiesAndValidates() {
        Map<String, List<String>> source = new LinkedHashMap<>();
        List<String> values = new ArrayList<>(List.of("1"));
        source.put("X-A", values);
        HttpHeaders h = HttpHeaders.of(source);
        values.add("2");
        source.put("X-B", List.of("3"));
        assertEquals(List.of("1"), h.allValues("X-A"));
        assertFalse(h.contains("X-B"));

        assertThrows(IllegalArgumentException.class, () -> HttpHeaders.of(Map.of("X-A", List.of("1\r\nX-B: 2"))));
        assertThrows(IllegalArgumentException.class, () -> HttpHeaders.of(Map.of("X A", List.of("1"))));
    }

    @Test
    void builderRefusesWhatCouldSplitAMessage() {
        HttpHeaders.Builder b = new HttpHeaders.Builder();
        assertThrows(IllegalArgumentException.class, () -> b.add("X-A\r\n", "1"));
        assertThrows(IllegalArgumentException.class, () -> b.add("X-A", "1\n2"));
        assertThrows(IllegalArgumentException.class, () -> b.add("X-A", "1\u00002"));
        assertThrows(IllegalArgumentException.class, () -> b.set("X-A", "1\r2"));
        assertFalse(b.contains("X-A"));
    }

    @Test
    void emptyHeadersAreShared() {
        assertSame(HttpHeaders.empty(), new HttpHeaders.Builder().build());
        assertSame(HttpHeaders.empty(), HttpHeaders.of(Map.of()));
        assertEquals(Optional.empty(), HttpHeaders.empty().firstValue("Anything"));
        assertEquals(Map.of(), HttpHeaders.empty().map());
    }

    @Test
    void builtHeadersDoNotChangeWithTheirBuilder() {
        HttpHeaders.Builder b = new HttpHeaders.Builder().add("X-A", "1");
        HttpHeaders h = b.build();
        b.add("X-A", "2").add("X-B", "3");
        assertEquals(List.of("1"), h.allValues("X-A"));
        assertFalse(h.contains("X-B"));
    }

    @Test
    void refusedSetKeepsTheEarlierValues() {
        HttpHeaders.Builder b = new HttpHeaders.Builder().add("X-A", "1");
        assertThrows(IllegalArgumentException.class, () -> b.set("X-A", "2\r\nX-B: 3"));
        assertEquals(List.of("1"), b.build().allValues("X-A"));
    }
}
