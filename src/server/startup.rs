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
use super::fanout::{Fanout, Local};
use super::http::cross_site::AllowedOrigins;
use super::limits::{Limits, Rule};
use super::live::hub::Hub;
use super::messages::history::History;
use super::messages::posting::Posting;
use super::messages::prepared::PreparedRows;
use super::messages::writer::{self as message_writer, MessageWriter, Publishing};
use super::metrics::Metrics;
use super::redis_link::RedisLink;
use super::retention::{RetentionStats, Sweeper};
use super::settings::Settings;
use super::state::{AppState, Shared, TYPING_EVERY};

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

/// Opens the database, binds the listener, then [`start`]s everything else.
pub async fn build(settings: Settings) -> Result<Application, StartError> {
    let opened = db::open(&settings.storage, db::Checkpoints::Background).await?;
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
    let state = start(settings, leptos_options, opened).await?;
    Ok(Application { listener, state })
}

/// Builds the state in one step on `opened` and starts the writer, the
/// checkpointer, the sweeper, the session tasks, the presence departures and
/// (with Redis) the fan-out. Tests start a state this way, without a listener.
pub async fn start(
    settings: Settings,
    leptos_options: leptos::config::LeptosOptions,
    opened: db::Opened,
) -> Result<AppState, StartError> {
    let db = opened.connection;
    let redis = match settings.scale_out.redis_url() {
        Some(url) => Some(RedisLink::open(url)?),
        None => None,
    };
    let parts = Parts::new(&settings, db.clone(), redis.as_ref());
    // Live delivery starts after what is stored already. Alone (no Redis),
    // this process sees every message stored: reads can come from memory.
    parts.hub.start(&db).await?;
    if redis.is_none() {
        parts.history.load(&db, settings.cutoff_now()).await?;
    }
    let (fanout, fanout_outbox) = match &redis {
        Some(link) => {
            let prefix = settings.scale_out.redis_prefix();
            let (fanout, outbox) =
                Fanout::new(Arc::clone(link), prefix, settings.scale_out.presence_ttl);
            (Some(fanout), Some(outbox))
        }
        None => (None, None),
    };
    let (writer, writer_queue) = MessageWriter::channel();
    let state = parts.into_state(leptos_options, settings, db, fanout, writer);

    let publishing = Publishing {
        db: state.db.clone(),
        hub: Arc::clone(&state.hub),
        fanout: state.fanout.clone(),
        metrics: Arc::clone(&state.metrics),
        settings: Arc::clone(&state.settings),
    };
    tokio::spawn(message_writer::run(publishing, writer_queue));
    if let Some(checkpointer) = opened.checkpointer {
        tokio::spawn(checkpointer.run());
    }
    let sweeper = Sweeper::new(
        state.db.clone(),
        Arc::clone(&state.settings),
        Arc::clone(&state.retention),
    );
    tokio::spawn(sweeper.run());
    tokio::spawn(delete_expired_sessions(state.sessions.clone()));
    tokio::spawn(Arc::clone(&state.session_watch).run());
    tokio::spawn(Arc::clone(&state.hub).run_departures());
    tokio::spawn(super::messages::editing::run_removed_authors(state.clone()));
    if let (Some(fanout), Some(outbox)) = (&state.fanout, fanout_outbox) {
        let local = Local {
            db: state.db.clone(),
            hub: Arc::clone(&state.hub),
            users: Arc::clone(&state.users),
            session_watch: Arc::clone(&state.session_watch),
            settings: Arc::clone(&state.settings),
        };
        fanout.start(outbox, &local);
    }
    Ok(state)
}

/// The parts of the state made from the settings alone.
struct Parts {
    limits: Arc<Limits>,
    sessions: DbSessionStore,
    history: Arc<History>,
    hub: Arc<Hub>,
}

impl Parts {
    fn new(settings: &Settings, db: DatabaseConnection, redis: Option<&Arc<RedisLink>>) -> Self {
        let limits = match redis {
            Some(link) => Limits::shared(Arc::clone(link), settings.scale_out.redis_prefix()),
            None => Limits::in_memory(),
        };
        // Without Redis this is the only process: its sessions are its own.
        let sessions =
            DbSessionStore::new(db, settings.accounts.session_idle).exclusive(redis.is_none());
        let history = Arc::new(History::default());
        Parts {
            limits: Arc::new(limits),
            sessions,
            hub: Arc::new(Hub::new(Arc::clone(&history))),
            history,
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
        let settings = Arc::new(settings);
        let posting = Posting {
            db: db.clone(),
            settings: Arc::clone(&settings),
            limits: Arc::clone(&self.limits),
            message_rule: Rule {
                name: "message",
                burst: settings.messages.message_burst,
                interval: settings.messages.message_interval,
            },
            writer,
        };
        Shared {
            leptos_options,
            db,
            limits: self.limits,
            auth_rules: AuthRules::new(&settings),
            posting,
            typing_rule: Rule {
                name: "typing",
                burst: 1,
                interval: TYPING_EVERY,
            },
            hasher: Arc::new(Hasher::new(
                settings.accounts.hash_concurrency(),
                settings.accounts.hash_wait,
            )),
            session_watch: SessionWatch::new(self.sessions.clone()),
            sessions: self.sessions,
            hub: self.hub,
            history: self.history,
            prepared_rows: PreparedRows::with_capacity(
                u64::from(settings.messages.prepared_rows_mib) << 20,
            ),
            allowed_origins: AllowedOrigins(Arc::new(settings.accounts.allowed_origins().clone())),
            retention: Arc::new(RetentionStats::default()),
            fanout,
            metrics: Arc::new(Metrics::default()),
            users: Arc::default(),
            settings,
        }
        .into()
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
