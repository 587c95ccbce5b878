//! tower-sessions storage in the chat database (SQLite or PostgreSQL), so
//! sessions survive restarts and are shared by every server process.
//!
//! Only signing in creates a record ([`SessionStore::create`]). Saving
//! updates a record that exists and never writes one back that a sign-out,
//! expiry or removal deleted meanwhile: a request that started before the
//! sign-out cannot bring the session back when it finishes.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use parking_lot::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use crate::server::entities::session;

/// An unchanged session's expiry is written back at most this often (or a
/// quarter of the idle time, if shorter): idle expiry is extended on every
/// request, and a write per page view would make reading the chat a stream
/// of database writes.
const EXPIRY_REFRESH: time::Duration = time::Duration::minutes(10);
/// Sessions whose last write this process remembers, beyond which it forgets
/// them all (the next save of each is then written, nothing worse).
const REMEMBERED: usize = 100_000;
/// Sessions this process deleted, remembered (the newest so many) so that a
/// request that read one just before cannot put it back in the cache.
const ENDED: usize = 16_384;

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    /// What each session last looked like in the database.
    written: Arc<Mutex<HashMap<Id, Written>>>,
    /// Sessions this process deleted (newest last).
    ended: Arc<Mutex<Ended>>,
    refresh: time::Duration,
    /// Whether this process is the only one using these sessions, so that
    /// what it wrote last is what the database holds.
    exclusive: bool,
}

#[derive(Debug, Default)]
struct Ended {
    order: VecDeque<Id>,
    ids: HashSet<Id>,
}

impl Ended {
    fn insert(&mut self, id: Id) {
        if self.ids.insert(id) {
            self.order.push_back(id);
        }
        while self.order.len() > ENDED {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
    }
}

#[derive(Debug)]
struct Written {
    /// The data's hash.
    hash: u64,
    expiry: time::OffsetDateTime,
    /// The whole record, kept when the store is exclusive: loading it again
    /// then needs no query.
    record: Option<Record>,
}

impl DbSessionStore {
    /// A store for sessions that expire after `idle` without a request.
    pub fn new(db: DatabaseConnection, idle: std::time::Duration) -> Self {
        let quarter = time::Duration::try_from(idle / 4).unwrap_or(EXPIRY_REFRESH);
        DbSessionStore {
            db,
            written: Arc::default(),
            ended: Arc::default(),
            refresh: quarter.min(EXPIRY_REFRESH),
            exclusive: false,
        }
    }

    /// Declares this process the only one using the sessions (no other
    /// server shares the database): sessions are then read from memory once
    /// loaded or written, since nothing else can change or end them.
    pub fn exclusive(mut self, exclusive: bool) -> Self {
        self.exclusive = exclusive;
        self
    }

    fn written(&self) -> parking_lot::MutexGuard<'_, HashMap<Id, Written>> {
        self.written.lock()
    }

    fn ended(&self) -> parking_lot::MutexGuard<'_, Ended> {
        self.ended.lock()
    }

    /// Whether this process deleted session `id` (a sign-out, a replaced
    /// session): it must not come back.
    pub fn has_ended(&self, id: &Id) -> bool {
        self.ended().ids.contains(id)
    }

    /// When each of `ids` that still exists expires, read from the database
    /// itself (never the cache, which another process or a command may have
    /// made stale: sessions not found are forgotten here too).
    pub async fn expiries(
        &self,
        ids: &[Id],
    ) -> Result<HashMap<Id, time::OffsetDateTime>, sea_orm::DbErr> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(500) {
            let keys: Vec<String> = chunk.iter().map(Id::to_string).collect();
            let rows: Vec<(String, DateTime<Utc>)> = session::Entity::find()
                .select_only()
                .column(session::Column::Id)
                .column(session::Column::ExpiryDate)
                .filter(session::Column::Id.is_in(keys))
                .into_tuple()
                .all(&self.db)
                .await?;
            for (key, expiry) in rows {
                if let Ok(id) = key.parse::<Id>() {
                    found.insert(id, to_time(expiry));
                }
            }
        }
        let mut written = self.written();
        for id in ids {
            if !found.contains_key(id) {
                written.remove(id);
            }
        }
        Ok(found)
    }

    /// Ends every session of user `user` (a ban): deleted from the database
    /// and never cached again here. The ids ended.
    pub async fn end_user(&self, user: i64) -> Result<Vec<Id>, sea_orm::DbErr> {
        let ids = end_sessions_of(&self.db, user).await?;
        let mut written = self.written();
        let mut ended = self.ended();
        for id in &ids {
            ended.insert(*id);
            written.remove(id);
        }
        Ok(ids)
    }

    fn remember(&self, record: &Record, data: &str) {
        // Under the cache's lock, as `delete` marks the end: a record read
        // just before a sign-out cannot be cached after it.
        let mut written = self.written();
        if self.has_ended(&record.id) {
            return;
        }
        if written.len() >= REMEMBERED {
            written.clear();
        }
        let remembered = Written {
            hash: hash(data),
            expiry: record.expiry_date,
            record: self.exclusive.then(|| record.clone()),
        };
        written.insert(record.id, remembered);
    }

    /// Whether saving `data` with `expiry` would change nothing that matters.
    fn is_redundant(&self, id: &Id, data: &str, expiry: time::OffsetDateTime) -> bool {
        self.written().get(id).is_some_and(|stored| {
            stored.hash == hash(data) && expiry - stored.expiry < self.refresh
        })
    }

    /// The session as this exclusive store last wrote or read it, unless expired.
    fn remembered(&self, id: &Id) -> Option<Record> {
        let written = self.written();
        let record = written.get(id)?.record.as_ref()?;
        (record.expiry_date > time::OffsetDateTime::now_utc()).then(|| record.clone())
    }
}

