-- The admin pages filter accounts by the node that reported them (GET /accounts?source_node=):
-- an index keeps that a lookup at 100,000 accounts.
CREATE INDEX idx_accounts_source_node ON accounts (source_node);
