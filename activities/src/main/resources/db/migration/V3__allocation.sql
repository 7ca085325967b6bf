-- Allocation: capacity reservations and claims (issue 5). Same SQL for H2 (MySQL mode), MySQL 8 and MariaDB.
--
-- accounts.server_id stays the single placement column: a new placement claims it at once
-- (status 'allocating'), so it counts against the server's max_accounts from the moment it is
-- reserved. A migration reserves its target in reserved_server_id, which counts against the target
-- too, until the switch moves server_id. operation_id names the workflow holding the claim; only
-- that workflow releases it.
ALTER TABLE accounts ADD COLUMN reserved_server_id VARCHAR(63);
ALTER TABLE accounts ADD COLUMN operation_id VARCHAR(255);
ALTER TABLE accounts ADD CONSTRAINT fk_accounts_reserved_server FOREIGN KEY (reserved_server_id) REFERENCES servers (node_id);

-- Where a rebalanced account came from.
ALTER TABLE allocation_history ADD COLUMN previous_server_id VARCHAR(63);
