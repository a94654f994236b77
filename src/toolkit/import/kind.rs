//! What a capability declares to have its records imported: a kind name,
//! its columns (with the header spellings that name them and how a cell is
//! read), a check of rows (errors per column, likely duplicates) and the
//! commit of checked rows inside the import's transaction. The toolkit
//! does the rest: files, header rows, mappings, previews, jobs, audit.

use std::collections::BTreeMap;

use futures_util::future::BoxFuture;
use sqlx::{Any, Transaction};

use crate::access::{Access, Principal};
use crate::db::Db;
use crate::org::Unit;

/// How a column's cells are turned into text for the kind's validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    Text,
    /// Birth dates and other days: Excel date cells become `dd/mm/yyyy`, a
    /// whole number from 1800 to 2200 is a year, other numbers are Excel
    /// serial days.
    Date,
    /// Numbers written as digits (CCCD, phone): a number cell is written
    /// without decimals and padded with leading zeros up to `width` digits
    /// (Excel drops the zero a CCCD or a phone number starts with).
    Digits {
        width: usize,
    },
}

/// One column a kind reads.
#[derive(Clone, Copy, Debug)]
pub struct ColumnSpec {
    /// Field name, as the kind's validation reports errors (`full_name`).
    pub key: &'static str,
    /// Catalogue key of its label.
    pub label_key: &'static str,
    /// Folded header spellings that name it (`"ho va ten"`, `"sdt"`).
    pub aliases: &'static [&'static str],
    pub cell: CellKind,
    /// Several sheet columns may fill it, joined with ", " (address parts).
    pub joins: bool,
    /// The kind cannot do without it: the preview says so until mapped.
    pub required: bool,
    /// Column titles that stand for one of its values: (title in lower
    /// case with its accents, value). Under "Giới tính", a column "Nữ"
    /// ticked means "Nữ" (`target`, `two_rows`).
    pub marks: &'static [(&'static str, &'static str)],
}

impl ColumnSpec {
    pub const fn new(key: &'static str, label_key: &'static str, aliases: &'static [&'static str]) -> ColumnSpec {
        ColumnSpec {
            key,
            label_key,
            aliases,
            cell: CellKind::Text,
            joins: false,
            required: false,
            marks: &[],
        }
    }

    pub const fn of(mut self, cell: CellKind) -> ColumnSpec {
        self.cell = cell;
        self
    }

    pub const fn joined(mut self) -> ColumnSpec {
        self.joins = true;
        self
    }

    pub const fn required(mut self) -> ColumnSpec {
        self.required = true;
        self
    }

    pub const fn marked(mut self, marks: &'static [(&'static str, &'static str)]) -> ColumnSpec {
        self.marks = marks;
        self
    }
}

/// One data row as the kind sees it: its row number in the sheet (as
/// Excel shows it) and the text of each mapped column.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub number: i64,
    pub values: BTreeMap<&'static str, String>,
    /// At commit: the existing record the row's check found it builds on
    /// (`RowCheck::reuses`), so that the commit need not look it up again.
    pub reuses: Option<i64>,
}

impl Row {
    pub fn get(&self, key: &str) -> &str {
        self.values.get(key).map_or("", String::as_str)
    }
}

/// An existing record a row probably is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Duplicate {
    /// The record's id when the user may open it; otherwise absent.
    pub record_id: Option<i64>,
    /// What the user is shown of it (a name) — empty when not visible.
    pub label: String,
    /// Catalogue key of why it matches.
    pub reason: String,
}

/// What checking a row found: errors by column key (catalogue keys), and
/// existing records it duplicates (such a row is skipped at commit).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowCheck {
    pub errors: Vec<(String, String)>,
    pub duplicates: Vec<Duplicate>,
    /// An existing record the row builds on instead of creating it (the
    /// registered person a member's row enrols). Not a duplicate: the row
    /// is committed, and its commit reads this from `Row::reuses`. One
    /// record is built on by one row of a file at most: a later row naming
    /// it again is an error (`import.error.same_person`) on the kind's
    /// first column.
    pub reuses: Option<i64>,
}

