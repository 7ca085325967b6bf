package io.groupai.fleet.scripts;

/**
 * The longest literal text every match of a regex must contain, if one can be seen syntactically
 * (top level, no alternation): {@code (?i)\border\s*#?\d+} must contain "order". The engine puts
 * these literals into its Aho–Corasick automaton and runs a regex only when its literal occurs, so
 * 20 regexes cost one pass over the message instead of 20 scans. Conservative: anything unclear
 * (alternation, comments mode, Unicode case folding) gives no literal and the regex always runs.
 */
final class RequiredLiteral {

    static final int MIN_LENGTH = 3;

    private RequiredLiteral() {}

    /** Lower-cased required literal of at least {@link #MIN_LENGTH} characters, or null. */
    static String of(String re) {
        int i = 0;
        int n = re.length();
        if (re.startsWith("(?")) {
            int close = re.indexOf(')');
            if (close < 0) {
                return null;
            }
            String flags = re.substring(2, close);
            if (!flags.matches("[ims]+")) {
                return null; // x (comments), u (Unicode folding), U, d, or a group construct
            }
            i = close + 1;
        }
        if (hasTopLevelAlternation(re, i)) {
            return null;
        }
        StringBuilder run = new StringBuilder();
        String best = "";
        while (i < n) {
            char c = re.charAt(i);
            char literal;
            boolean isLiteral;
            if (c == '\\') {
                if (i + 1 >= n) {
                    return null;
                }
                char next = re.charAt(i + 1);
                if (Character.isLetterOrDigit(next)) {
                    isLiteral = false; // \b \s \d \w, \Q, back references...
                    literal = 0;
                    if (next == 'Q') {
                        return null;
                    }
                } else {
                    isLiteral = true;
                    literal = next;
                }
                i += 2;
            } else if (c == '(') {
                i = skipGroup(re, i);
                if (i < 0) {
                    return null;
                }
                isLiteral = false;
                literal = 0;
            } else if (c == '[') {
                i = skipClass(re, i);
                if (i < 0) {
                    return null;
                }
                isLiteral = false;
                literal = 0;
            } else if (c == '.' || c == '^' || c == '$') {
                isLiteral = false;
                literal = 0;
                i++;
            } else if (c == '*' || c == '+' || c == '?' || c == '{' || c == ')' || c == '|') {
                return null; // a quantifier without an atom: not expected in a compiled pattern
            } else {
                isLiteral = true;
                literal = c;
                i++;
            }
            // The quantifier after the atom, if any.
            int minRepeat = 1;
            boolean quantified = false;
            if (i < n) {
                char q = re.charAt(i);
                if (q == '?' || q == '*') {
                    minRepeat = 0;
                    quantified = true;
                    i++;
                } else if (q == '+') {
                    quantified = true;
                    i++;
                } else if (q == '{') {
                    int close = re.indexOf('}', i);
                    if (close < 0) {
                        return null;
                    }
                    String body = re.substring(i + 1, close);
                    if (!body.matches("\\d+(,\\d*)?")) {
                        return null;
                    }
                    minRepeat = Integer.parseInt(body.split(",", -1)[0]);
                    quantified = true;
                    i = close + 1;
                }
                if (quantified && i < n && (re.charAt(i) == '?' || re.charAt(i) == '+')) {
                    i++; // lazy or possessive
                }
            }
            if (isLiteral && minRepeat > 0) {
                run.append(Character.toLowerCase(literal));
            }
            if (!isLiteral || quantified) {
                if (run.length() > best.length()) {
                    best = run.toString();
                }
                run.setLength(0);
            }
        }
        if (run.length() > best.length()) {
            best = run.toString();
        }
        return best.length() >= MIN_LENGTH ? best : null;
    }

    private static boolean hasTopLevelAlternation(String re, int from) {
        int depth = 0;
        for (int i = from; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                i = skipClass(re, i) - 1;
                if (i < 0) {
                    return true;
                }
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                return true;
            }
        }
        return false;
    }

    /** Index after the group starting at {@code i}, or -1. */
    private static int skipGroup(String re, int i) {
        int depth = 0;
        for (; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                i = skipClass(re, i) - 1;
                if (i < 0) {
                    return -1;
                }
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    /** Index after the character class starting at {@code i}, or -1 (nested classes included). */
    private static int skipClass(String re, int i) {
        int depth = 0;
        int start = i;
        for (; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                depth++;
            } else if (c == ']' && i > start + 1 && !(i == start + 2 && re.charAt(start + 1) == '^')) {
                if (--depth == 0) {
                    return i + 1;
                }
            }
        }
        return -1;
    }
}
