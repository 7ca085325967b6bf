package io.groupai.fleet.app.security;

import io.groupai.fleet.registry.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/** What a username and a password must be. */
final class Passwords {

    static final int MIN_LENGTH = 12;
    /** BCrypt reads 72 bytes; a longer password would be silently cut, so it is refused. */
    static final int MAX_BYTES = 72;

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    private Passwords() {}

    static boolean tooLong(String password) {
        return password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES;
    }

    static void checkUsername(String username) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new InvalidInputException(
                    "username",
                    "must be 1-64 characters: letters, digits and . _ @ - (starting with a letter or digit)");
        }
    }

    static void checkUsernameAtStart(String username) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new IllegalStateException(
                    "GROUPAI_ADMIN_USERNAME must be 1-64 characters: letters, digits and . _ @ -");
        }
    }

    static void checkPassword(String password) {
        if (password == null || password.length() < MIN_LENGTH || tooLong(password)) {
            throw new InvalidInputException(
                    "password", "must be " + MIN_LENGTH + " to " + MAX_BYTES + " bytes (UTF-8) long");
        }
    }

    static String generate() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
