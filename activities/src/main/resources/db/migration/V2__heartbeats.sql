-- Worker heartbeats: node tokens, the lease a heartbeat renews, and the command queue whose
-- entries are delivered in heartbeat replies (seed protocol: pending_commands).

-- A node authenticates its heartbeats with a token: the hash verifies it, the encrypted copy
-- lets bootstrap write it into the node's config. Never returned by the API.
CREATE TABLE node_tokens (
    node_id      VARCHAR(63)   NOT NULL PRIMARY KEY,
    token_hash   VARCHAR(64)   NOT NULL,
    token_secret VARCHAR(512)  NOT NULL,
    updated_at   TIMESTAMP(3)  NOT NULL,
    CONSTRAINT fk_node_tokens_server FOREIGN KEY (node_id) REFERENCES servers (node_id) ON DELETE CASCADE
);

ALTER TABLE servers ADD COLUMN lease_expires_at TIMESTAMP(3) NULL;
ALTER TABLE servers ADD COLUMN heartbeat_status VARCHAR(32);
ALTER TABLE servers ADD COLUMN reported_accounts INT;

CREATE TABLE node_commands (
    id            BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    node_id       VARCHAR(63)   NOT NULL,
    action        VARCHAR(32)   NOT NULL,
    params        VARCHAR(4096) NOT NULL,
    status        VARCHAR(16)   NOT NULL,
    attempts      INT           NOT NULL,
    error         VARCHAR(1024),
    created_at    TIMESTAMP(3)  NOT NULL,
    delivered_at  TIMESTAMP(3)  NULL,
    finished_at   TIMESTAMP(3)  NULL,
    CONSTRAINT fk_commands_server FOREIGN KEY (node_id) REFERENCES servers (node_id) ON DELETE CASCADE,
    CONSTRAINT ck_commands_action CHECK (action IN ('update_script', 'upload_session')),
    CONSTRAINT ck_commands_status CHECK (status IN ('pending', 'delivered', 'acked', 'failed'))
);
CREATE INDEX idx_commands_node_status ON node_commands (node_id, status);

-- Per-account statistics reported by the node that runs it.
ALTER TABLE accounts ADD COLUMN group_ids VARCHAR(1024);
ALTER TABLE accounts ADD COLUMN reported_session_file VARCHAR(512);
ALTER TABLE accounts ADD COLUMN last_report_at TIMESTAMP(3) NULL;
