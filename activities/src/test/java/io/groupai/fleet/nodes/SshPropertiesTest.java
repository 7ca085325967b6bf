package io.groupai.fleet.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SSH timeouts that would let a transfer attempt outlast its activity's start-to-close are refused. */
class SshPropertiesTest {

    @Test
    void defaultsFitAndALongerTransferTimeoutIsRefused() {
        try (ValidatorFactory factory = Validation.buildDefaultValidatorFactory()) {
            Validator validator = factory.getValidator();
            assertThat(validator.validate(new SshProperties(
                            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(5), 4)))
                    .isEmpty();

            Set<ConstraintViolation<SshProperties>> tooLong = validator.validate(
                    new SshProperties(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(10), 4));
            assertThat(tooLong).singleElement().satisfies(v -> {
                assertThat(v.getPropertyPath()).hasToString("transferAttemptWithinActivityTimeout");
                assertThat(v.getMessage()).contains("transfer-timeout", "start-to-close", "8 min");
            });
        }
    }
}
