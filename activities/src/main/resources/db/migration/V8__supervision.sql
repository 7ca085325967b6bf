-- Node supervision (issue 10): what the node supervisor concluded about each server, and a short
-- history of its checks and state changes for the API. Same SQL for H2 (MySQL mode), MySQL 8 and MariaDB.
--
-- supervision is the supervisor's verdict, kept apart from the operator's status (active, draining...)
-- and from health (the last SSH probe), so a probe that answers does not undo a "down" that failed
-- heartbeats decided, and marking a server down never overwrites what an operator set:
--   NULL      not supervised yet
--   'up'      its lease is renewed (or, before its first heartbeat, its probes answer)
--   'suspect' one or two consecutive failed checks
--   'down'    three consecutive failed checks: no new accounts, failover moves its accounts away
ALTER TABLE servers ADD COLUMN supervision VARCHAR(16);
ALTER TABLE servers ADD COLUMN supervision_reason VARCHAR(1024);
ALTER TABLE servers ADD COLUMN supervision_changed_at TIMESTAMP(3) NULL;
-- Seconds between probes of a server whose lease is renewed; NULL: groupai.supervision.probe-interval (5 min).
ALTER TABLE servers ADD COLUMN probe_interval INT;

CREATE TABLE node_health_events (
    id          BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    node_id     VARCHAR(63)   NOT NULL,
    state       VARCHAR(16)   NOT NULL,
    event       VARCHAR(32)   NOT NULL,
    detail      VARCHAR(1024),
    created_at  TIMESTAMP(3)  NOT NULL,
    CONSTRAINT fk_health_events_server FOREIGN KEY (node_id) REFERENCES servers (node_id) ON DELETE CASCADE
);
CREATE INDEX idx_health_events_node ON node_health_events (node_id, id);
