//! Volunteers as an import kind: a commune's or branch's list (name,
//! birth, sex, CCCD, phone, address, date of joining, skills, emergency
//! contact). A registered person becomes a volunteer instead of being
//! registered twice (`people::role_import`); one who volunteers already is
//! skipped.

use sqlx::{Any, Transaction};

use super::model::{self, Skill};
use super::storage::{self, Fields};
use super::VOLUNTEERS;
use crate::audit::{self, Change};
use crate::i18n::{self, Lang};
use crate::members::model::{iso, parse_day};
use crate::org::service::placement;
use crate::org::{Level, Unit};
use crate::people::import as persons;
use crate::people::role_import;
use crate::toolkit::import::{CellKind, ColumnSpec, ImportCtx, ImportKind, Row, RowCheck};
use crate::validation::FieldErrors;

pub struct VolunteersImport;

const JOINED_ON: ColumnSpec = ColumnSpec::new(
    "joined_on",
    "volunteer.joined_on",
    &["ngay tham gia", "ngay dang ky", "tham gia tu", "joined"],
)
.of(CellKind::Date);
const SKILLS: ColumnSpec = ColumnSpec::new(
    "skills",
    "volunteer.skills",
    &["ky nang", "chuyen mon", "nang luc", "skills"],
);
const EMERGENCY_NAME: ColumnSpec = ColumnSpec::new(
    "emergency_name",
    "volunteer.emergency_name",
    &[
        "nguoi lien he khan cap",
        "lien he khan cap",
        "nguoi than",
        "emergency contact",
    ],
);
const EMERGENCY_PHONE: ColumnSpec = ColumnSpec::new(
    "emergency_phone",
    "volunteer.emergency_phone",
    &[
        "dien thoai khan cap",
        "sdt khan cap",
        "sdt nguoi than",
        "dien thoai nguoi than",
        "emergency phone",
    ],
)
.of(CellKind::Digits { width: 10 });

const COLUMNS: &[ColumnSpec] = &[
    persons::FULL_NAME,
    persons::SEX,
    persons::BIRTH_DATE,
    persons::CCCD,
    persons::PHONE,
    persons::ADDRESS_COMMUNE,
    persons::ADDRESS_DETAIL,
    JOINED_ON,
    SKILLS,
    EMERGENCY_NAME,
    EMERGENCY_PHONE,
];

/// Skills as lists write them: their names in Vietnamese or English,
/// accents optional, separated by commas, semicolons or new lines.
fn skills(text: &str) -> Result<Vec<Skill>, String> {
    let mut out = Vec::new();
    for token in text.split([',', ';', '\n', '/', '+']).map(crate::text::fold) {
        let token = token.trim();
        if token.is_empty() {
            continue;
        }
        let found = Skill::ALL.iter().copied().find(|s| {
            token == s.as_str()
                || [Lang::Vi, Lang::En]
                    .iter()
                    .any(|l| crate::text::fold(i18n::t(*l, s.label_key())) == token)
        });
        match found {
            Some(skill) => out.push(skill),
            None => return Err(token.to_owned()),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// A row's own fields, checked.
struct Own {
    joined_on: String,
    skills: Vec<Skill>,
    emergency: (String, String),
}

fn own(row: &Row, errors: &mut FieldErrors) -> Own {
    let joined = match row.get("joined_on").trim() {
        "" => Some(super::service::today()),
        text => parse_day(text, super::service::today(), "joined_on", errors),
    };
    let skills = skills(row.get("skills")).unwrap_or_else(|_| {
        errors.insert("skills".into(), "volunteer.error.choice".into());
        Vec::new()
    });
    let emergency = model::check_emergency(row.get("emergency_name"), row.get("emergency_phone"), errors);
    Own {
        joined_on: joined.map(iso).unwrap_or_default(),
        skills,
        emergency,
    }
}

async fn check(ctx: &ImportCtx<'_>, rows: &[Row]) -> Result<Vec<RowCheck>, sqlx::Error> {
    let found = role_import::check(ctx, rows).await?;
    let holders = crate::people::roles::held_by_persons(ctx.db, super::VOLUNTEERS.table, &found.existing()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (row, (mut check, skipped)) in rows
        .iter()
        .zip(found.finish(ctx, &holders, "import.duplicate.volunteer"))
    {
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
    let mut owns = Vec::with_capacity(rows.len());
    for row in rows {
        let mut errors = FieldErrors::new();
        owns.push(own(row, &mut errors));
        if !errors.is_empty() {
            return Err(sqlx::Error::Protocol("import rows no longer valid".into()));
        }
    }
    let new: Vec<storage::NewVolunteer> = owns
        .iter()
        .zip(persons)
        .map(|(own, person_id)| storage::NewVolunteer {
            person_id,
            joined_on: &own.joined_on,
            fields: Fields {
                availability: &[],
                away_until: None,
                emergency_name: &own.emergency.0,
                emergency_phone: &own.emergency.1,
                note: "",
                skills: &own.skills,
            },
        })
        .collect();
    let ids = storage::insert_many(ctx.db, tx, ctx.access, &new).await?;
    let changes = rows
        .iter()
        .zip(&owns)
        .zip(&ids)
        .map(|((row, own), id)| Change {
            after: Some(serde_json::json!({
                "joined_on": own.joined_on, "unit": ctx.unit.code, "skills": Skill::join(&own.skills),
            })),
            ..Change::new(
                "create",
                "volunteer",
                *id,
                row.get("full_name").to_owned(),
                ctx.access.placement(),
            )
        })
        .collect();
    placement::counted(tx, &VOLUNTEERS, &ids, 1).await?;
    audit::record_many(ctx.db, tx, ctx.access.actor(), changes).await?;
    Ok(ids.len() as i64)
}

impl ImportKind for VolunteersImport {
    fn kind(&self) -> &'static str {
        "volunteers"
    }

    fn label_key(&self) -> &'static str {
        "import.kind.volunteers"
    }

    fn columns(&self) -> &'static [ColumnSpec] {
        COLUMNS
    }

    fn record_path(&self) -> &'static str {
        "/volunteers/"
    }

    fn committed_key(&self) -> &'static str {
        "import.committed_volunteers"
    }

    fn accepts(&self, unit: &Unit) -> Result<(), &'static str> {
        if matches!(unit.level, Level::Commune | Level::Branch) {
            Ok(())
        } else {
            Err("volunteer.error.not_local")
        }
    }

    fn unique_keys(&self, row: &Row) -> Vec<(&'static str, String)> {
        persons::PersonsImport.unique_keys(row)
    }

    crate::import_kind_fns!(check, commit);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills_are_read_in_either_language_without_accents() {
        assert_eq!(
            skills("Sơ cấp cứu, lai xe; IT"),
            Ok(vec![Skill::FirstAid, Skill::Driving, Skill::It])
        );
        assert_eq!(skills(""), Ok(vec![]));
        assert_eq!(skills("bay"), Err("bay".into()));
    }

    #[test]
    fn volunteer_lists_name_their_columns() {
        use crate::toolkit::import::headers::guess;
        for (header, key) in [
            ("Kỹ năng", "skills"),
            ("Điện thoại khẩn cấp", "emergency_phone"),
            ("Người liên hệ khẩn cấp", "emergency_name"),
            ("Điện thoại", "phone"),
            ("Ngày tham gia", "joined_on"),
        ] {
            assert_eq!(guess(header, COLUMNS), Some(key), "{header}");
        }
    }
}
