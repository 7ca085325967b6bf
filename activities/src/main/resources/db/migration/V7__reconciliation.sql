-- Reconciliation (issue 11): what the database, the nodes and their disks disagree on, and what was done.
-- Same SQL for H2 (MySQL mode), MySQL 8 and MariaDB.

-- The Telegram user behind an account, when known: two account ids with one user id are duplicate rows.
ALTER TABLE accounts ADD COLUMN telegram_user_id BIGINT;
CREATE INDEX idx_accounts_telegram_user ON accounts (telegram_user_id);
-- Accounts held by an operation (few at any time): the reconciler and the summary find them by this index.
CREATE INDEX idx_accounts_operation ON accounts (operation_id);
-- Restarts the reconciler tried for an account its server does not run; reset once the server reports it.
ALTER TABLE accounts ADD COLUMN restart_attempts INT DEFAULT 0 NOT NULL;
-- Why an account was marked failed by the reconciler (restarts exhausted, operation orphaned on an unreachable node).
ALTER TABLE accounts ADD COLUMN failure_reason VARCHAR(1024);

-- The accounts a node's latest heartbeat listed as running, one row per node (overwritten by each
-- heartbeat): what the reconciler compares when the node's own queue does not answer.
CREATE TABLE node_reports (
    node_id      VARCHAR(63)   NOT NULL PRIMARY KEY,
    running      TEXT          NOT NULL,
    reported_at  TIMESTAMP(3)  NOT NULL,
    CONSTRAINT fk_node_reports_server FOREIGN KEY (node_id) REFERENCES servers (node_id) ON DELETE CASCADE
);

-- Every repair the reconciler did (or tried), and every alert it raised.
CREATE TABLE reconcile_history (
    id            BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    workflow_id   VARCHAR(255)  NOT NULL,
    kind          VARCHAR(32)   NOT NULL,
    account_id    VARCHAR(64),
    server_id     VARCHAR(63),
    other_server  VARCHAR(63),
    action        VARCHAR(32)   NOT NULL,
    outcome       VARCHAR(16)   NOT NULL,
    alert         BOOLEAN       NOT NULL,
    detail        VARCHAR(2048) NOT NULL,
    created_at    TIMESTAMP(3)  NOT NULL
);
CREATE INDEX idx_reconcile_history_created ON reconcile_history (created_at);
CREATE INDEX idx_reconcile_history_kind ON reconcile_history (kind);
