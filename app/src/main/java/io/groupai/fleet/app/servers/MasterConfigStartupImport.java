package io.groupai.fleet.app.servers;

import io.groupai.fleet.registry.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Imports the master_config.json named by {@code groupai.import.master-config} (GROUPAI_MASTER_CONFIG)
 * at start-up. A bad file stops the start with the problems listed, rather than running on a
 * half-understood configuration.
 */
@Component
class MasterConfigStartupImport implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(MasterConfigStartupImport.class);

    private final MasterConfigImporter importer;
    private final String file;

    MasterConfigStartupImport(MasterConfigImporter importer, @Value("${groupai.import.master-config:}") String file) {
        this.importer = importer;
        this.file = file;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (file == null || file.isBlank()) {
            return;
        }
        Path path = Path.of(file);
        String json;
        try {
            json = Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read GROUPAI_MASTER_CONFIG file " + path.toAbsolutePath(), e);
        }
        try {
            int count = importer.importAtStartup(json).size();
            log.info("imported {} servers from {}", count, path);
        } catch (InvalidInputException e) {
            throw new IllegalStateException(
                    "master config " + path + " was not imported (nothing changed): " + e.getMessage(), e);
        }
    }
}
