//! What a capability declares about its records' place in the tree: which
//! table holds them and what is counted per unit. Plain data; the SQL that
//! acts on it is in `org::storage::placement` and `counters`.

/// A count of records shown per unit on unit pages and dashboards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counter {
    /// Stable name, stored with each count (`persons`).
    pub name: &'static str,
    /// Catalogue key of its label (`counter.persons`).
    pub label_key: &'static str,
    /// Where one unit's records are listed: `{path}?unit=CODE`.
    pub list_path: &'static str,
    /// Also counted by sex and a year: the birth year (unit pages show
    /// age bands and a population pyramid), or the year something happened
    /// (unit pages show this year's count instead of the total).
    pub demographics: Option<Demographics>,
    /// Which rows count, on the table's own columns (`status IN ('active',
    /// 'suspended')`); empty: all. A change of those columns uncounts and
    /// counts the row again, like a move.
    pub filter: &'static str,
    /// What each row adds: empty, one; else a column of the table summed
    /// (a collective member adds its head-count).
    pub weight: &'static str,
}

impl Counter {
    /// The count's aggregate over rows read as `alias`.
    pub fn aggregate(&self, alias: &str) -> String {
        if self.weight.is_empty() {
            "COUNT(*)".to_owned()
        } else {
            // PostgreSQL sums integers as NUMERIC, which `Any` cannot read.
            format!("CAST(COALESCE(SUM({alias}.{}), 0) AS BIGINT)", self.weight)
        }
    }

    /// What one row read as `alias` adds.
    pub fn measure(&self, alias: &str) -> String {
        if self.weight.is_empty() {
            "1".to_owned()
        } else {
            format!("COALESCE({alias}.{}, 0)", self.weight)
        }
    }

    /// Shows the count of this calendar year's events (members who joined
    /// this year) rather than the running total.
    pub fn per_year(&self) -> bool {
        matches!(self.demographics, Some(Demographics { of: YearOf::Event, .. }))
    }

    /// The rows this counter counts, as a `FROM` item (to be aliased).
    pub fn source(&self, table: &str) -> String {
        if self.filter.is_empty() {
            table.to_owned()
        } else {
            format!("(SELECT * FROM {table} WHERE {})", self.filter)
        }
    }
}

/// The columns a counter is broken down by: sex (`M`/`F`) and a year
/// (nullable). Bands are computed from birth years when shown, so they age
/// with the calendar. The table is read as `t`; `join` brings in another
/// table when the columns are not its own (a member's sex and birth year
/// are its person's: `JOIN persons p ON p.id = t.person_id`, `p.sex`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Demographics {
    pub sex: &'static str,
    /// An SQL expression giving the year a row is counted under.
    pub year: &'static str,
    pub join: &'static str,
    pub of: YearOf,
}

/// What a counter's year is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YearOf {
    /// The person's birth year: the counter is shown by age band.
    Birth,
    /// The year of an event (joined, left, trained): the counter is shown
    /// as this year's count.
    Event,
}

impl Demographics {
    /// A role's person's sex and birth year (`t.person_id`).
    pub const OF_PERSON: Demographics = Demographics {
        sex: "p.sex",
        year: "p.birth_year",
        join: "JOIN persons p ON p.id = t.person_id",
        of: YearOf::Birth,
    };

    /// A role's person's sex, and the year of an event (`year`, an SQL
    /// expression on the role's row `t`).
    pub const fn of_person_event(year: &'static str) -> Self {
        Demographics {
            year,
            of: YearOf::Event,
            ..Demographics::OF_PERSON
        }
    }
}

impl Demographics {
    /// `FROM {table} t {join}`.
    pub fn from(&self, table: &str) -> String {
        format!(" FROM {table} t {}", self.join)
    }
}

/// A table whose rows belong somewhere in the tree. It carries `unit_id`
/// (the owning unit) and the placement columns `province_id`,
/// `commune_id`, `branch_id`; merges move its rows, and its counter (if
/// any) is kept per unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlacedTable {
    pub table: &'static str,
    /// What is counted of it per unit (none, one, or several: collective
    /// members are counted and their head-counts summed).
    pub counters: &'static [Counter],
    /// Its rows are roles of a record of another placed table and sit where
    /// that record sits (a membership where its person is): that record is
    /// not moved or deleted on its own while such rows exist.
    pub follows: Option<Follows>,
    /// Its rows name a record of another placed table without sitting with
    /// it (a cadre's position names its person): that record is not
    /// deleted while such rows exist, and a change of it recounts them.
    pub refers: Option<Follows>,
}

impl PlacedTable {
    /// The column of its rows naming a record of `table`, as a role or a
    /// reference.
    pub fn names(&self, table: &str) -> Option<&'static str> {
        self.follows
            .into_iter()
            .chain(self.refers)
            .find(|f| f.table == table)
            .map(|f| f.column)
    }
}

/// The record a row follows: `column` holds an id of `table`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Follows {
    pub table: &'static str,
    pub column: &'static str,
    /// Its rows carry a copy of that record's `sort_key`, so that they are
    /// listed by name from an index of their own (call-outs); placement
    /// rewrites the copy whenever the record's changes.
    pub sort_key: bool,
    /// Where its rows may sit, when not everywhere: the record they follow
    /// does not move elsewhere while it has any (pupils stay at schools).
    pub only_at: Option<OnlyAt>,
}

/// Units a role may sit at: an SQL condition on the unit row `u` for the
/// role's rows that `rows` selects (a condition on the row `f`), and the
/// catalogue keys that tell a user why their record cannot move, and why
/// the unit holding such rows cannot be merged into another kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OnlyAt {
    pub rows: &'static str,
    pub condition: &'static str,
    pub refused_key: &'static str,
    pub merge_refused_key: &'static str,
}
