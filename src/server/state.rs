//! What every request handler and server function can reach. Built in one
//! step by `startup::build`.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::auth::password::Hasher;
use super::auth::session::Ended;
use super::auth::session_store::DbSessionStore;
use super::auth::session_watch::SessionWatch;
use super::auth::throttle::AuthRules;
use super::fanout::Fanout;
use super::http::cross_site::AllowedOrigins;
use super::limits::{Charge, Limits, Rule};
use super::live::hub::Hub;
use super::messages::history::History;
use super::messages::posting::Posting;
use super::messages::prepared::PreparedRows;
use super::metrics::Metrics;
use super::retention::RetentionStats;
use super::settings::Settings;
use super::users::KnownUsers;
use crate::types::UserRef;

/// How often one user's typing notices reach the room (all their sockets,
/// on every process, together).
pub const TYPING_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Shared application state. leptos_axum provides it as context to server
/// functions; axum handlers take it as `State`. One pointer: every request
/// and every open socket clones it, and an idle socket holds its clone
/// (672 B when the fields were cloned one by one; BENCHMARKS.md, "Session 12").
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl From<Shared> for AppState {
    fn from(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

/// What [`AppState`] points to.
#[derive(Debug)]
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    /// Rate limits (in memory, and in Redis when configured).
    pub limits: Arc<Limits>,
    pub auth_rules: AuthRules,
    /// Sending a message (its checks, rate and the writer).
    pub posting: Posting,
    /// Each user's typing notices.
    pub typing_rule: Rule,
    /// Password hashing, a bounded number at a time.
    pub hasher: Arc<Hasher>,
    /// Session records (shared with the session layer).
    pub sessions: DbSessionStore,
    /// Closes sockets whose session ended.
    pub session_watch: Arc<SessionWatch>,
    pub hub: Arc<Hub>,
    /// The newest messages in memory, in front of the database.
    pub history: Arc<History>,
    /// The chat page's history rows, rendered once and reused.
    pub prepared_rows: PreparedRows,
    /// Other sites allowed to post and open sockets with the session cookie.
    pub allowed_origins: AllowedOrigins,
    /// What the retention sweeps have deleted, for metrics.
    pub retention: Arc<RetentionStats>,
    /// Cross-process fan-out, when Redis is configured.
    pub fanout: Option<Arc<Fanout>>,
    pub metrics: Arc<Metrics>,
    /// Users already read, by id.
    pub users: Arc<KnownUsers>,
}

impl AppState {
    /// The state leptos_axum provided to the current server function or page.
    pub fn from_context() -> Result<AppState, crate::error::ChatError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(crate::error::ChatError::unavailable)
    }

    /// The state and the signed-in user of the current server function or
    /// page, or `NotSignedIn`.
    pub async fn with_user_from_context(
    ) -> Result<(AppState, crate::server::entities::user::Model), crate::error::ChatError> {
        let state = AppState::from_context()?;
        let session = super::auth::session::current_session().await?;
        let me = super::auth::session::signed_in_user(&session, &state.users, &state.db)
            .await?
            .ok_or_else(crate::error::ChatError::not_signed_in)?;
        Ok((state, me))
    }

    /// Passes on that `user` is typing, here and (with Redis) everywhere, at
    /// most once per [`TYPING_EVERY`] whichever socket or process it came from.
    pub async fn typing(&self, user: &UserRef) {
        let charge = Charge::new(self.typing_rule, user.id);
        if self.limits.take(vec![charge]).await.is_err() {
            return;
        }
        if let Some(fanout) = &self.fanout {
            fanout.typing(user.id);
        }
        self.hub.typing(user.clone());
    }

    /// A session ended here: its sockets here close now, and (with Redis)
    /// the other processes look up that user's sessions.
    pub fn session_ended(&self, ended: Option<Ended>) {
        let Some(ended) = ended else {
            return;
        };
        self.session_watch.end(&ended.id);
        if let (Some(user), Some(fanout)) = (ended.user, &self.fanout) {
            fanout.sessions_ended(user);
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
