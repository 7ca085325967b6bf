package io.groupai.fleet.sessions;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Where the control plane keeps the session archives operators upload (groupai.sessions.dir). */
@ConfigurationProperties("groupai.sessions")
public record SessionStoreProperties(Path dir) {
}
