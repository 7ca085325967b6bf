package io.groupai.fleet.scripts;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Regexes of scripts run on every message of every group, so a pattern that backtracks
 * catastrophically would stall an account. Two guards: at upload, patterns with nested
 * quantifiers ({@code (a+)+}, {@code (\w*)*}) or that blow a step budget on hostile probe inputs
 * are rejected; at match time the text is read through a {@link CharSequence} that stops the match
 * after a budget of character reads (java.util.regex has no timeout), counted as no match.
 */
public final class BoundedRegex {

    /** Character reads one match may do: Telegram messages are at most 4,096 characters. */
    public static final int STEP_BUDGET = 200_000;

    static final int MAX_PATTERN_LENGTH = 1_000;

    private BoundedRegex() {}

    /** Thrown out of a match that used up its budget. */
    static final class BudgetExceeded extends RuntimeException {
        BudgetExceeded() {
            super(null, null, false, false);
        }
    }

    /** The text of one match, with a read budget; reusable by one thread. */
    static final class BudgetedText implements CharSequence {
        private CharSequence text;
        private int budget;

        BudgetedText reset(CharSequence text, int budget) {
            this.text = text;
            this.budget = budget;
            return this;
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if (--budget < 0) {
                throw new BudgetExceeded();
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new BudgetedText().reset(text.subSequence(start, end), budget);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    private static final ThreadLocal<BudgetedText> TEXT = ThreadLocal.withInitial(BudgetedText::new);

    /** {@code find()} within the budget; a match that exceeds it is no match. */
    public static boolean find(Pattern pattern, CharSequence text) {
        try {
            return pattern.matcher(TEXT.get().reset(text, STEP_BUDGET)).find();
        } catch (BudgetExceeded | StackOverflowError e) {
            return false;
        }
    }

    /**
     * Compiles and checks a script's pattern; the error is a sentence for the author.
     */
    public static Pattern compile(String source, java.util.function.Consumer<String> onProblem) {
        if (source.isEmpty()) {
            onProblem.accept("the regex is empty");
            return null;
        }
        if (source.length() > MAX_PATTERN_LENGTH) {
            onProblem.accept("the regex is " + source.length() + " characters long; at most " + MAX_PATTERN_LENGTH
                    + " are allowed");
            return null;
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(source);
        } catch (PatternSyntaxException e) {
            onProblem.accept("the regex does not compile: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near character " + (e.getIndex() + 1) : ""));
            return null;
        }
        Optional<String> nested = nestedQuantifier(source);
        if (nested.isPresent()) {
            onProblem.accept("the regex can backtrack catastrophically: " + nested.get()
                    + "; rewrite it without a repeated group that itself repeats (e.g. (a+)+ → a+)");
            return null;
        }
        for (String probe : probes(source)) {
            try {
                Matcher m = pattern.matcher(new BudgetedText().reset(probe, STEP_BUDGET));
                m.find();
            } catch (BudgetExceeded e) {
                onProblem.accept("the regex backtracks catastrophically: matching it against a 4,000-character text"
                        + " took more than " + STEP_BUDGET + " steps; make its repetitions unambiguous");
                return null;
            } catch (StackOverflowError e) {
                onProblem.accept(
                        "the regex backtracks catastrophically (it recurses too deeply on a 4,000-character text);"
                                + " simplify its repeated alternations");
                return null;
            }
        }
        return pattern;
    }

    /**
     * Finds a quantified group whose body is itself quantified or an alternation under a quantifier —
     * the shapes of exponential backtracking. A conservative syntactic check: a few harmless patterns
     * are refused too, and the author is told how to rewrite them.
     */
    static Optional<String> nestedQuantifier(String re) {
        // Stack of groups: whether the group body contains a quantifier or a top-level '|'.
        java.util.ArrayDeque<int[]> groups = new java.util.ArrayDeque<>(); // {start, hasQuantifier, hasAlternation}
        boolean inClass = false;
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                i++;
                continue;
            }
            if (inClass) {
                if (c == ']') {
                    inClass = false;
                }
                continue;
            }
            switch (c) {
                case '[' -> inClass = true;
                case '(' -> groups.push(new int[] {i, 0, 0});
                case '|' -> {
                    if (!groups.isEmpty()) {
                        groups.peek()[2] = 1;
                    }
                }
                case ')' -> {
                    if (groups.isEmpty()) {
                        break;
                    }
                    int[] g = groups.pop();
                    boolean quantified = i + 1 < re.length() && isUnboundedQuantifier(re, i + 1);
                    if (quantified && g[1] == 1) {
                        return Optional.of(
                                "the group at character " + (g[0] + 1) + " repeats something that already repeats");
                    }
                    if (!groups.isEmpty() && (g[1] == 1 || quantified)) {
                        groups.peek()[1] = 1;
                    }
                }
                case '*', '+' -> markQuantified(groups);
                case '{' -> {
                    if (isUnboundedQuantifier(re, i)) {
                        markQuantified(groups);
                    }
                }
                default -> {}
            }
        }
        return Optional.empty();
    }

    private static void markQuantified(java.util.ArrayDeque<int[]> groups) {
        if (!groups.isEmpty()) {
            groups.peek()[1] = 1;
        }
    }

    /** {@code *}, {@code +} or {@code {n,}} / {@code {n,m}} with m > 1 at {@code i}. */
    private static boolean isUnboundedQuantifier(String re, int i) {
        char c = re.charAt(i);
        if (c == '*' || c == '+') {
            return true;
        }
        if (c == '{') {
            int close = re.indexOf('}', i);
            if (close < 0) {
                return false;
            }
            String body = re.substring(i + 1, close);
            if (body.matches("\\d+,")) {
                return true;
            }
            if (body.matches("\\d+,\\d+")) {
                return Integer.parseInt(body.substring(body.indexOf(',') + 1)) > 1;
            }
        }
        return false;
    }

    /** Hostile inputs: each literal character of the pattern (and a few classes) repeated, then a mismatch. */
    private static java.util.List<String> probes(String re) {
        java.util.LinkedHashSet<Character> chars = new java.util.LinkedHashSet<>();
        for (char c : re.toCharArray()) {
            if (Character.isLetterOrDigit(c) || c == ' ') {
                chars.add(c);
            }
        }
        chars.add('a');
        chars.add('1');
        chars.add(' ');
        java.util.List<String> out = new java.util.ArrayList<>();
        for (char c : chars) {
            if (out.size() >= 12) {
                break;
            }
            out.add(String.valueOf(c).repeat(4_000) + "\u0000!");
        }
        return out;
    }
}
