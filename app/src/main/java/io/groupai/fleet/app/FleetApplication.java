package io.groupai.fleet.app;

import io.groupai.fleet.app.cli.DatabaseBackupCli;
import io.groupai.fleet.app.cli.GroupAiCli;
import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/** The Group AI Fleet control plane. */
@SpringBootApplication(scanBasePackages = "io.groupai.fleet")
@ConfigurationPropertiesScan("io.groupai.fleet")
public class FleetApplication {

    public static void main(String[] args) {
        if (GroupAiCli.handles(args)) {
            // `java -jar app.jar groupai <command>` (or the `groupai` script): the operators' CLI, over REST.
            GroupAiCli.main(args);
        }
        if (DatabaseBackupCli.handles(args)) {
            // `java -jar app.jar backup|restore <file>`: a command on the database, without starting the app.
            System.exit(DatabaseBackupCli.run(args, System.getenv(), System.out, System.err));
        }
        SpringApplication.run(FleetApplication.class, args);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
