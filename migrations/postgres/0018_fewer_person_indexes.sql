-- Likely duplicates are looked up by sort key (one to one with the folded
-- name) through persons_sorted: an index fewer for every person written.
DROP INDEX persons_by_name;
