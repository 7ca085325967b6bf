package io.groupai.fleet.nodes;

import io.groupai.fleet.workflows.allocation.SessionTransferOptions;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** SSH timeouts and pool size (groupai.ssh.*). */
@Validated
@ConfigurationProperties("groupai.ssh")
public record SshProperties(
        @NotNull @DefaultValue("10s") Duration connectTimeout,
        @NotNull @DefaultValue("30s") Duration commandTimeout,
        @NotNull @DefaultValue("5m") Duration transferTimeout,
        @Min(1) @Max(64) @DefaultValue("4") int maxSessionsPerServer) {

    /**
     * A session transfer attempt (connect, two or three commands, the SFTP stream) must end before Temporal's
     * start-to-close of the transfer activities, or a retry could overlap it (see {@link SessionTransferOptions}).
     */
    @AssertTrue(
            message = "transfer-timeout + connect-timeout + 4 x command-timeout must not exceed the session transfer "
                    + "activities' start-to-close (SessionTransferOptions.START_TO_CLOSE, 8 min); lower them")
    public boolean isTransferAttemptWithinActivityTimeout() {
        return connectTimeout == null
                || commandTimeout == null
                || transferTimeout == null
                || transferTimeout
                                .plus(connectTimeout)
                                .plus(commandTimeout.multipliedBy(4))
                                .compareTo(SessionTransferOptions.START_TO_CLOSE)
                        <= 0;
    }
}
