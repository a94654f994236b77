-- Counters of events by year (org::placed::YearOf::Event): members who
-- joined and whose membership ended, by the year it happened, and cadres
-- in office by the year of their last completed course. Unit pages show
-- this year's. Counted here once for the records that exist; kept on
-- write after.

-- The day a membership ended: its first move to left or deceased (a
-- member who left and later died ended the day they left). Memberships
-- that ended before this column existed take their last status day.
ALTER TABLE members ADD COLUMN left_on TEXT;
UPDATE members SET left_on = status_on WHERE status IN ('left', 'deceased');

INSERT INTO unit_counts (unit_id, counter, value)
    SELECT t.province_id, 'members_joined', COUNT(*) FROM members t
    WHERE t.province_id IS NOT NULL GROUP BY t.province_id;
INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value)
    SELECT t.province_id, 'members_joined', p.sex, COALESCE(CAST(substr(t.joined_on, 1, 4) AS INTEGER), 0), COUNT(*)
    FROM members t JOIN persons p ON p.id = t.person_id
    WHERE t.province_id IS NOT NULL GROUP BY t.province_id, p.sex, COALESCE(CAST(substr(t.joined_on, 1, 4) AS INTEGER), 0);
INSERT INTO unit_counts (unit_id, counter, value)
    SELECT t.commune_id, 'members_joined', COUNT(*) FROM members t
    WHERE t.commune_id IS NOT NULL GROUP BY t.commune_id;
INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value)
    SELECT t.commune_id, 'members_joined', p.sex, COALESCE(CAST(substr(t.joined_on, 1, 4) AS INTEGER), 0), COUNT(*)
    FROM members t JOIN persons p ON p.id = t.person_id
    WHERE t.commune_id IS NOT NULL GROUP BY t.commune_id, p.sex, COALESCE(CAST(substr(t.joined_on, 1, 4) AS INTEGER), 0);
INSERT INTO unit_counts (unit_id, counter, value)
    SELECT t.branch_id, 'members_joined', COUNT(*) FROM members t
    WHERE t.branch_id IS NOT NULL GROUP BY t.branch_id;
INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value)
    SELECT t.branch_id, 'members_joined', p.sex, COALESCE(CAST(substr(t.joined_on, 1, 4) AS INTEGER), 0), COUNT(*)
    FROM members t JOIN persons p ON p.id = t.person_id
    WHERE t.branch_id IS NOT NULL GROUP BY t.branch_id, p.sex, COALESCE(CAST(substr(t.joined_on, 1, 4) AS INTEGER), 0);
INSERT INTO unit_counts (unit_id, counter, value)
    SELECT t.province_id, 'members_left', COUNT(*) FROM members t
    WHERE t.province_id IS NOT NULL AND t.status IN ('left', 'deceased') GROUP BY t.province_id;
INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value)
    SELECT t.province_id, 'members_left', p.sex, COALESCE(CAST(substr(t.left_on, 1, 4) AS INTEGER), 0), COUNT(*)
    FROM members t JOIN persons p ON p.id = t.person_id
    WHERE t.province_id IS NOT NULL AND t.status IN ('left', 'deceased') GROUP BY t.province_id, p.sex, COALESCE(CAST(substr(t.left_on, 1, 4) AS INTEGER), 0);
INSERT INTO unit_counts (unit_id, counter, value)
    SELECT t.commune_id, 'members_left', COUNT(*) FROM members t
    WHERE t.commune_id IS NOT NULL AND t.status IN ('left', 'deceased') GROUP BY t.commune_id;
INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value)
    SELECT t.commune_id, 'members_left', p.sex, COALESCE(CAST(substr(t.left_on, 1, 4) AS INTEGER), 0), COUNT(*)
    FROM members t JOIN persons p ON p.id = t.person_id
    WHERE t.commune_id IS NOT NULL AND t.status IN ('left', 'deceased') GROUP BY t.commune_id, p.sex, COALESCE(CAST(substr(t.left_on, 1, 4) AS INTEGER), 0);
