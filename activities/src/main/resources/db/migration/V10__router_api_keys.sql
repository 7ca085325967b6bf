-- API keys of the routing pool (OpenAI-compatible entry point), besides its key file.
-- Only a SHA-256 of each key is kept; the key itself is shown once, when it is created.
CREATE TABLE router_api_keys (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name        VARCHAR(100) NOT NULL,
    key_hash    CHAR(64)     NOT NULL,
    key_prefix  VARCHAR(16)  NOT NULL,
    created_at  TIMESTAMP(3) NOT NULL,
    CONSTRAINT uq_router_api_keys_hash UNIQUE (key_hash)
);
