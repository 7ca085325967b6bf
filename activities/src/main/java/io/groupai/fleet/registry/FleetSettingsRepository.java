package io.groupai.fleet.registry;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Fleet-wide settings (e.g. allocation.default_strategy) as name/value rows. */
@Repository
public class FleetSettingsRepository {

    private final JdbcClient jdbc;
    private final Clock clock;

    public FleetSettingsRepository(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public void put(String name, String value) {
        Timestamp now = Timestamp.from(clock.instant());
        if (jdbc.sql("UPDATE fleet_settings SET setting = ?, updated_at = ? WHERE name = ?")
                        .params(value, now, name)
                        .update()
                == 0) {
            jdbc.sql("INSERT INTO fleet_settings (name, setting, updated_at) VALUES (?, ?, ?)")
                    .params(name, value, now)
                    .update();
        }
    }

    public Optional<String> get(String name) {
        return jdbc.sql("SELECT setting FROM fleet_settings WHERE name = ?")
                .param(name)
                .query(String.class)
                .optional();
    }

    public Map<String, String> all() {
        Map<String, String> settings = new TreeMap<>();
        jdbc.sql("SELECT name, setting FROM fleet_settings")
                .query((RowCallbackHandler) rs -> settings.put(rs.getString("name"), rs.getString("setting")));
        return settings;
    }
}
