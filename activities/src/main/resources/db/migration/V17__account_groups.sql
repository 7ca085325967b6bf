-- The groups (Telegram chat ids) each account may talk in: its dialogue script runs only there.
-- An account without rows is not restricted (its script's settings.groups, or every group).
CREATE TABLE account_groups (
    account_id  VARCHAR(64)  NOT NULL,
    chat_id     BIGINT       NOT NULL,
    PRIMARY KEY (account_id, chat_id),
    CONSTRAINT fk_account_groups_account FOREIGN KEY (account_id) REFERENCES accounts (account_id) ON DELETE CASCADE
);
