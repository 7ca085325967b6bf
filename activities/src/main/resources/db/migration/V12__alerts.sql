-- Alerts (issue 15): one row per alert, and a durable outbox of webhook deliveries. Same SQL for H2
-- (MySQL mode), MySQL 8 and MariaDB.
--
-- open_key is kind|server|account while the alert is open and NULL once resolved: the unique index
-- makes a second raise of the same open alert update that row (occurrences, last_raised_at) instead
-- of adding one, on every database (NULLs never collide in a unique index).
CREATE TABLE alerts (
    id              BIGINT        NOT NULL AUTO_INCREMENT,
    kind            VARCHAR(64)   NOT NULL,
    severity        VARCHAR(16)   NOT NULL,
    server_id       VARCHAR(63),
    account_id      VARCHAR(64),
    message         VARCHAR(2048) NOT NULL,
    open_key        VARCHAR(255),
    occurrences     INT           NOT NULL,
    first_raised_at TIMESTAMP(3)  NOT NULL,
    last_raised_at  TIMESTAMP(3)  NOT NULL,
    resolved_at     TIMESTAMP(3)  NULL,
    resolution      VARCHAR(512),
    PRIMARY KEY (id)
);
CREATE UNIQUE INDEX uq_alerts_open_key ON alerts (open_key);
CREATE INDEX idx_alerts_kind ON alerts (kind, id);
CREATE INDEX idx_alerts_server ON alerts (server_id, id);

-- The webhook outbox: written in the transaction that opens or resolves an alert, drained by the
-- sender, so a delivery survives a restart of the app. The webhook is named by its URL (its secret
-- stays in the configuration, never in the database).
CREATE TABLE alert_deliveries (
    id              BIGINT        NOT NULL AUTO_INCREMENT,
    alert_id        BIGINT        NOT NULL,
    event           VARCHAR(16)   NOT NULL,
    webhook_url     VARCHAR(1024) NOT NULL,
    payload         TEXT          NOT NULL,
    status          VARCHAR(16)   NOT NULL,
    attempts        INT           NOT NULL,
    next_attempt_at TIMESTAMP(3)  NOT NULL,
    last_error      VARCHAR(1024),
    created_at      TIMESTAMP(3)  NOT NULL,
    delivered_at    TIMESTAMP(3)  NULL,
    PRIMARY KEY (id),
    CONSTRAINT fk_deliveries_alert FOREIGN KEY (alert_id) REFERENCES alerts (id) ON DELETE CASCADE
);
CREATE INDEX idx_deliveries_due ON alert_deliveries (status, next_attempt_at);

-- Which finished workflow runs have had their outcome looked at (alerts, metrics); runs that
-- finished before this migration count as looked at, so an upgrade raises no alert for old runs.
ALTER TABLE workflow_runs ADD COLUMN outcome_recorded_at TIMESTAMP(3) NULL;
UPDATE workflow_runs SET outcome_recorded_at = CURRENT_TIMESTAMP WHERE status <> 'RUNNING';
CREATE INDEX idx_runs_outcome ON workflow_runs (outcome_recorded_at, started_at);
