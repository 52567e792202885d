package io.keepwell.netty.handler;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The headers of one HTTP/1.1 message as a flat array of name/value pairs in arrival order:
 * two objects where Netty's {@code DefaultHttpHeaders} builds a hash table and an entry per
 * header. A message carries a handful of headers, read a few times each, so a scan costs less
 * than hashing. Names compare case-insensitively, as HTTP's do. Validation is Netty's own: names
 * and values are checked on the way in by {@code DefaultHttpHeadersFactory}'s validators, except
 * where this side built them ({@link #UNVALIDATED}) and names the decoder shares from
 * {@link ResponseHeaderNames}, which are valid by construction. Event loop only, like the message.
 */
final class CompactHttpHeaders extends HttpHeaders {

    private static final DefaultHeaders.NameValidator<CharSequence> NAMES =
            DefaultHttpHeadersFactory.headersFactory().getNameValidator();
    private static final DefaultHeaders.ValueValidator<CharSequence> VALUES =
            DefaultHttpHeadersFactory.headersFactory().getValueValidator();

    /** Received messages: every name and value validated, as Netty's decoder does by default. */
    static final HttpHeadersFactory VALIDATED = new Factory(true, 8);

    /**
     * Requests this side builds from names and values already checked ({@code RequestCheck}) or
     * its own constants; room for four headers before growing (Host, User-Agent and two more).
     */
    static final HttpHeadersFactory UNVALIDATED = new Factory(false, 4);

    private static final CharSequence[] NONE = new CharSequence[0];

    private final boolean validate;
    private final int expected;          // headers the first allocation has room for
    private CharSequence[] pairs = NONE; // name, value, name, value...; allocated on the first add
    private int size;                    // headers held: pairs[0 .. 2 * size)

    CompactHttpHeaders(boolean validate, int expected) {
        this.validate = validate;
        this.expected = expected;
    }

    private record Factory(boolean validate, int expected) implements HttpHeadersFactory {
        @Override
        public HttpHeaders newHeaders() {
            return new CompactHttpHeaders(validate, expected);
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new CompactHttpHeaders(validate, expected);
        }
    }

    // ---- reading

    private int indexOf(CharSequence name, int from) {
        int length = name.length();
        for (int i = from; i < size; i++) {
            CharSequence held = pairs[2 * i];
            if (held == name || held.length() == length && AsciiString.contentEqualsIgnoreCase(held, name)) {
                return i;
            }
        }
        return -1;
    }

    private CharSequence first(CharSequence name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : pairs[2 * i + 1];
    }

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        CharSequence value = first(name);
        return value == null ? null : value.toString();
    }

    @Override
    public Integer getInt(CharSequence name) {
        CharSequence value = first(name);
        if (value == null) {
            return null;
        }
        try {
            return Integer.parseInt(value, 0, value.length(), 10);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer value = getInt(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Short getShort(CharSequence name) {
        Integer value = getInt(name);
        return value == null || value != value.shortValue() ? null : value.shortValue();
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short value = getShort(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        CharSequence value = first(name);
        if (value == null) {
            return null;
        }
        Date date = DateFormatter.parseHttpDate(value);
        return date == null ? null : date.getTime();
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long value = getTimeMillis(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        int i = indexOf(name, 0);
        if (i < 0) {
            return Collections.emptyList();
        }
        int next = indexOf(name, i + 1);
        if (next < 0) {
            return Collections.singletonList(pairs[2 * i + 1].toString());
        }
        List<String> values = new ArrayList<>(4);
        values.add(pairs[2 * i + 1].toString());
        for (; next >= 0; next = indexOf(name, next + 1)) {
            values.add(pairs[2 * next + 1].toString());
        }
        return values;
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return getAll(name).iterator();
    }

    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        return getAll(name).iterator();
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> entries = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            entries.add(new AbstractMap.SimpleImmutableEntry<>(pairs[2 * i].toString(), pairs[2 * i + 1].toString()));
        }
        return entries;
    }

    @Override
    public boolean contains(String name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(CharSequence name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return entries().iterator();
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public Map.Entry<CharSequence, CharSequence> next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                int i = next++;
                return new AbstractMap.SimpleImmutableEntry<>(pairs[2 * i], pairs[2 * i + 1]);
            }
        };
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            names.add(pairs[2 * i].toString());
        }
        return names;
    }

    // ---- writing

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        append(name, checked(name, value));
        return this;
    }

    /** The value as text, once name and value passed validation (when this validates). */
    private CharSequence checked(CharSequence name, Object value) {
        java.util.Objects.requireNonNull(name, "name");
        CharSequence text = text(value);
        if (validate) {
            if (!ResponseHeaderNames.isShared(name)) {
                NAMES.validateName(name);
            }
            VALUES.validate(text);
        }
        return text;
    }

    private void append(CharSequence name, CharSequence text) {
        if (2 * size == pairs.length) {
            pairs = Arrays.copyOf(pairs, pairs.length == 0 ? 2 * expected : pairs.length * 2);
        }
        pairs[2 * size] = name;
        pairs[2 * size + 1] = text;
        size++;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        for (Object value : values) {
            add(name, value);
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, Short.toString(value));
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        CharSequence text = checked(name, value); // a refused value leaves the headers as they were
        remove(name);
        append(name, text);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        List<CharSequence> texts = new ArrayList<>();
        for (Object value : values) {
            texts.add(checked(name, value));
        }
        remove(name);
        for (CharSequence text : texts) {
            append(name, text);
        }
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            CharSequence held = pairs[2 * i];
            if (held != name && (held.length() != name.length() || !AsciiString.contentEqualsIgnoreCase(held, name))) {
                pairs[2 * kept] = held;
                pairs[2 * kept + 1] = pairs[2 * i + 1];
                kept++;
            }
        }
        Arrays.fill(pairs, 2 * kept, 2 * size, null);
        size = kept;
        return this;
    }

    @Override
    public HttpHeaders clear() {
        Arrays.fill(pairs, 0, 2 * size, null);
        size = 0;
        return this;
    }

    @Override
    public HttpHeaders copy() {
        CompactHttpHeaders copy = new CompactHttpHeaders(validate, expected);
        copy.pairs = size == 0 ? NONE : Arrays.copyOf(pairs, pairs.length);
        copy.size = size;
        return copy;
    }

    /** A value as Netty's headers convert it: text as it is, dates in HTTP's format, anything else by {@code toString}. */
    private static CharSequence text(Object value) {
        if (value instanceof CharSequence text) {
            return text;
        }
        if (value instanceof Date date) {
            return DateFormatter.format(date);
        }
        if (value instanceof Calendar calendar) {
            return DateFormatter.format(calendar.getTime());
        }
        if (value == null) {
            throw new NullPointerException("value");
        }
        return value.toString();
    }
}
