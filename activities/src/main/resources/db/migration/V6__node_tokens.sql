-- Token rotation: the previous token stays valid until previous_expires_at (the grace period), so a
-- running node can pick up its new token from a heartbeat reply without losing contact.
ALTER TABLE node_tokens ADD COLUMN previous_hash VARCHAR(64) NULL;
ALTER TABLE node_tokens ADD COLUMN previous_expires_at TIMESTAMP(3) NULL;

-- The host key fingerprint an operator expects (SHA256:<base64>, as ssh-keygen -lf prints it); the first
-- connection pins only a key with this fingerprint.
ALTER TABLE servers ADD COLUMN expected_host_key VARCHAR(100) NULL;
