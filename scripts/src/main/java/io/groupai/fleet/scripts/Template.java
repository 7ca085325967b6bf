package io.groupai.fleet.scripts;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A response text with {@code {{variable}}} placeholders, split once into literal and variable
 * parts so rendering is a single pass without regexes. A variable is either one the engine knows
 * about the event ({@link #BUILT_INS}) or one the script declares.
 */
public final class Template {

    /** What the engine fills in from the event; {@code user.first_name} and {@code chat.title} are the seeds' spellings. */
    public static final Set<String> BUILT_INS = Set.of(
            "first_name",
            "last_name",
            "username",
            "mention",
            "chat_title",
            "user.first_name",
            "user.username",
            "chat.title",
            "message",
            "account_name");

    private final String source;
    private final String[] literals; // literals[i] comes before names[i]; literals has one more element
    private final String[] names;

    private Template(String source, String[] literals, String[] names) {
        this.source = source;
        this.literals = literals;
        this.names = names;
    }

    /**
     * Splits {@code source}; {@code onProblem} receives a sentence for each malformed placeholder
     * (unclosed braces, empty or odd names). Unknown names are checked by the parser, which knows the variables.
     */
    public static Template compile(String source, Consumer<String> onProblem) {
        List<String> lits = new ArrayList<>();
        List<String> vars = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < source.length()) {
            int open = source.indexOf("{{", i);
            if (open < 0) {
                lit.append(source, i, source.length());
                break;
            }
            lit.append(source, i, open);
            int close = source.indexOf("}}", open + 2);
            if (close < 0) {
                onProblem.accept("'{{' at character " + (open + 1) + " is never closed with '}}'");
                lit.append(source, open, source.length());
                break;
            }
            String name = source.substring(open + 2, close).strip();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?")) {
                onProblem.accept("'{{" + source.substring(open + 2, close)
                        + "}}' is not a variable name (letters, digits and _, e.g. {{first_name}})");
            }
            lits.add(lit.toString());
            lit.setLength(0);
            vars.add(name);
            i = close + 2;
        }
        lits.add(lit.toString());
        return new Template(source, lits.toArray(String[]::new), vars.toArray(String[]::new));
    }

    public String source() {
        return source;
    }

    public List<String> variables() {
        return List.of(names);
    }

    public boolean isConstant() {
        return names.length == 0;
    }

    /** Looks a variable up while rendering. */
    @FunctionalInterface
    public interface Values {
        String get(String name);
    }

    public String render(Values values) {
        if (names.length == 0) {
            return literals[0];
        }
        StringBuilder out = new StringBuilder(source.length() + 32);
        for (int i = 0; i < names.length; i++) {
            out.append(literals[i]);
            String v = values.get(names[i]);
            out.append(v == null ? "" : v);
        }
        out.append(literals[names.length]);
        return out.toString();
    }
}
