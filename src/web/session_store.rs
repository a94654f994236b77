//! tower-sessions store on our own database pool, so sessions live in the
//! shared database and any server behind a load balancer can serve any
//! request. (tower-sessions-sqlx-store has no `sqlx::Any` backend.)

use async_trait::async_trait;
use sqlx::Row;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use crate::db::{self, Db, Sql};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> DbSessionStore {
        DbSessionStore { db }
    }
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(record).map_err(|e| session_store::Error::Encode(e.to_string()))
}

/// The user a session belongs to, kept in its own column.
fn user_of(record: &Record) -> Option<i64> {
    record
        .data
        .get(super::auth::SESSION_USER)
        .and_then(serde_json::Value::as_i64)
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let mut sql = Sql::new("INSERT INTO sessions (id, data, user_id, expires_at) VALUES (");
            sql.bind(record.id.to_string()).push(", ").bind(encode(record)?);
            sql.push(", ")
                .bind(user_of(record))
                .push(", ")
                .bind(record.expiry_date.unix_timestamp())
                .push(")");
            match sql.execute(self.db.pool()).await {
                Ok(_) => return Ok(()),
                Err(e) if db::is_unique_violation(&e) => record.id = Id::default(),
                Err(e) => return Err(backend(e)),
            }
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let mut sql = Sql::new("INSERT INTO sessions (id, data, user_id, expires_at) VALUES (");
        sql.bind(record.id.to_string()).push(", ").bind(encode(record)?);
        sql.push(", ")
            .bind(user_of(record))
            .push(", ")
            .bind(record.expiry_date.unix_timestamp());
        sql.push(") ON CONFLICT (id) DO UPDATE SET data = excluded.data, user_id = excluded.user_id, ");
        sql.push("expires_at = excluded.expires_at");
        sql.execute(self.db.pool()).await.map(drop).map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut sql = Sql::new("SELECT data FROM sessions WHERE id = ");
        sql.bind(id.to_string())
            .push(" AND expires_at > ")
            .bind(OffsetDateTime::now_utc().unix_timestamp());
        let Some(row) = sql.fetch_optional(self.db.pool()).await.map_err(backend)? else {
            return Ok(None);
        };
        let data: String = row.try_get(0).map_err(backend)?;
        serde_json::from_str(&data)
            .map(Some)
            .map_err(|e| session_store::Error::Decode(e.to_string()))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let mut sql = Sql::new("DELETE FROM sessions WHERE id = ");
        sql.bind(id.to_string());
        sql.execute(self.db.pool()).await.map(drop).map_err(backend)
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let mut sql = Sql::new("DELETE FROM sessions WHERE expires_at <= ");
        sql.bind(OffsetDateTime::now_utc().unix_timestamp());
        sql.execute(self.db.pool()).await.map(drop).map_err(backend)
    }
}
