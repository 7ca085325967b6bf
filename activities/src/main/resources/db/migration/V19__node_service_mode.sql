-- How a node's worker-node agent runs. service_mode is what the operator asked for (auto, systemd, pidfile;
-- NULL: the global groupai.nodes.service-mode); node_service is what bootstrap installed (systemd,
-- systemd-user, pidfile; NULL: not bootstrapped since, which is the pid-file mode of earlier versions).
ALTER TABLE servers ADD COLUMN service_mode VARCHAR(16) NULL;
ALTER TABLE servers ADD COLUMN node_service VARCHAR(16) NULL;
