package io.groupai.fleet.registry;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** What an operator declares when registering an account. Placement is done by allocation, not here. */
public record AccountDefinition(
        @NotBlank(message = "account_id is required, e.g. the phone number \"639277356155\"")
        @Pattern(regexp = "[A-Za-z0-9_+-]{1,64}", message = "account_id must be 1-64 letters, digits, '_', '+' or '-'")
        String accountId,

        @Size(max = 512, message = "session_file must be at most 512 characters")
        @Pattern(
                regexp = "[A-Za-z0-9/_.+-]*",
                message = "session_file must be a relative path of letters, digits, '/', '_', '.', '+', '-'")
        String sessionFile,

        @Size(max = 128, message = "script_id must be at most 128 characters")
        String scriptId,

        @Pattern(regexp = "[A-Za-z0-9 _-]{1,64}", message = "location must be 1-64 letters, digits, spaces, '_' or '-'")
        String location) {}
