-- One schema for H2 (MySQL mode), MySQL 8 and MariaDB: plain types, no vendor extensions.

CREATE TABLE servers (
    node_id               VARCHAR(63)   NOT NULL PRIMARY KEY,
    host                  VARCHAR(255)  NOT NULL,
    port                  INT           NOT NULL,
    ssh_user              VARCHAR(64)   NOT NULL,
    -- Where the SSH secret lives: 'db' (encrypted row in server_credentials) or 'none'.
    credential_ref        VARCHAR(32)   NOT NULL,
    deploy_dir            VARCHAR(255)  NOT NULL,
    max_accounts          INT           NOT NULL,
    location              VARCHAR(64),
    weight                DOUBLE        NOT NULL,
    allocation_strategy   VARCHAR(32),
    health_check_interval INT           NOT NULL,
    status                VARCHAR(16)   NOT NULL,
    health                VARCHAR(16)   NOT NULL,
    process_alive         BOOLEAN,
    worker_pid            BIGINT,
    cpu_usage             DOUBLE,
    memory_usage          DOUBLE,
    disk_usage            DOUBLE,
    latency_ms            BIGINT,
    consecutive_failures  INT           NOT NULL,
    last_failure_at       TIMESTAMP(3)  NULL,
    last_probe_at         TIMESTAMP(3)  NULL,
    last_probe_error      VARCHAR(1024),
    last_heartbeat        TIMESTAMP(3)  NULL,
    host_key_type         VARCHAR(64),
    host_key              VARCHAR(4096),
    created_at            TIMESTAMP(3)  NOT NULL,
    updated_at            TIMESTAMP(3)  NOT NULL,
    CONSTRAINT ck_servers_max_accounts CHECK (max_accounts > 0),
    CONSTRAINT ck_servers_port CHECK (port BETWEEN 1 AND 65535),
    CONSTRAINT ck_servers_weight CHECK (weight > 0),
    CONSTRAINT ck_servers_status CHECK (status IN ('active', 'draining', 'disabled', 'down'))
);
CREATE INDEX idx_servers_status ON servers (status);

-- Secrets are kept apart from the server row, encrypted (AES-GCM), and never selected by the API.
CREATE TABLE server_credentials (
    node_id      VARCHAR(63)   NOT NULL PRIMARY KEY,
    auth_type    VARCHAR(16)   NOT NULL,
    secret       TEXT          NOT NULL,
    passphrase   VARCHAR(1024),
    updated_at   TIMESTAMP(3)  NOT NULL,
    CONSTRAINT fk_credentials_server FOREIGN KEY (node_id) REFERENCES servers (node_id) ON DELETE CASCADE,
    CONSTRAINT ck_credentials_type CHECK (auth_type IN ('password', 'private_key'))
);

-- One row per account and a single server_id column: the database itself allows at most one
-- server per account.
CREATE TABLE accounts (
    account_id      VARCHAR(64)   NOT NULL PRIMARY KEY,
    session_ref     VARCHAR(512),
    script_id       VARCHAR(128),
    server_id       VARCHAR(63),
    status          VARCHAR(32)   NOT NULL,
    source_node     VARCHAR(63),
    location        VARCHAR(64),
    message_count   BIGINT        NOT NULL,
    reply_count     BIGINT        NOT NULL,
    last_activity   TIMESTAMP(3)  NULL,
    created_at      TIMESTAMP(3)  NOT NULL,
    updated_at      TIMESTAMP(3)  NOT NULL,
    CONSTRAINT fk_accounts_server FOREIGN KEY (server_id) REFERENCES servers (node_id)
);
CREATE INDEX idx_accounts_server ON accounts (server_id);
CREATE INDEX idx_accounts_status ON accounts (status);
CREATE INDEX idx_accounts_script ON accounts (script_id);

CREATE TABLE allocation_history (
    id               BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id       VARCHAR(64)   NOT NULL,
    server_id        VARCHAR(63)   NOT NULL,
    allocation_type  VARCHAR(16)   NOT NULL,
    load_score       DOUBLE,
    workflow_id      VARCHAR(255),
    created_at       TIMESTAMP(3)  NOT NULL,
    CONSTRAINT ck_history_type CHECK (allocation_type IN ('initial', 'rebalance', 'manual'))
);
CREATE INDEX idx_history_account ON allocation_history (account_id);
CREATE INDEX idx_history_server ON allocation_history (server_id);
CREATE INDEX idx_history_created ON allocation_history (created_at);

-- Fleet-wide settings, e.g. the "allocation" block of master_config.json.
CREATE TABLE fleet_settings (
    name        VARCHAR(64)   NOT NULL PRIMARY KEY,
    setting     VARCHAR(1024) NOT NULL,
    updated_at  TIMESTAMP(3)  NOT NULL
);

-- The app's own record of the workflows it starts: the embedded Temporal server cannot list
-- workflows, and the API and pages need to.
CREATE TABLE workflow_runs (
    workflow_id    VARCHAR(255)  NOT NULL,
    run_id         VARCHAR(64)   NOT NULL,
    workflow_type  VARCHAR(128)  NOT NULL,
    subject        VARCHAR(255)  NOT NULL,
    status         VARCHAR(32)   NOT NULL,
    detail         VARCHAR(2048),
    started_at     TIMESTAMP(3)  NOT NULL,
    closed_at      TIMESTAMP(3)  NULL,
    PRIMARY KEY (workflow_id, run_id)
);
CREATE INDEX idx_runs_started ON workflow_runs (started_at);
CREATE INDEX idx_runs_subject ON workflow_runs (subject);
