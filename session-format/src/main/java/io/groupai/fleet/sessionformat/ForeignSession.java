package io.groupai.fleet.sessionformat;

/**
 * A Pyrogram or Telethon {@code .session} file (SQLite) and what could be read from it.
 *
 * @param format pyrogram, telethon, or sqlite (an SQLite file whose tables are not recognised)
 */
public record ForeignSession(String format, Integer dcId, Long userId) {

    /** For messages: "Pyrogram" / "Telethon" / "SQLite (Pyrogram/Telethon-like)". */
    public String displayName() {
        return switch (format) {
            case "pyrogram" -> "Pyrogram";
            case "telethon" -> "Telethon";
            default -> "SQLite (Pyrogram/Telethon-like)";
        };
    }

    /** The operator-facing explanation: TDLib cannot import it, log in again. */
    public String explanation(String what) {
        return what + " is a " + displayName() + " .session (SQLite), dc " + (dcId == null ? "unknown" : dcId)
                + ", user id " + (userId == null ? "unknown" : userId)
                + ". TDLib cannot import Pyrogram/Telethon auth keys, so it cannot run here: log the account in again "
                + "through the admin page (phone, code, 2FA password), or provide a zip of a TDLib database directory";
    }
}
