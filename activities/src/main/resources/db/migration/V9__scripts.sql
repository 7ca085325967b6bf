-- Dialogue scripts: every uploaded version kept (versions are immutable; nodes download one by
-- script id and version). The YAML was validated before it was stored.
CREATE TABLE scripts (
    script_id    VARCHAR(128)  NOT NULL,
    version      VARCHAR(128)  NOT NULL,
    revision     INT           NOT NULL,
    yaml         MEDIUMTEXT    NOT NULL,
    sha256       CHAR(64)      NOT NULL,
    description  VARCHAR(1024),
    scene_count  INT           NOT NULL,
    created_at   TIMESTAMP(3)  NOT NULL,
    PRIMARY KEY (script_id, version),
    CONSTRAINT uq_scripts_revision UNIQUE (script_id, revision)
);
