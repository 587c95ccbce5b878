//! Start-up in one place: open the database, bind the listener, build the
//! application state in one step, and start every background task.

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_sessions::session_store::ExpiredDeletion;

use super::auth::password::Hasher;
use super::auth::session_store::DbSessionStore;
use super::auth::session_watch::SessionWatch;
use super::auth::throttle::AuthRules;
use super::db;
use super::fanout::Fanout;
use super::http::cross_site::AllowedOrigins;
use super::limits::{Limits, Rule};
use super::live::hub::Hub;
use super::message_writer::{self, MessageWriter};
use super::metrics::Metrics;
use super::redis_link::RedisLink;
use super::retention::{RetentionStats, Sweeper};
use super::settings::Settings;
use super::state::{AppState, TYPING_EVERY};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Open(#[from] db::OpenError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid Redis URL: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("cannot read the newest message: {0}")]
    Storage(#[from] sea_orm::DbErr),
}

/// A server ready to serve: its listener and its state, with every
/// background task running.
pub struct Application {
    pub listener: TcpListener,
    pub state: AppState,
}

/// Opens the database, binds the listener, builds the state and starts the
/// writer, the sweeper, the session tasks, the presence departures and (with
/// Redis) the fan-out.
pub async fn build(settings: Settings) -> Result<Application, StartError> {
    let db = db::open(&settings, db::Checkpoints::Background).await?;
    let addr = settings.leptos.site_addr;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })?;
    let mut leptos_options = settings.leptos.clone();
    leptos_options.site_addr = listener.local_addr()?;
    if settings.hash_file_missing {
        tracing::warn!(
            "hash-files is on but hash.txt is not beside the binary: linking the bundle by its plain names"
        );
    }
    let redis = match &settings.redis_url {
        Some(url) => Some(RedisLink::open(url)?),
        None => None,
    };
    let parts = Parts::new(&settings, db.clone(), redis.as_ref());
    // Live delivery starts after what is stored already. Alone (no Redis),
    // this process sees every message stored: reads can come from memory.
    let cutoff = settings.retention_cutoff(chrono::Utc::now());
    parts.hub.start(&db, cutoff, redis.is_none()).await?;
    let (fanout, fanout_outbox) = match &redis {
        Some(link) => {
            let (fanout, outbox) = Fanout::new(
                Arc::clone(link),
                &settings.redis_prefix,
                settings.presence_ttl,
            );
            (Some(fanout), Some(outbox))
        }
        None => (None, None),
    };
    let (writer, writer_queue) = MessageWriter::channel();
    let state = parts.into_state(leptos_options, settings, db, fanout, writer);

    tokio::spawn(message_writer::run(state.clone(), writer_queue));
    tokio::spawn(Sweeper::for_state(&state).run());
    tokio::spawn(delete_expired_sessions(state.sessions.clone()));
    tokio::spawn(Arc::clone(&state.session_watch).run());
    tokio::spawn(Arc::clone(&state.hub).run_departures());
    if let (Some(fanout), Some(outbox)) = (&state.fanout, fanout_outbox) {
        fanout.start(outbox, &state);
    }
    Ok(Application { listener, state })
}

/// The parts of the state made from the settings alone.
struct Parts {
    limits: Arc<Limits>,
    sessions: DbSessionStore,
    hub: Arc<Hub>,
}

impl Parts {
    fn new(settings: &Settings, db: DatabaseConnection, redis: Option<&Arc<RedisLink>>) -> Self {
        let limits = match redis {
            Some(link) => Limits::shared(Arc::clone(link), &settings.redis_prefix),
            None => Limits::in_memory(),
        };
        // Without Redis this is the only process: its sessions are its own.
        let sessions = DbSessionStore::new(db, settings.session_idle).exclusive(redis.is_none());
        Parts {
            limits: Arc::new(limits),
            sessions,
            hub: Arc::new(Hub::new()),
        }
    }

    fn into_state(
        self,
        leptos_options: leptos::config::LeptosOptions,
        settings: Settings,
        db: DatabaseConnection,
        fanout: Option<Arc<Fanout>>,
        writer: MessageWriter,
    ) -> AppState {
        AppState {
            leptos_options,
            db,
            limits: self.limits,
            auth_rules: AuthRules::new(&settings),
            message_rule: Rule {
                name: "message",
                burst: settings.message_burst,
                interval: settings.message_interval,
            },
            typing_rule: Rule {
                name: "typing",
                burst: 1,
                interval: TYPING_EVERY,
            },
            hasher: Arc::new(Hasher::new(settings.hash_concurrency, settings.hash_wait)),
            session_watch: SessionWatch::new(self.sessions.clone()),
            sessions: self.sessions,
            hub: self.hub,
            allowed_origins: AllowedOrigins(Arc::new(settings.allowed_origins.clone())),
            retention: Arc::new(RetentionStats::default()),
            fanout,
            metrics: Arc::new(Metrics::default()),
            users: Arc::default(),
            writer,
            settings: Arc::new(settings),
        }
    }
}

/// Sessions past their idle expiry are never loaded; this removes their rows.
async fn delete_expired_sessions(store: DbSessionStore) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    loop {
        tick.tick().await;
        if let Err(e) = store.delete_expired().await {
            tracing::warn!(error = %e, "could not delete expired sessions");
        }
    }
}
