//! Youth Red Cross as an import kind: a school branch's list of pupils
//! (name, birth, sex, CCCD, phone, address, class, school year). A
//! registered person is enrolled instead of being registered twice
//! (`people::role_import`); a pupil enrolled already is skipped.

use sqlx::{Any, Transaction};

use super::{school_year, school_year_of, storage, YOUTH_MEMBERS};
use crate::audit::{self, Change};
use crate::members::model::iso;
use crate::org::service::placement;
use crate::org::{Level, Unit};
use crate::people::import as persons;
use crate::people::role_import;
use crate::toolkit::import::{ColumnSpec, ImportCtx, ImportKind, Row, RowCheck};
use crate::validation::FieldErrors;
use crate::volunteers::service::today;

pub struct YouthImport;

const CLASS: ColumnSpec = ColumnSpec::new("class_name", "youth.class_name", &["lop", "lop hoc", "class"]).required();
const YEAR: ColumnSpec = ColumnSpec::new("school_year", "youth.school_year", &["nam hoc", "school year"]);

const COLUMNS: &[ColumnSpec] = &[
    persons::FULL_NAME,
    persons::SEX,
    persons::BIRTH_DATE,
    persons::CCCD,
    persons::PHONE,
    persons::ADDRESS_COMMUNE,
    persons::ADDRESS_DETAIL,
    CLASS,
    YEAR,
];

/// A row's class and school year (empty: the current one), checked.
fn own(row: &Row, errors: &mut FieldErrors) -> (String, String) {
    let class = crate::volunteers::model::check_text(row.get("class_name"), "class_name", true, errors);
    if class.chars().count() > 30 {
        errors.insert("class_name".into(), "member.error.reason_long".into());
    }
    let year = match row.get("school_year").trim() {
        "" => school_year_of(today()),
        text => school_year(text).unwrap_or_else(|| {
            errors.insert("school_year".into(), "youth.error.school_year".into());
            String::new()
        }),
    };
    (class, year)
}

async fn check(ctx: &ImportCtx<'_>, rows: &[Row]) -> Result<Vec<RowCheck>, sqlx::Error> {
    let found = role_import::check(ctx, rows).await?;
    let holders = crate::people::roles::held_by_persons(ctx.db, super::YOUTH_MEMBERS.table, &found.existing()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (row, (mut check, skipped)) in rows.iter().zip(found.finish(ctx, &holders, "import.duplicate.youth")) {
        if !skipped {
            let mut errors = FieldErrors::new();
            own(row, &mut errors);
            check.errors.extend(errors);
        }
        out.push(check);
    }
    Ok(out)
}

async fn commit(ctx: &ImportCtx<'_>, tx: &mut Transaction<'static, Any>, rows: &[Row]) -> Result<i64, sqlx::Error> {
    let persons = role_import::persons_of_rows(ctx, tx, rows).await?;
    let joined_on = iso(today());
    let mut pupils = Vec::with_capacity(rows.len());
    for (row, person_id) in rows.iter().zip(persons) {
        let mut errors = FieldErrors::new();
        let (class, year) = own(row, &mut errors);
        if !errors.is_empty() {
            return Err(sqlx::Error::Protocol("import rows no longer valid".into()));
        }
        pupils.push((person_id, class, year));
    }
    let ids = storage::insert_many(ctx.db, tx, ctx.access, &pupils, &joined_on).await?;
    let changes = rows
        .iter()
        .zip(&pupils)
        .zip(&ids)
        .map(|((row, (_, class, year)), id)| Change {
            after: Some(serde_json::json!({ "class_name": class, "school_year": year, "unit": ctx.unit.code })),
            ..Change::new(
                "create",
                "youth_member",
                *id,
                row.get("full_name").to_owned(),
                ctx.access.placement(),
            )
        })
        .collect();
    placement::counted(tx, &YOUTH_MEMBERS, &ids, 1).await?;
    audit::record_many(ctx.db, tx, ctx.access.actor(), changes).await?;
    Ok(ids.len() as i64)
}

impl ImportKind for YouthImport {
    fn kind(&self) -> &'static str {
        "youth"
    }

    fn label_key(&self) -> &'static str {
        "import.kind.youth"
    }

    fn columns(&self) -> &'static [ColumnSpec] {
        COLUMNS
    }

    fn record_path(&self) -> &'static str {
        "/youth/"
    }

    fn committed_key(&self) -> &'static str {
        "import.committed_youth"
    }

    fn accepts(&self, unit: &Unit) -> Result<(), &'static str> {
        if unit.level == Level::Branch && unit.kind == "school" {
            Ok(())
        } else {
            Err("youth.error.not_school")
        }
    }

    fn unique_keys(&self, row: &Row) -> Vec<(&'static str, String)> {
        persons::PersonsImport.unique_keys(row)
    }

    crate::import_kind_fns!(check, commit);
}
