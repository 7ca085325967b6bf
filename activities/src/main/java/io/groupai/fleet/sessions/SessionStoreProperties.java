package io.groupai.fleet.sessions;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the control plane keeps the session archives operators upload, and how large they may be.
 *
 * @param maxArchiveBytes  largest upload accepted
 * @param maxUnpackedBytes largest total size of the archive's files once unpacked (zip bombs)
 */
@Validated
@ConfigurationProperties("groupai.sessions")
public record SessionStoreProperties(
        @NotNull Path dir,
        @Positive @DefaultValue("268435456") long maxArchiveBytes,
        @Positive @DefaultValue("536870912") long maxUnpackedBytes) {}
