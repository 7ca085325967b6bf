package io.groupai.fleet.scriptstore;

import io.groupai.fleet.registry.ConflictException;
import io.groupai.fleet.registry.NotFoundException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The script store: every version of every script, immutable once stored. The latest version of
 * a script is the one stored last (highest revision).
 */
@Repository
public class ScriptRepository {

    /** One stored version; {@code yaml} is left out of listings ({@code null}). */
    public record StoredScript(
            String scriptId,
            String version,
            int revision,
            String yaml,
            String sha256,
            String description,
            int sceneCount,
            Instant createdAt) {}

    private static final String COLUMNS = "script_id, version, revision, sha256, description, scene_count, created_at";

    private static RowMapper<StoredScript> mapper(boolean withYaml) {
        return (rs, i) -> new StoredScript(
                rs.getString("script_id"),
                rs.getString("version"),
                rs.getInt("revision"),
                withYaml ? rs.getString("yaml") : null,
                rs.getString("sha256"),
                rs.getString("description"),
                rs.getInt("scene_count"),
                rs.getTimestamp("created_at").toInstant());
    }

    private final JdbcClient jdbc;
    private final Clock clock;

    public ScriptRepository(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Stores a new version. The same version with the same content again is a no-op (returns the
     * stored one, {@code created} false); with other content it is a conflict: versions are immutable.
     */
    @Transactional
    public Saved save(String scriptId, String version, String yaml, String sha256, String description, int scenes) {
        Optional<StoredScript> existing = find(scriptId, Optional.of(version));
        if (existing.isPresent()) {
            if (existing.get().sha256().equals(sha256)) {
                return new Saved(existing.get(), false);
            }
            throw new ConflictException("script " + scriptId + " already has a version " + version
                    + " with other content; versions are immutable: raise 'version' in the YAML and upload again");
        }
        Integer max = jdbc.sql("SELECT MAX(revision) FROM scripts WHERE script_id = ?")
                .param(scriptId)
                .query(Integer.class)
                .optional()
                .orElse(null);
        int revision = max == null ? 1 : max + 1;
        Instant now = clock.instant();
        jdbc.sql(
                        "INSERT INTO scripts (script_id, version, revision, yaml, sha256, description, scene_count, created_at)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .params(
                        scriptId,
                        version,
                        revision,
                        yaml,
                        sha256,
                        description == null ? null : description.substring(0, Math.min(1024, description.length())),
                        scenes,
                        Timestamp.from(now))
                .update();
        return new Saved(new StoredScript(scriptId, version, revision, yaml, sha256, description, scenes, now), true);
    }

    public record Saved(StoredScript script, boolean created) {}

    /** A version with its YAML; the latest when {@code version} is empty. */
    public Optional<StoredScript> find(String scriptId, Optional<String> version) {
        return version.isPresent()
                ? jdbc.sql("SELECT * FROM scripts WHERE script_id = ? AND version = ?")
                        .params(scriptId, version.get())
                        .query(mapper(true))
                        .optional()
                : jdbc.sql("SELECT * FROM scripts WHERE script_id = ? ORDER BY revision DESC LIMIT 1")
                        .param(scriptId)
                        .query(mapper(true))
                        .optional();
    }

    /** @throws NotFoundException naming the script (and version) */
    public StoredScript get(String scriptId, Optional<String> version) {
        return find(scriptId, version)
                .orElseThrow(() -> new NotFoundException(
                        version.isPresent()
                                ? "script " + scriptId + " has no version " + version.get()
                                : "no script " + scriptId
                                        + " is stored; upload it with POST /api/v1/group-ai/scripts"));
    }

    /** Every version of a script, newest first, without YAML. */
    public List<StoredScript> versions(String scriptId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM scripts WHERE script_id = ? ORDER BY revision DESC")
                .param(scriptId)
                .query(mapper(false))
                .list();
    }

    /** The latest version of every script, by id, without YAML. */
    public List<StoredScript> latest() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM scripts s WHERE revision ="
                        + " (SELECT MAX(revision) FROM scripts t WHERE t.script_id = s.script_id) ORDER BY script_id")
                .query(mapper(false))
                .list();
    }

    /** Deletes one version, or every version; returns how many rows went. */
    public int delete(String scriptId, Optional<String> version) {
        return version.isPresent()
                ? jdbc.sql("DELETE FROM scripts WHERE script_id = ? AND version = ?")
                        .params(scriptId, version.get())
                        .update()
                : jdbc.sql("DELETE FROM scripts WHERE script_id = ?")
                        .param(scriptId)
                        .update();
    }
}
