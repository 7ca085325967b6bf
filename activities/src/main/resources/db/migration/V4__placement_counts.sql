-- Accounts per server, and accounts without a server, kept up to date by the same transactions
-- that change placement (claim, release, complete, migration switch/abort, account insert/delete).
-- The allocation summary reads these few rows instead of grouping every account on each call.
-- bucket is a node_id, or '*unassigned' (node ids start with a letter or digit, so it cannot collide).
-- No foreign key: the row of a deleted server is removed with it, and every transaction touches
-- these rows last (in bucket order), after the server and account rows it locks.
CREATE TABLE placement_counts (
    bucket    VARCHAR(64)  NOT NULL PRIMARY KEY,
    accounts  BIGINT       NOT NULL
);

INSERT INTO placement_counts (bucket, accounts)
    SELECT server_id, COUNT(*) FROM accounts WHERE server_id IS NOT NULL GROUP BY server_id;
INSERT INTO placement_counts (bucket, accounts)
    SELECT '*unassigned', COUNT(*) FROM accounts WHERE server_id IS NULL;
