//! The merge property: random trees, records and accounts, and random
//! sequences of merges, renames, closures, branch openings, record edits
//! and moves. After every step each record is readable and writable by
//! exactly the accounts whose grants cover its current place — computed
//! here from a model of the tree, independently of the application's
//! scope code — each account's list holds exactly what it may read, and
//! every unit's count equals the records placed below it.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use proptest::prelude::*;
use serde_json::json;

use crate::support::people::person_body;
use crate::support::units::*;
use crate::support::{Client, TestApp};

#[derive(Clone, Debug)]
enum Op {
    OpenBranch(usize),
    Create(usize),
    Move(usize, usize),
    Edit(usize, bool, u16),
    Delete(usize),
    Rename(usize),
    Close(usize),
    Merge {
        level: usize,
        source: usize,
        target: usize,
        move_grants: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => any::<usize>().prop_map(Op::OpenBranch),
        3 => any::<usize>().prop_map(Op::Create),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(r, u)| Op::Move(r, u)),
        2 => (any::<usize>(), any::<bool>(), 1930..2025u16).prop_map(|(r, f, y)| Op::Edit(r, f, y)),
        1 => any::<usize>().prop_map(Op::Delete),
        1 => any::<usize>().prop_map(Op::Rename),
        1 => any::<usize>().prop_map(Op::Close),
        4 => (0..3usize, any::<usize>(), any::<usize>(), any::<bool>())
            .prop_map(|(level, source, target, move_grants)| Op::Merge { level, source, target, move_grants }),
    ]
}

#[derive(Clone, Debug)]
struct ModelUnit {
    parent: Option<String>,
    level: usize, // 0 province, 1 commune, 2 branch
    active: bool,
}

/// The tree as the test believes it is.
#[derive(Default)]
struct Model {
    units: BTreeMap<String, ModelUnit>,
    records: BTreeMap<i64, String>,
    /// Account → (role, unit of its one grant).
    grants: BTreeMap<String, (&'static str, String)>,
}

impl Model {
    fn covers(&self, ancestor: &str, unit: &str) -> bool {
        let mut at = Some(unit.to_owned());
        while let Some(code) = at {
            if code == ancestor {
                return true;
            }
            at = self.units.get(&code).and_then(|u| u.parent.clone());
        }
        false
    }

    fn active(&self, level: Option<usize>) -> Vec<String> {
        self.units
            .iter()
            .filter(|(_, u)| u.active && level.is_none_or(|l| u.level == l))
            .map(|(c, _)| c.clone())
            .collect()
    }

    fn count_below(&self, unit: &str) -> usize {
        self.records.values().filter(|at| self.covers(unit, at)).count()
    }
}

fn pick<T: Clone>(items: &[T], index: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[index % items.len()].clone())
}

const ACCOUNTS: [(&str, &str, &str); 8] = [
    ("hn_admin", "admin", HA_NOI),
    ("hp_staff", "staff", HAI_PHONG),
    ("bd_staff", "staff", BA_DINH),
    ("nh_viewer", "viewer", NGOC_HA),
    ("gv_staff", "staff", GIANG_VO),
    ("td_staff", "staff", THANH_DONG),
    ("hd_viewer", "viewer", HAI_DUONG),
    ("br_staff", "staff", "branch"),
];

struct World {
    model: Model,
    central: Client,
    clients: BTreeMap<String, Client>,
    serial: u32,
}

