//! Members as an import kind: a branch's list (name, birth, sex, CCCD,
//! phone, address, date of joining, card number). A row whose person is
//! already registered — the same CCCD, or the same name, birth and commune
//! inside the user's units — enrols that person instead of registering
//! them twice; a person registered outside the user's units is not
//! enrolled (the branch holding them must transfer them); someone already
//! a member is skipped.

use std::collections::HashSet;

use sqlx::{Any, Transaction};

use super::model;
use super::storage;
use super::MEMBERS;
use crate::audit::{self, Change};
use crate::org::service::placement;
use crate::org::{Level, Unit};
use crate::people::import as persons;
use crate::people::role_import;
use crate::toolkit::import::{CellKind, ColumnSpec, ImportCtx, ImportKind, Row, RowCheck};

pub struct MembersImport;

const JOINED_ON: ColumnSpec = ColumnSpec::new(
    "joined_on",
    "member.joined_on",
    &["ngay vao hoi", "ngay ket nap", "ngay gia nhap", "vao hoi", "joined"],
)
.of(CellKind::Date)
.required();
const MEMBER_NO: ColumnSpec = ColumnSpec::new(
    "member_no",
    "member.member_no",
    &[
        "so the",
        "so the hoi vien",
        "ma hoi vien",
        "so hoi vien",
        "member number",
    ],
);

const COLUMNS: &[ColumnSpec] = &[
    persons::FULL_NAME,
    persons::SEX,
    persons::BIRTH_DATE,
    persons::CCCD,
    persons::PHONE,
    persons::ADDRESS_COMMUNE,
    persons::ADDRESS_DETAIL,
    JOINED_ON,
    MEMBER_NO,
];

/// A card number as branches write them: letters, digits, `-` and `/`.
fn valid_number(number: &str) -> bool {
    let systems_own = match (number.get(..2), number.get(2..)) {
        (Some(prefix), Some(digits)) => {
            prefix.eq_ignore_ascii_case("hv") && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    };
    !number.is_empty()
        && number.len() <= 20
        && number.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'/')
        // Numbers of the form the system gives are the system's own.
        && !systems_own
}

async fn check(ctx: &ImportCtx<'_>, rows: &[Row]) -> Result<Vec<RowCheck>, sqlx::Error> {
    let found = role_import::check(ctx, rows).await?;
    let members = crate::people::roles::held_by_persons(ctx.db, super::MEMBERS.table, &found.existing()).await?;
    let numbers: Vec<String> = rows
        .iter()
        .map(|r| r.get("member_no").trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    let taken: HashSet<String> = storage::numbers_taken(ctx.db, &numbers).await?.into_iter().collect();
    let today = super::service::today();
    let mut out = Vec::with_capacity(rows.len());
    for (row, (mut check, skipped)) in rows.iter().zip(found.finish(ctx, &members, "import.duplicate.member")) {
        if !skipped {
            let mut fields = crate::validation::FieldErrors::new();
            model::parse_day(row.get("joined_on"), today, "joined_on", &mut fields);
            let number = row.get("member_no").trim();
            if !number.is_empty() && !valid_number(number) {
                fields.insert("member_no".into(), "member.error.number_format".into());
            } else if taken.contains(number) {
                fields.insert("member_no".into(), "member.error.number_taken".into());
            }
            check.errors.extend(fields);
        }
        out.push(check);
    }
    Ok(out)
}

async fn commit(ctx: &ImportCtx<'_>, tx: &mut Transaction<'static, Any>, rows: &[Row]) -> Result<i64, sqlx::Error> {
    let changed = || sqlx::Error::Protocol("import rows no longer valid".into());
    let started = std::time::Instant::now();
    let persons = role_import::persons_of_rows(ctx, tx, rows).await?;
    let persons_done = started.elapsed();
    let today = super::service::today();
    let mut joined = Vec::with_capacity(rows.len());
    for (row, person_id) in rows.iter().zip(&persons) {
        let mut errors = crate::validation::FieldErrors::new();
        let day = model::parse_day(row.get("joined_on"), today, "joined_on", &mut errors).ok_or_else(changed)?;
        let number = Some(row.get("member_no").trim()).filter(|n| !n.is_empty());
        joined.push((*person_id, model::iso(day), number.map(str::to_owned)));
    }
    let username = ctx.user.username();
    let created = storage::insert_joined_many(ctx.db, tx, ctx.access, &joined, username).await?;
    let inserted = started.elapsed();
    let mut changes = Vec::with_capacity(rows.len());
    let mut ids = Vec::with_capacity(rows.len());
    for (row, (person_id, joined_on, _)) in rows.iter().zip(joined) {
        let id = *created.get(&person_id).ok_or_else(changed)?;
        changes.push(Change {
            after: Some(serde_json::json!({ "person": person_id, "joined_on": joined_on, "unit": ctx.unit.code })),
            ..Change::new(
                "create",
                "member",
                id,
                row.get("full_name").to_owned(),
                ctx.access.placement(),
            )
        });
        ids.push(id);
    }
    placement::counted(tx, &MEMBERS, &ids, 1).await?;
    let counted = started.elapsed();
    audit::record_many(ctx.db, tx, ctx.access.actor(), changes).await?;
    tracing::debug!(
        persons_s = persons_done.as_secs_f64(),
        insert_s = (inserted - persons_done).as_secs_f64(),
        count_s = (counted - inserted).as_secs_f64(),
        audit_s = (started.elapsed() - counted).as_secs_f64(),
        "members imported"
    );
    Ok(ids.len() as i64)
}

impl ImportKind for MembersImport {
    fn kind(&self) -> &'static str {
        "members"
    }

    fn label_key(&self) -> &'static str {
        "import.kind.members"
    }

    fn columns(&self) -> &'static [ColumnSpec] {
        COLUMNS
    }

    fn record_path(&self) -> &'static str {
        "/members/"
    }

    fn committed_key(&self) -> &'static str {
        "import.committed_members"
    }

    fn accepts(&self, unit: &Unit) -> Result<(), &'static str> {
        if unit.level == Level::Branch {
            Ok(())
        } else {
            Err("member.error.not_a_branch")
        }
    }

    fn unique_keys(&self, row: &Row) -> Vec<(&'static str, String)> {
        let mut keys = persons::PersonsImport.unique_keys(row);
        let number = row.get("member_no").trim();
        if !number.is_empty() {
            keys.push(("member_no", number.to_owned()));
        }
        keys
    }

    crate::import_kind_fns!(check, commit);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_are_short_plain_and_not_the_systems_own() {
        assert!(valid_number("HN-0123"));
        assert!(valid_number("12/2020"));
        assert!(!valid_number("HV00000042"));
        assert!(!valid_number("hv123456789"));
        assert!(!valid_number("#new-42"));
        assert!(!valid_number("số 5"));
        assert!(!valid_number(&"9".repeat(21)));
    }

    #[test]
    fn branch_lists_name_the_member_columns() {
        use crate::toolkit::import::headers::guess;
        for (header, key) in [
            ("Ngày vào Hội", "joined_on"),
            ("Số thẻ", "member_no"),
            ("Họ và tên", "full_name"),
        ] {
            assert_eq!(guess(header, COLUMNS), Some(key), "{header}");
        }
    }
}
