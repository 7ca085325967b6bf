package io.groupai.fleet.scripts;

/**
 * One thing wrong with a script: where (1-based line and column, and the path of keys, e.g.
 * {@code scenes[2].triggers[0].pattern}) and a sentence a script author understands.
 */
public record ScriptProblem(int line, int column, String path, String message) {

    @Override
    public String toString() {
        return "line " + line + ", column " + column + (path.isEmpty() ? "" : " (" + path + ")") + ": " + message;
    }
}
