-- A placed record's province_id, commune_id and branch_id are copies of
-- the placement of the unit it is held by (unit_id, whose foreign key
-- stays), written only by the one placement code path that moves and
-- merges records; units are closed or merged, never deleted. Checking the
-- copies against `units` on every insert cost a fifth of a bulk import's
-- insert of persons (measured in psql, 20,000 rows). SQLite keeps its
-- declarations: it cannot drop a constraint without rebuilding the table,
-- and its checks are cheap. The units table keeps its own.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.conname, c.conrelid::regclass AS tbl
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f'
          AND c.confrelid = 'units'::regclass
          AND c.conrelid <> 'units'::regclass
          AND array_length(c.conkey, 1) = 1
          AND a.attname IN ('province_id', 'commune_id', 'branch_id')
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);
    END LOOP;
END $$;
