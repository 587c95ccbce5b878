//! tower-sessions storage in the chat database (SQLite or PostgreSQL), so
//! sessions survive restarts and are shared by every server process.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
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

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    /// What each session last looked like in the database.
    written: Arc<Mutex<HashMap<Id, Written>>>,
    refresh: time::Duration,
    /// Whether this process is the only one using these sessions, so that
    /// what it wrote last is what the database holds.
    exclusive: bool,
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

    fn written(&self) -> std::sync::MutexGuard<'_, HashMap<Id, Written>> {
        self.written.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn remember(&self, record: &Record, data: &str) {
        let mut written = self.written();
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

fn to_row(record: &Record, data: String) -> session::ActiveModel {
    session::ActiveModel {
        id: Set(record.id.to_string()),
        data: Set(data),
        expiry_date: Set(to_chrono(record.expiry_date)),
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

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = encode(record)?;
        if self.is_redundant(&record.id, &data, record.expiry_date) {
            return Ok(());
        }
        session::Entity::insert(to_row(record, data.clone()))
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .update_columns([session::Column::Data, session::Column::ExpiryDate])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(backend)?;
        self.remember(record, &data);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
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
        self.written().remove(id);
        session::Entity::delete_by_id(id.to_string())
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
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