async fn setup(app: &TestApp) -> World {
    let mut model = Model::default();
    for (code, parent) in [(HA_NOI, None), (HAI_PHONG, None)] {
        model.units.insert(
            code.into(),
            ModelUnit {
                parent,
                level: 0,
                active: true,
            },
        );
    }
    for (code, parent) in [
        (BA_DINH, HA_NOI),
        (NGOC_HA, HA_NOI),
        (GIANG_VO, HA_NOI),
        (THANH_DONG, HAI_PHONG),
        (HAI_DUONG, HAI_PHONG),
    ] {
        model.units.insert(
            code.into(),
            ModelUnit {
                parent: Some(parent.into()),
                level: 1,
                active: true,
            },
        );
    }
    let mut central = app.signed_in("trunguong", "admin", TW).await;
    let branch = crate::support::units::open_branch(&mut central, BA_DINH, "Chi hội đầu tiên").await;
    model.units.insert(
        branch.clone(),
        ModelUnit {
            parent: Some(BA_DINH.into()),
            level: 2,
            active: true,
        },
    );
    let mut clients = BTreeMap::new();
    for (name, role, unit) in ACCOUNTS {
        let unit = if unit == "branch" {
            branch.clone()
        } else {
            unit.to_owned()
        };
        clients.insert(name.to_owned(), app.signed_in(name, role, &unit).await);
        model.grants.insert(name.to_owned(), (role, unit));
    }
    World {
        model,
        central,
        clients,
        serial: 0,
    }
}

async fn apply(world: &mut World, op: &Op) {
    let World {
        model, central, serial, ..
    } = world;
    match op {
        Op::OpenBranch(i) => {
            if let Some(commune) = pick(&model.active(Some(1)), *i) {
                let code = crate::support::units::open_branch(central, &commune, "Chi hội mới").await;
                model.units.insert(
                    code,
                    ModelUnit {
                        parent: Some(commune),
                        level: 2,
                        active: true,
                    },
                );
            }
        }
        Op::Create(i) => {
            if let Some(unit) = pick(&model.active(None), *i) {
                *serial += 1;
                let created = central
                    .post_json("/api/v1/persons", &person_body("Lê Văn Minh", &unit, *serial))
                    .await;
                assert_eq!(created.status, StatusCode::CREATED, "{op:?}: {}", created.body);
                model.records.insert(created.json()["id"].as_i64().expect("id"), unit);
            }
        }
        Op::Move(r, u) => {
            let records: Vec<i64> = model.records.keys().copied().collect();
            if let (Some(id), Some(unit)) = (pick(&records, *r), pick(&model.active(None), *u)) {
                let moved = central
                    .patch_json(&format!("/api/v1/persons/{id}"), &json!({"unit": unit}))
                    .await;
                assert_eq!(moved.status, StatusCode::OK, "{op:?}: {}", moved.body);
                model.records.insert(id, unit);
            }
        }
        Op::Edit(r, female, year) => {
            let records: Vec<i64> = model.records.keys().copied().collect();
            if let Some(id) = pick(&records, *r) {
                // Sex and birth year are counted by unit: an edit moves the count.
                let sex = if *female { "F" } else { "M" };
                let body = json!({"address_detail": "Số 9", "cccd": "", "sex": sex, "birth_date": year.to_string()});
                let edited = central.patch_json(&format!("/api/v1/persons/{id}"), &body).await;
                assert_eq!(edited.status, StatusCode::OK, "{op:?}: {}", edited.body);
            }
        }
        Op::Delete(r) => {
            let records: Vec<i64> = model.records.keys().copied().collect();
            if let Some(id) = pick(&records, *r) {
                let deleted = central.delete(&format!("/api/v1/persons/{id}")).await;
                assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{op:?}: {}", deleted.body);
                model.records.remove(&id);
            }
        }
        Op::Rename(i) => {
            if let Some(unit) = pick(&model.active(None), *i) {
                let renamed = central
                    .patch_json(&format!("/api/v1/units/{unit}"), &json!({"name": "Tên mới"}))
                    .await;
                assert_eq!(renamed.status, StatusCode::OK, "{op:?}: {}", renamed.body);
            }
        }
        Op::Close(i) => {
            if let Some(branch) = pick(&model.active(Some(2)), *i) {
                let closed = central
                    .post_json(&format!("/api/v1/units/{branch}/close"), &json!({}))
                    .await;
                assert_eq!(closed.status, StatusCode::OK, "{op:?}: {}", closed.body);
                if let Some(unit) = model.units.get_mut(&branch) {
                    unit.active = false;
                }
            }
        }
        Op::Merge {
            level,
            source,
            target,
            move_grants,
        } => {
            let candidates = model.active(Some(*level));
            let (Some(s), Some(t)) = (pick(&candidates, *source), pick(&candidates, *target)) else {
                return;
            };
            if s == t {
                return;
            }
            let merged = central
                .post_json(
                    &format!("/api/v1/units/{t}/merge"),
                    &json!({"sources": [s], "move_grants": move_grants}),
                )
                .await;
            assert_eq!(merged.status, StatusCode::OK, "{op:?}: {}", merged.body);
            if let Some(unit) = model.units.get_mut(&s) {
                unit.active = false;
            }
            for unit in model.units.values_mut() {
                if unit.parent.as_deref() == Some(s.as_str()) {
                    unit.parent = Some(t.clone());
                }
            }
            for at in model.records.values_mut() {
                if *at == s {
                    *at = t.clone();
                }
            }
            if *move_grants {
                for (_, unit) in model.grants.values_mut() {
                    if *unit == s {
                        *unit = t.clone();
                    }
                }
            }
        }
    }
}

