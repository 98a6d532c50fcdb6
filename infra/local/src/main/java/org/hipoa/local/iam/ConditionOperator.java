package org.hipoa.local.iam;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * IAM's condition operators ("IAM JSON policy elements: Condition operators"), each in its positive sense; the
 * negated ones ({@code StringNotEquals}, {@code ArnNotLike}, …) say so and are evaluated as the NOR of their positive
 * twin over the policy's values, as documented for negated matching operators.
 */
enum ConditionOperator {
    StringEquals(Family.STRING, false), StringNotEquals(Family.STRING, true),
    StringEqualsIgnoreCase(Family.STRING, false), StringNotEqualsIgnoreCase(Family.STRING, true),
    StringLike(Family.STRING, false), StringNotLike(Family.STRING, true),
    NumericEquals(Family.NUMERIC, false), NumericNotEquals(Family.NUMERIC, true),
    NumericLessThan(Family.NUMERIC, false), NumericLessThanEquals(Family.NUMERIC, false),
    NumericGreaterThan(Family.NUMERIC, false), NumericGreaterThanEquals(Family.NUMERIC, false),
    DateEquals(Family.DATE, false), DateNotEquals(Family.DATE, true),
    DateLessThan(Family.DATE, false), DateLessThanEquals(Family.DATE, false),
    DateGreaterThan(Family.DATE, false), DateGreaterThanEquals(Family.DATE, false),
    Bool(Family.BOOL, false), BinaryEquals(Family.BINARY, false),
    IpAddress(Family.IP, false), NotIpAddress(Family.IP, true),
    ArnEquals(Family.ARN, false), ArnLike(Family.ARN, false), ArnNotEquals(Family.ARN, true), ArnNotLike(Family.ARN, true),
    Null(Family.NULL, false);

    enum Family { STRING, NUMERIC, DATE, BOOL, BINARY, IP, ARN, NULL }

    private static final Map<String, ConditionOperator> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toMap(o -> o.name(), Function.identity()));

    final Family family;
    final boolean negated;

    ConditionOperator(Family family, boolean negated) {
        this.family = family;
        this.negated = negated;
    }

    /** The operator of that exact name (IAM's operator names are case-sensitive); throws for any other. */
    static ConditionOperator named(String name) {
        ConditionOperator op = BY_NAME.get(name);
        if (op == null) throw new PolicyException("unknown condition operator '" + name + "'");
        return op;
    }

    /** Only string and ARN operators take policy variables in their values ("Policy variables"). */
    boolean takesVariables() {
        return family == Family.STRING || family == Family.ARN;
    }

    /** Fails at parse time on a policy value this operator can never compare, as IAM refuses such a policy. */
    void checkPolicyValue(String v) {
        switch (family) {
            case NUMERIC -> number(v, true);
            case DATE -> date(v, true);
            case BOOL, NULL -> {
                if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                    throw new PolicyException(name() + " takes true or false, not '" + v + "'");
                }
            }
            case IP -> cidr(v, true);
            case BINARY -> base64(v, true);
            default -> { }
        }
    }

    /** Whether one request value matches one (bound) policy value, in the positive sense. */
    boolean matches(String request, PolicyString.Bound policy) {
        String p = policy.text();
        return switch (this) {
            case StringEquals, StringNotEquals -> request.equals(p);
            case StringEqualsIgnoreCase, StringNotEqualsIgnoreCase -> request.equalsIgnoreCase(p);
            case StringLike, StringNotLike -> policy.globMatches(request, false);
            case ArnEquals, ArnLike, ArnNotEquals, ArnNotLike -> policy.arnMatches(request);
            case Bool -> request.equalsIgnoreCase(p);
            case BinaryEquals -> {
                byte[] r = base64(request, false);
                yield r != null && Arrays.equals(r, base64(p, true));
            }
            case IpAddress, NotIpAddress -> inRange(request, p);
            case NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals, NumericGreaterThan,
                 NumericGreaterThanEquals -> compare(number(request, false), number(p, true));
            case DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan,
                 DateGreaterThanEquals -> compare(date(request, false), date(p, true));
            case Null -> throw new IllegalStateException("Null is decided on the key's presence");
        };
    }

    private <T extends Comparable<T>> boolean compare(T request, T policy) {
        if (request == null) return false; // a request value of the wrong type matches nothing
        int c = request.compareTo(policy);
        return switch (this) {
            case NumericEquals, NumericNotEquals, DateEquals, DateNotEquals -> c == 0;
            case NumericLessThan, DateLessThan -> c < 0;
            case NumericLessThanEquals, DateLessThanEquals -> c <= 0;
            case NumericGreaterThan, DateGreaterThan -> c > 0;
            case NumericGreaterThanEquals, DateGreaterThanEquals -> c >= 0;
            default -> throw new IllegalStateException(name());
        };
    }

    private static BigDecimal number(String v, boolean policy) {
        try {
            return new BigDecimal(v.trim());
        } catch (NumberFormatException e) {
            if (policy) throw new PolicyException("not a number: '" + v + "'");
            return null;
        }
    }

    /** ISO 8601 date or date-time, or epoch seconds (both forms IAM's date operators accept). */
    private static Instant date(String v, boolean policy) {
        try {
            if (v.matches("-?\\d+")) return Instant.ofEpochSecond(Long.parseLong(v));
            if (v.length() == 10) return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException | NumberFormatException e) {
            if (policy) throw new PolicyException("not a date: '" + v + "'");
            return null;
        }
    }

    private static byte[] base64(String v, boolean policy) {
        try {
            return Base64.getDecoder().decode(v);
        } catch (IllegalArgumentException e) {
            if (policy) throw new PolicyException("not base64: '" + v + "'");
            return null;
        }
    }

    private static boolean inRange(String address, String cidr) {
        byte[] a = ip(address, false);
        byte[][] range = cidr(cidr, true);
        if (a == null || a.length != range[0].length) return false;
        for (int i = 0; i < a.length; i++) if ((a[i] & range[1][i]) != (range[0][i] & range[1][i])) return false;
        return true;
    }

    /** {network, mask}; a bare address is a /32 or /128. */
    private static byte[][] cidr(String v, boolean policy) {
        int slash = v.indexOf('/');
        byte[] net = ip(slash < 0 ? v : v.substring(0, slash), policy);
        if (net == null) return null;
        int bits;
        try {
            bits = slash < 0 ? net.length * 8 : Integer.parseInt(v.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new PolicyException("not a CIDR block: '" + v + "'");
        }
        if (bits < 0 || bits > net.length * 8) throw new PolicyException("not a CIDR block: '" + v + "'");
        byte[] mask = new byte[net.length];
        for (int i = 0; i < bits; i++) mask[i / 8] |= (byte) (0x80 >>> (i % 8));
        return new byte[][] {net, mask};
    }

    /** An IP literal only: never a name, so no DNS lookup. */
    private static byte[] ip(String v, boolean policy) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        boolean literal = !s.isEmpty() && (s.matches("[0-9.]+") ? s.split("\\.", -1).length == 4 : s.matches("[0-9a-f:.]+")
                && s.contains(":"));
        if (literal) {
            try {
                return InetAddress.getByName(s).getAddress();
            } catch (UnknownHostException e) {
                // falls through to the error below
            }
        }
        if (policy) throw new PolicyException("not an IP address: '" + v + "'");
        return null;
    }
}
