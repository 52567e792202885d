package io.keepwell.http;

/**
 * Parses IP address literals into bytes without ever asking a name server (which
 * {@code InetAddress.getByName} may do for anything it does not take for a literal). IPv4 is
 * dotted decimal with no leading zeros, as Go's {@code net.ParseIP}; IPv6 is RFC 4291 text,
 * with an optional dotted IPv4 tail. An IPv4-mapped IPv6 address comes back as its 4 IPv4 bytes,
 * so that {@code ::ffff:127.0.0.1} and {@code 127.0.0.1} compare equal, as in Go.
 */
final class IpLiteral {

    private IpLiteral() {
    }

    /** The address's 4 or 16 bytes, or {@code null} when {@code text} is not an IP literal. */
    static byte[] parse(String text) {
        byte[] v4 = parseV4(text);
        if (v4 != null) {
            return v4;
        }
        byte[] v6 = parseV6(text);
        return v6 == null ? null : unmapped(v6);
    }

    /** Whether the address is a loopback one: 127.0.0.0/8 or {@code ::1}. */
    static boolean isLoopback(byte[] address) {
        if (address.length == 4) {
            return address[0] == 127;
        }
        for (int i = 0; i < 15; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[15] == 1;
    }

    /** The 4 bytes of an IPv4-mapped address ({@code ::ffff:a.b.c.d}), else the address as given. */
    static byte[] unmapped(byte[] v6) {
        for (int i = 0; i < 10; i++) {
            if (v6[i] != 0) {
                return v6;
            }
        }
        if (v6[10] != (byte) 0xff || v6[11] != (byte) 0xff) {
            return v6;
        }
        return new byte[] {v6[12], v6[13], v6[14], v6[15]};
    }

    private static byte[] parseV4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            int value = decimalOctet(parts[i]);
            if (value < 0) {
                return null;
            }
            address[i] = (byte) value;
        }
        return address;
    }

    /** 0 to 255 with no leading zero, or -1. */
    private static int decimalOctet(String part) {
        return part.length() > 1 && part.charAt(0) == '0' ? -1 : decimal(part, 255);
    }

    /**
     * The value of ASCII decimal digits, leading zeros allowed, as Go's {@code dtoi} reads them; -1
     * when {@code digits} is empty, has anything else, or is more than {@code max}.
     */
    static int decimal(String digits, int max) {
        if (digits.isEmpty()) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
            if (value > max) {
                return -1; // also stops before an int could overflow
            }
        }
        return value;
    }

    private static byte[] parseV6(String text) {
        if (text.indexOf(':') < 0) {
            return null;
        }
        int ellipsis = text.indexOf("::"); // a second "::" leaves an empty group in the tail, which groups refuses
        byte[] head = ellipsis < 0 ? groups(text, true) : groups(text.substring(0, ellipsis), false);
        if (ellipsis < 0) {
            return head != null && head.length == 16 ? head : null;
        }
        byte[] tail = groups(text.substring(ellipsis + 2), true);
        if (head == null || tail == null || head.length + tail.length > 14) {
            return null; // "::" stands for at least one group of zeros
        }
        byte[] address = new byte[16];
        System.arraycopy(head, 0, address, 0, head.length);
        System.arraycopy(tail, 0, address, 16 - tail.length, tail.length);
        return address;
    }

    /** The bytes of colon-separated hex groups ("" gives none), the last may be dotted IPv4 if {@code last}; or null. */
    private static byte[] groups(String text, boolean last) {
        if (text.isEmpty()) {
            return new byte[0];
        }
        String[] parts = text.split(":", -1);
        byte[] bytes = new byte[16];
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (last && i == parts.length - 1 && part.indexOf('.') >= 0) {
                byte[] v4 = parseV4(part);
                if (v4 == null || n + 4 > 16) {
                    return null;
                }
                System.arraycopy(v4, 0, bytes, n, 4);
                n += 4;
                continue;
            }
            int value = hexGroup(part);
            if (value < 0 || n + 2 > 16) {
                return null;
            }
            bytes[n++] = (byte) (value >> 8);
            bytes[n++] = (byte) value;
        }
        return java.util.Arrays.copyOf(bytes, n);
    }

    /** 1 to 4 hex digits, or -1. */
    private static int hexGroup(String part) {
        if (part.isEmpty() || part.length() > 4) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            int digit = c < 128 ? Character.digit(c, 16) : -1; // ASCII only: digit() takes other scripts' digits too
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }
}