INSERT INTO unit_counts (unit_id, counter, value)
    SELECT t.branch_id, 'members_left', COUNT(*) FROM members t
    WHERE t.branch_id IS NOT NULL AND t.status IN ('left', 'deceased') GROUP BY t.branch_id;
INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value)
    SELECT t.branch_id, 'members_left', p.sex, COALESCE(CAST(substr(t.left_on, 1, 4) AS INTEGER), 0), COUNT(*)
    FROM members t JOIN persons p ON p.id = t.person_id
    WHERE t.branch_id IS NOT NULL AND t.status IN ('left', 'deceased') GROUP BY t.branch_id, p.sex, COALESCE(CAST(substr(t.left_on, 1, 4) AS INTEGER), 0);
INSERT INTO unit_counts (unit_id, counter, value)
    SELECT t.province_id, 'cadres_trained', COUNT(*) FROM cadre_positions t
    WHERE t.province_id IS NOT NULL AND t.status = 'current' GROUP BY t.province_id;
INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value)
    SELECT t.province_id, 'cadres_trained', p.sex, COALESCE((SELECT CAST(MAX(substr(k.ends_on, 1, 4)) AS INTEGER) FROM course_attendance a JOIN training_courses k ON k.id = a.course_id WHERE a.person_id = t.person_id AND a.result <> 'failed'), 0), COUNT(*)
    FROM cadre_positions t JOIN persons p ON p.id = t.person_id
    WHERE t.province_id IS NOT NULL AND t.status = 'current' GROUP BY t.province_id, p.sex, COALESCE((SELECT CAST(MAX(substr(k.ends_on, 1, 4)) AS INTEGER) FROM course_attendance a JOIN training_courses k ON k.id = a.course_id WHERE a.person_id = t.person_id AND a.result <> 'failed'), 0);
INSERT INTO unit_counts (unit_id, counter, value)
    SELECT t.commune_id, 'cadres_trained', COUNT(*) FROM cadre_positions t
    WHERE t.commune_id IS NOT NULL AND t.status = 'current' GROUP BY t.commune_id;
INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value)
    SELECT t.commune_id, 'cadres_trained', p.sex, COALESCE((SELECT CAST(MAX(substr(k.ends_on, 1, 4)) AS INTEGER) FROM course_attendance a JOIN training_courses k ON k.id = a.course_id WHERE a.person_id = t.person_id AND a.result <> 'failed'), 0), COUNT(*)
    FROM cadre_positions t JOIN persons p ON p.id = t.person_id
    WHERE t.commune_id IS NOT NULL AND t.status = 'current' GROUP BY t.commune_id, p.sex, COALESCE((SELECT CAST(MAX(substr(k.ends_on, 1, 4)) AS INTEGER) FROM course_attendance a JOIN training_courses k ON k.id = a.course_id WHERE a.person_id = t.person_id AND a.result <> 'failed'), 0);
INSERT INTO unit_counts (unit_id, counter, value)
    SELECT t.branch_id, 'cadres_trained', COUNT(*) FROM cadre_positions t
    WHERE t.branch_id IS NOT NULL AND t.status = 'current' GROUP BY t.branch_id;
INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value)
    SELECT t.branch_id, 'cadres_trained', p.sex, COALESCE((SELECT CAST(MAX(substr(k.ends_on, 1, 4)) AS INTEGER) FROM course_attendance a JOIN training_courses k ON k.id = a.course_id WHERE a.person_id = t.person_id AND a.result <> 'failed'), 0), COUNT(*)
    FROM cadre_positions t JOIN persons p ON p.id = t.person_id
    WHERE t.branch_id IS NOT NULL AND t.status = 'current' GROUP BY t.branch_id, p.sex, COALESCE((SELECT CAST(MAX(substr(k.ends_on, 1, 4)) AS INTEGER) FROM course_attendance a JOIN training_courses k ON k.id = a.course_id WHERE a.person_id = t.person_id AND a.result <> 'failed'), 0);
