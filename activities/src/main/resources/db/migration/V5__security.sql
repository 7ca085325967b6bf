-- Operators sign in: users with a role and a password hash (BCrypt), long-lived API tokens for
-- scripts and the CLI (only a SHA-256 of the token is kept; it is shown once when created), and
-- the audit log of who did what.

CREATE TABLE operator_users (
    username       VARCHAR(64)   NOT NULL PRIMARY KEY,
    password_hash  VARCHAR(100)  NOT NULL,
    role           VARCHAR(16)   NOT NULL,
    enabled        BOOLEAN       NOT NULL,
    created_at     TIMESTAMP(3)  NOT NULL,
    updated_at     TIMESTAMP(3)  NOT NULL,
    CONSTRAINT ck_operator_users_role CHECK (role IN ('viewer', 'operator', 'admin'))
);

CREATE TABLE api_tokens (
    id             BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name           VARCHAR(100)  NOT NULL,
    token_hash     VARCHAR(64)   NOT NULL,
    role           VARCHAR(16)   NOT NULL,
    created_by     VARCHAR(64)   NOT NULL,
    created_at     TIMESTAMP(3)  NOT NULL,
    expires_at     TIMESTAMP(3)  NULL,
    revoked_at     TIMESTAMP(3)  NULL,
    last_used_at   TIMESTAMP(3)  NULL,
    CONSTRAINT uq_api_tokens_hash UNIQUE (token_hash),
    CONSTRAINT ck_api_tokens_role CHECK (role IN ('viewer', 'operator', 'admin'))
);

CREATE TABLE audit_log (
    id             BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    occurred_at    TIMESTAMP(3)  NOT NULL,
    actor          VARCHAR(100)  NOT NULL,
    action         VARCHAR(64)   NOT NULL,
    target         VARCHAR(300),
    outcome        VARCHAR(16)   NOT NULL,
    detail         VARCHAR(500),
    remote_addr    VARCHAR(64)
);
CREATE INDEX idx_audit_actor ON audit_log (actor, id);
CREATE INDEX idx_audit_action ON audit_log (action, id);
