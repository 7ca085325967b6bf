package io.groupai.fleet.scripts;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Aho–Corasick over every keyword of a script, built once per script version: one pass over a
 * message finds every keyword in it, whatever the number of keywords. Case-insensitive (simple
 * per-character lower case). A keyword that starts or ends with an ASCII letter or digit matches
 * only at a word boundary there ("hi" does not fire on "this"); CJK keywords match anywhere.
 *
 * <p>Transitions live in one open-addressing hash table keyed by (state, char), so matching
 * allocates nothing.
 */
final class KeywordMatcher {

    private final long[] keys; // (state << 16 | char) + 1; 0 = empty slot
    private final int[] values;
    private final int mask;
    private final int[] fail;
    /** Per state, the keywords ending there (including through dictionary suffix links), as keyword indexes. */
    private final int[][] output;

    /** keyword index → scene index (a script keyword), or -(regex id + 1) (a regex's required literal). */
    private final int[] keywordScene;

    private final int[] keywordLength;
    private final boolean[] boundaryStart;
    private final boolean[] boundaryEnd;

    /**
     * @param keywords lower-cased keywords and regex literals
     * @param scenes   per keyword its scene index, or -(regex id + 1) for a regex's required literal
     */
    KeywordMatcher(List<String> keywords, List<Integer> scenes) {
        int n = keywords.size();
        keywordScene = new int[n];
        keywordLength = new int[n];
        boundaryStart = new boolean[n];
        boundaryEnd = new boolean[n];
        int maxStates = 1;
        for (String k : keywords) {
            maxStates += k.length();
        }
        int cap = Integer.highestOneBit(Math.max(16, maxStates * 2)) << 1;
        keys = new long[cap];
        values = new int[cap];
        mask = cap - 1;
        List<List<Integer>> out = new ArrayList<>();
        out.add(new ArrayList<>());
        int states = 1;
        List<int[]> children = new ArrayList<>(); // per state: chars of its children (for BFS)
        List<StringBuilder> childChars = new ArrayList<>();
        childChars.add(new StringBuilder());
        for (int k = 0; k < n; k++) {
            String word = keywords.get(k);
            keywordScene[k] = scenes.get(k);
            keywordLength[k] = word.length();
            // Regex literals match anywhere (the regex itself checks its boundaries).
            boundaryStart[k] = keywordScene[k] >= 0 && isWordChar(word.charAt(0));
            boundaryEnd[k] = keywordScene[k] >= 0 && isWordChar(word.charAt(word.length() - 1));
            int s = 0;
            for (int i = 0; i < word.length(); i++) {
                char c = word.charAt(i);
                int next = get(s, c);
                if (next < 0) {
                    next = states++;
                    put(s, c, next);
                    childChars.get(s).append(c);
                    childChars.add(new StringBuilder());
                    out.add(new ArrayList<>());
                }
                s = next;
            }
            out.get(s).add(k);
        }
        fail = new int[states];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (char c : childChars.get(0).toString().toCharArray()) {
            int child = get(0, c);
            fail[child] = 0;
            queue.add(child);
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            for (char c : childChars.get(s).toString().toCharArray()) {
                int child = get(s, c);
                int f = fail[s];
                while (f > 0 && get(f, c) < 0) {
                    f = fail[f];
                }
                int g = get(f, c);
                fail[child] = g >= 0 && g != child ? g : 0;
                out.get(child).addAll(out.get(fail[child]));
                queue.add(child);
            }
        }
        output = new int[states][];
        for (int s = 0; s < states; s++) {
            output[s] = out.get(s).stream().mapToInt(Integer::intValue).toArray();
        }
        children.clear();
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }

    private int get(int state, char c) {
        long key = (((long) state) << 16 | c) + 1;
        int i = slot(key, mask);
        while (true) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == 0) {
                return -1;
            }
            i = (i + 1) & mask;
        }
    }

    private void put(int state, char c, int value) {
        long key = (((long) state) << 16 | c) + 1;
        int i = slot(key, mask);
        while (keys[i] != 0) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
    }

    static boolean isWordChar(char c) {
        return c < 128 && Character.isLetterOrDigit(c);
    }

    /**
     * The lowest scene index with a keyword in {@code text}, considering only scenes for which
     * {@code eligible} is true ({@code Integer.MAX_VALUE} when none); sets the bit of every regex
     * whose required literal occurs in {@code regexHits}.
     */
    int firstScene(CharSequence text, ScriptEngine.Eligibility eligible, ChatState state, long[] regexHits) {
        int best = Integer.MAX_VALUE;
        int s = 0;
        int len = text.length();
        for (int i = 0; i < len; i++) {
            char c = Character.toLowerCase(text.charAt(i));
            int next;
            while ((next = get(s, c)) < 0 && s != 0) {
                s = fail[s];
            }
            s = Math.max(next, 0);
            int[] hits = output[s];
            for (int h : hits) {
                int scene = keywordScene[h];
                if (scene < 0) {
                    int regex = -scene - 1;
                    regexHits[regex >>> 6] |= 1L << regex;
                } else if (scene < best && boundaries(text, i, h) && eligible.test(scene, state)) {
                    best = scene;
                }
            }
        }
        return best;
    }

    private boolean boundaries(CharSequence text, int end, int k) {
        if (boundaryEnd[k] && end + 1 < text.length() && isWordChar(text.charAt(end + 1))) {
            return false;
        }
        int start = end - keywordLength[k] + 1;
        return !(boundaryStart[k] && start > 0 && isWordChar(text.charAt(start - 1)));
    }

    int states() {
        return fail.length;
    }

    @Override
    public String toString() {
        return "KeywordMatcher[" + keywordScene.length + " keywords, " + fail.length + " states, "
                + Arrays.stream(output).mapToInt(o -> o.length).sum() + " outputs]";
    }
}