fn hash(data: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut hasher);
    hasher.finish()
}

fn backend(e: sea_orm::DbErr) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn to_chrono(t: time::OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn to_time(t: DateTime<Utc>) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(t.timestamp())
        .map(|s| s + time::Duration::nanoseconds(i64::from(t.timestamp_subsec_nanos())))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// The data as stored, keys sorted so that equal data encodes equally.
fn encode(record: &Record) -> session_store::Result<String> {
    let sorted: BTreeMap<_, _> = record.data.iter().collect();
    serde_json::to_string(&sorted).map_err(|e| session_store::Error::Encode(e.to_string()))
}

/// The signed-in user the record names (see `session::sign_in`).
fn user_of(record: &Record) -> Option<i64> {
    record
        .data
        .get(super::session::USER_ID)
        .and_then(serde_json::Value::as_i64)
}

fn to_row(record: &Record, data: String) -> session::ActiveModel {
    session::ActiveModel {
        id: Set(record.id.to_string()),
        data: Set(data),
        expiry_date: Set(to_chrono(record.expiry_date)),
        user_id: Set(user_of(record)),
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; on the unlikely collision draw another.
        let data = encode(record)?;
        loop {
            let inserted = session::Entity::insert(to_row(record, data.clone()))
                .on_conflict(
                    OnConflict::column(session::Column::Id)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&self.db)
                .await
                .map_err(backend)?;
            if inserted == 1 {
                self.remember(record, &data);
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Updates the record if it still exists. A record that is gone (signed
    /// out, expired, removed while this request ran) stays gone. A failed
    /// write is logged, not returned: it only delays the idle expiry, and an
    /// error here would turn a request that already did its work into a 500.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = encode(record)?;
        if self.has_ended(&record.id) || self.is_redundant(&record.id, &data, record.expiry_date) {
            return Ok(());
        }
        let updated = session::Entity::update_many()
            .col_expr(session::Column::Data, Expr::value(data.clone()))
            .col_expr(
                session::Column::ExpiryDate,
                Expr::value(to_chrono(record.expiry_date)),
            )
            .col_expr(session::Column::UserId, Expr::value(user_of(record)))
            .filter(session::Column::Id.eq(record.id.to_string()))
            .filter(session::Column::ExpiryDate.gt(Utc::now()))
            .exec(&self.db)
            .await;
        match updated {
            Ok(result) if result.rows_affected == 1 => self.remember(record, &data),
            Ok(_) => {
                self.written().remove(&record.id);
            }
            Err(e) => tracing::warn!(error = %e, "could not extend a session's expiry"),
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        if self.has_ended(id) {
            return Ok(None);
        }
        if let Some(record) = self.remembered(id) {
            return Ok(Some(record));
        }
        let row = session::Entity::find_by_id(id.to_string())
            .filter(session::Column::ExpiryDate.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(backend)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let record = Record {
            id: *id,
            data: serde_json::from_str(&row.data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
            expiry_date: to_time(row.expiry_date),
        };
        self.remember(&record, &encode(&record)?);
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        {
            let mut written = self.written();
            self.ended().insert(*id);
            written.remove(id);
        }
        session::Entity::delete_by_id(id.to_string())
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Deletes every session of user `user` from the database (a command may
/// run this too: servers notice within their session backstop); the ids.
pub async fn end_sessions_of(
    db: &DatabaseConnection,
    user: i64,
) -> Result<Vec<Id>, sea_orm::DbErr> {
    let keys: Vec<String> = session::Entity::find()
        .select_only()
        .column(session::Column::Id)
        .filter(session::Column::UserId.eq(user))
        .into_tuple()
        .all(db)
        .await?;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user))
        .exec(db)
        .await?;
    Ok(keys.iter().filter_map(|k| k.parse().ok()).collect())
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        session::Entity::delete_many()
            .filter(session::Column::ExpiryDate.lte(Utc::now()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
