package io.keepwell.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link IpLiteral} at the edges of what it accepts: octets and hex groups at their largest and
 * one past, the number of groups an address may have with and without {@code ::} and a dotted
 * tail, the exact bytes each form gives, IPv4-mapped addresses, and the loopback ranges.
 */
class IpLiteralTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "0.0.0.0,                      00000000",
        "255.255.255.255,              ffffffff",
        "10.9.199.100,                 0a09c764",
        "1234:ABCD:ffff:0:a:f00:9:fedc, 1234abcdffff0000000a0f000009fedc",
        "0:0:0:0:0:0:0:0,              00000000000000000000000000000000",
        "::,                           00000000000000000000000000000000",
        "1:2:3:4:5:6:7:8,              00010002000300040005000600070008",
        "1:2:3:4:5:6::7,               00010002000300040005000600000007", // :: for one group
        "1:2:3:4:5:6:7::,              00010002000300040005000600070000",
        "::1:2:3:4:5:6:7,              00000001000200030004000500060007",
        "2001:db8::1,                  20010db8000000000000000000000001",
        "2001:db8::ab:cdef,            20010db8000000000000000000abcdef",
        "1:2:3:4:5:6:1.2.3.4,          00010002000300040005000601020304", // a dotted tail is two groups
        "1:2:3:4:5::1.2.3.4,           00010002000300040005000001020304",
        "64:ff9b::192.0.2.1,           0064ff9b0000000000000000c0000201",
        "::ffff:192.0.2.1,             c0000201", // IPv4-mapped: the IPv4 address
        "0:0:0:0:0:ffff:c000:201,      c0000201",
        "::fffe:192.0.2.1,             00000000000000000000fffec0000201",
        "::ff:192.0.2.1,               0000000000000000000000ffc0000201",
        "::ff00:192.0.2.1,             00000000000000000000ff00c0000201",
        "::1:ffff:192.0.2.1,           00000000000000000001ffffc0000201", // byte 9 set: not mapped
        "1::ffff:192.0.2.1,            00010000000000000000ffffc0000201",
        "::192.0.2.1,                  000000000000000000000000c0000201", // IPv4-compatible is not mapped
    })
    void parsesTo(String text, String hex) {
        assertEquals(hex, HexFormat.of().formatHex(IpLiteral.parse(text)));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
        "", "256.0.0.0", "1.2.3.256", "1.2.3.1000", "1.2.3.04", "1.2.3.00", "1.2.3.", "1.2.3", "1.2.3.4.5",
        "1.2.3./", "1.2.3.:", // the characters just below '0' and just above '9'
        "1.2.3.\u0664", "::\u0664", // non-ASCII digits
        "10000::", "::1:10000", "::g", "1:2", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
        "1:2:3:4::5:6:7:8", "1:2:3:4:5:6:7:8::", // :: must stand for at least one group
        "1::2::3", "::1::", ":::", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:",
        "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:1.2.3.4", "1:2:3:4:5:6::1.2.3.4", // nine, seven, nine groups' worth
        "::1.2.3.4:5", "1.2.3.4::", "::1.2.3.256", "::1.2.3",
    })
    void isNoLiteral(String text) {
        assertNull(IpLiteral.parse(text));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "127.0.0.1, true", "127.255.255.255, true", "127.0.0.0, true", "::ffff:127.1.2.3, true", "::1, true",
        "126.255.255.255, false", "128.0.0.1, false", "1.127.127.127, false",
        "::2, false", "::, false", "::1:1, false", "::101, false", "1::1, false", "::100:0:0:0:0:1, false",
        "::127.0.0.1, false", // IPv4-compatible is not 127/8
    })
    void loopbackIs127Slash8AndColonColonOne(String text, boolean loopback) {
        assertEquals(loopback, IpLiteral.isLoopback(IpLiteral.parse(text)));
    }

    @ParameterizedTest(name = "{0} up to {1}: {2}")
    @CsvSource({
        "0, 0, 0", "00024, 128, 24", "128, 128, 128", "129, 128, -1", "255, 255, 255", "256, 255, -1",
        "9, 9, 9", "99999999999, 128, -1", "'', 128, -1", "1x, 128, -1", "+1, 128, -1", "-1, 128, -1", "'1 ', 128, -1",
    })
    void decimalDigitsUpToAMaximum(String digits, int max, int value) {
        assertEquals(value, IpLiteral.decimal(digits, max));
    }
}