/// Who imports, into which unit, with the proof that they may write there.
pub struct ImportCtx<'a> {
    pub db: &'a Db,
    pub user: &'a Principal,
    pub unit: &'a Unit,
    pub access: &'a Access,
    /// Every placed table: a person given a role moves with their roles.
    pub placed: &'a [crate::org::PlacedTable],
    /// The record the import goes into (`ImportKind::target_key`).
    pub target: Option<i64>,
}

/// An import kind, declared by the capability that owns the records.
pub trait ImportKind: Send + Sync + 'static {
    /// As in `POST /api/v1/imports` (`kind=persons`).
    fn kind(&self) -> &'static str;
    /// Catalogue key of what is imported ("Danh sách người").
    fn label_key(&self) -> &'static str;
    fn columns(&self) -> &'static [ColumnSpec];
    /// Where a record's page is (`/persons/`): duplicates link there.
    fn record_path(&self) -> &'static str;
    /// Catalogue key of "done: {count} … added" once committed.
    fn committed_key(&self) -> &'static str {
        "import.committed"
    }
    /// Whether records of this kind go into `unit` (members only into a
    /// branch); the catalogue key of the refusal otherwise.
    fn accepts(&self, _unit: &Unit) -> Result<(), &'static str> {
        Ok(())
    }
    /// For kinds whose imports go into a record of the unit (a bank
    /// statement into its account): the catalogue key of the refusal when
    /// none, or not one the unit holds, is given. None: no target.
    fn target_key(&self) -> Option<&'static str> {
        None
    }
    /// Whether the record `id` may take this import into `unit`.
    fn accepts_target<'a>(
        &'a self,
        _db: &'a Db,
        _unit: &'a Unit,
        _id: i64,
    ) -> BoxFuture<'a, Result<bool, sqlx::Error>> {
        Box::pin(async { Ok(false) })
    }
    /// Rows are checked all together, not a chunk at a time (rows that
    /// read with the ones around them: a statement's continued lines).
    fn whole_file(&self) -> bool {
        false
    }
    /// What must not repeat within one file, per row: (column key, key).
    /// A later row with the same key is an error on that column.
    fn unique_keys(&self, _row: &Row) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    /// Checks `rows` (validation, and likely duplicates of existing
    /// records, linked where the user may see them). Called a chunk of
    /// the file at a time.
    fn check<'a>(
        &'a self,
        ctx: &'a ImportCtx<'a>,
        rows: &'a [Row],
    ) -> BoxFuture<'a, Result<Vec<RowCheck>, sqlx::Error>>;
    /// Creates the records of `rows` (checked, without errors or
    /// duplicates) in `tx`, with their audit entries; returns how many.
    fn commit<'a>(
        &'a self,
        ctx: &'a ImportCtx<'a>,
        tx: &'a mut Transaction<'static, Any>,
        rows: &'a [Row],
    ) -> BoxFuture<'a, Result<i64, sqlx::Error>>;
}

/// The two async methods of an `ImportKind` whose check and commit are the
/// module's `check(ctx, rows)` and `commit(ctx, tx, rows)` functions.
#[macro_export]
macro_rules! import_kind_fns {
    ($check:path, $commit:path) => {
        fn check<'a>(
            &'a self,
            ctx: &'a $crate::toolkit::import::ImportCtx<'a>,
            rows: &'a [$crate::toolkit::import::Row],
        ) -> futures_util::future::BoxFuture<'a, Result<Vec<$crate::toolkit::import::RowCheck>, sqlx::Error>> {
            Box::pin($check(ctx, rows))
        }

        fn commit<'a>(
            &'a self,
            ctx: &'a $crate::toolkit::import::ImportCtx<'a>,
            tx: &'a mut sqlx::Transaction<'static, sqlx::Any>,
            rows: &'a [$crate::toolkit::import::Row],
        ) -> futures_util::future::BoxFuture<'a, Result<i64, sqlx::Error>> {
            Box::pin($commit(ctx, tx, rows))
        }
    };
}
