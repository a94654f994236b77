-- Hardening: counters kept per unit, login throttling per account and
-- address, audit entries that remember where a moved record was, and a
-- version per user and for the tree (caches). Ids are identity columns
-- already: PostgreSQL never hands one out twice.

ALTER TABLE users ADD COLUMN auth_version BIGINT NOT NULL DEFAULT 0;

ALTER TABLE audit_log ADD COLUMN prev_province_id BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_commune_id BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_branch_id BIGINT;
CREATE INDEX audit_by_prev_province ON audit_log (prev_province_id, id);
CREATE INDEX audit_by_prev_commune ON audit_log (prev_commune_id, id);
CREATE INDEX audit_by_prev_branch ON audit_log (prev_branch_id, id);

-- TRUNCATE bypasses row triggers: refuse it too.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

CREATE INDEX persons_by_unit ON persons (unit_id);

CREATE TABLE unit_counts (
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    counter     TEXT NOT NULL,
    value       BIGINT NOT NULL,
    PRIMARY KEY (unit_id, counter)
);
INSERT INTO unit_counts (unit_id, counter, value)
    SELECT province_id, 'persons', COUNT(*) FROM persons WHERE province_id IS NOT NULL GROUP BY province_id;
INSERT INTO unit_counts (unit_id, counter, value)
    SELECT commune_id, 'persons', COUNT(*) FROM persons WHERE commune_id IS NOT NULL GROUP BY commune_id;
INSERT INTO unit_counts (unit_id, counter, value)
    SELECT branch_id, 'persons', COUNT(*) FROM persons WHERE branch_id IS NOT NULL GROUP BY branch_id;

CREATE TABLE versions (
    name    TEXT PRIMARY KEY,
    value   BIGINT NOT NULL
);
INSERT INTO versions (name, value) VALUES ('tree', 0);

DROP TABLE login_failures;
CREATE TABLE login_throttle (
    throttle_key    TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    window_start    TEXT NOT NULL,
    next_allowed_at TEXT
);
CREATE INDEX login_throttle_by_window ON login_throttle (window_start);

-- Sessions keep the SHA-256 of the cookie's token (web::session): the
-- database never holds a token that would sign anyone in. Everyone signs
-- in again after this migration.
DROP TABLE sessions;
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Name search (db::name_search): besides the words and the place, the
-- index holds every pair and triple of a name's distinct words — a query of
-- one to three words is one selective term whose frequency the planner
-- knows — and the exact name as `=<name>`. The terms are those of
-- db::name_search::name_terms (a test compares the two).
CREATE FUNCTION person_name_terms(name_folded text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    w text[] := ARRAY(SELECT DISTINCT t COLLATE "C" FROM unnest(regexp_split_to_array(name_folded, '[^a-z0-9]+')) t
                      WHERE t <> '' ORDER BY 1);
    r text[] := w;
    n int := coalesce(array_length(w, 1), 0);
BEGIN
    FOR i IN 1..n LOOP
        FOR j IN i + 1..n LOOP
            r := r || (w[i] || '_' || w[j]);
            FOR k IN j + 1..n LOOP
                r := r || (w[i] || '_' || w[j] || '_' || w[k]);
            END LOOP;
        END LOOP;
    END LOOP;
    RETURN r;
END $$;

ALTER TABLE persons DROP COLUMN search_doc;
ALTER TABLE persons ADD COLUMN search_doc tsvector GENERATED ALWAYS AS (array_to_tsvector(
       person_name_terms(name_folded)
    || ('=' || name_folded)
    || array_remove(ARRAY['p' || province_id::text, 'c' || commune_id::text, 'b' || branch_id::text], NULL)
   )) STORED;
CREATE INDEX persons_search ON persons USING gin (search_doc);
