package io.groupai.fleet.allocation.planner;

/**
 * Why a strategy chose a server: the phrase in a placement's reason. A plan stores only which phrase and one
 * number per placement; the text is formatted when someone reads the reason (the allocation path never does).
 */
enum Why {
    FEWEST_ACCOUNTS("fewest accounts for its weight"),
    LOWEST_USAGE("lowest usage ratio for its weight"),
    LOWEST_SCORE("lowest load score for its weight"),
    NEXT_IN_TURN("next in turn"),
    NO_FAILURES("no recent failures, lowest load score for its weight"),
    /** Detail: the chosen server's recent failures. */
    FEWEST_FAILURES(null) {
        @Override
        String text(AccountRequest account, int failures) {
            return "every server with room failed recently; fewest failures (" + failures + "), then lowest load score";
        }
    },
    IN_LOCATION(null) {
        @Override
        String text(AccountRequest account, int detail) {
            return "in preferred location " + account.locationPreference();
        }
    },
    NO_PREFERENCE("no location preference; lowest load score for its weight"),
    NO_ROOM_IN_LOCATION(null) {
        @Override
        String text(AccountRequest account, int detail) {
            return "no server with room in " + account.locationPreference() + "; lowest load score elsewhere";
        }
    },
    /** Detail: accounts of the script on the chosen server before this one. */
    MOST_OF_SCRIPT(null) {
        @Override
        String text(AccountRequest account, int count) {
            return "runs most accounts of script " + account.scriptId() + " (" + count + ")";
        }
    },
    NO_SCRIPT("no script; lowest load score for its weight"),
    NO_HOST_WITH_ROOM(null) {
        @Override
        String text(AccountRequest account, int detail) {
            return "no server running script " + account.scriptId() + " has room; lowest load score for its weight";
        }
    };

    private static final Why[] ALL = values();

    private final String fixed;

    Why(String fixed) {
        this.fixed = fixed;
    }

    static Why of(int ordinal) {
        return ALL[ordinal];
    }

    /** The phrase for a placement of {@code account}, with the phrase's number where it has one. */
    String text(AccountRequest account, int detail) {
        return fixed;
    }
}