/// Every record against every account, every account's list, every count.
async fn check(world: &mut World, after: &Op) {
    let World {
        model,
        central,
        clients,
        ..
    } = world;
    for (name, client) in clients.iter_mut() {
        let (role, grant_unit) = &model.grants[name];
        let mut expected = BTreeSet::new();
        for (id, at) in &model.records {
            let reads = model.covers(grant_unit, at);
            if reads {
                expected.insert(*id);
            }
            // A stale version: 404 unreadable, 403 read-only, 409 writable.
            let probe = client
                .patch_json(&format!("/api/v1/persons/{id}"), &json!({"version": 0}))
                .await;
            let wanted = match (reads, *role) {
                (false, _) => StatusCode::NOT_FOUND,
                (true, "viewer") => StatusCode::FORBIDDEN,
                (true, _) => StatusCode::CONFLICT,
            };
            assert_eq!(
                probe.status, wanted,
                "after {after:?}: {name} ({role} @ {grant_unit}) on person {id} at {at}"
            );
        }
        let listed = client.get("/api/v1/persons").await.json();
        let listed: BTreeSet<i64> = listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|p| p["id"].as_i64())
            .collect();
        assert_eq!(listed, expected, "after {after:?}: what {name} lists");
    }
    for code in model.units.keys() {
        let unit = central.get(&format!("/api/v1/units/{code}")).await.json();
        assert_eq!(
            unit["counts"]["persons"].as_u64(),
            Some(model.count_below(code) as u64),
            "after {after:?}: count of {code}"
        );
    }
}

async fn run(ops: Vec<Op>) {
    let app = TestApp::new().await;
    let mut world = setup(&app).await;
    for seed in [0, 1, 2, 3, 4] {
        apply(&mut world, &Op::Create(seed)).await;
    }
    check(&mut world, &Op::Create(0)).await;
    for op in &ops {
        apply(&mut world, op).await;
        check(&mut world, op).await;
        let by_age = nhanai::org::service::demographic_drift(&app.db, &nhanai::people::PERSONS)
            .await
            .expect("drift");
        assert!(
            by_age.is_empty(),
            "after {op:?}: counts by sex and birth year equal the records: {by_age:?}"
        );
    }
    let drift = nhanai::org::service::counter_drift(&app.db, &nhanai::people::PERSONS)
        .await
        .expect("drift");
    assert!(drift.is_empty(), "stored counts equal the records: {drift:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 20, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn merges_never_change_who_sees_what(ops in proptest::collection::vec(op(), 4..10)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(run(ops));
    }
}
