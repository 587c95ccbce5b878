//! What every request handler and server function can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::auth::throttle::AuthThrottles;
use super::fanout::Fanout;
use super::http::cross_site::AllowedOrigins;
use super::live::hub::Hub;
use super::message_writer::MessageWriter;
use super::metrics::Metrics;
use super::retention::RetentionStats;
use super::send_rate::SendRate;
use super::settings::Settings;
use super::users::KnownUsers;

/// Shared application state. leptos_axum provides it as context to server
/// functions; axum handlers take it as `State`.
#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub throttles: Arc<AuthThrottles>,
    pub send_rate: Arc<SendRate>,
    pub hub: Arc<Hub>,
    /// Other sites allowed to post and open sockets with the session cookie.
    pub allowed_origins: AllowedOrigins,
    /// What the retention sweeps have deleted, for metrics.
    pub retention: Arc<RetentionStats>,
    /// Cross-process fan-out, when Redis is configured.
    pub fanout: Option<Arc<Fanout>>,
    pub metrics: Arc<Metrics>,
    /// Users already read, by id.
    pub users: Arc<KnownUsers>,
    /// Stores and publishes every message sent here.
    pub writer: Arc<MessageWriter>,
}

impl AppState {
    /// The state leptos_axum provided to the current server function or page.
    pub fn from_context() -> Result<AppState, crate::error::ChatError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(crate::error::ChatError::unavailable)
    }

    pub fn new(leptos_options: LeptosOptions, db: DatabaseConnection, settings: Settings) -> Self {
        AppState {
            leptos_options,
            db,
            throttles: Arc::new(AuthThrottles::new(&settings)),
            send_rate: Arc::new(SendRate::new(
                settings.message_burst,
                settings.message_interval,
            )),
            hub: Arc::new(Hub::new()),
            allowed_origins: AllowedOrigins(Arc::new(settings.allowed_origins.clone())),
            retention: Arc::new(RetentionStats::default()),
            fanout: None,
            metrics: Arc::new(Metrics::default()),
            users: Arc::default(),
            writer: Arc::default(),
            settings: Arc::new(settings),
        }
    }

    /// Passes on that `user` is typing, here and (with Redis) everywhere.
    pub fn typing(&self, user: crate::types::UserRef) {
        if let Some(fanout) = &self.fanout {
            fanout.typing(user.clone());
        }
        self.hub.typing(user);
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
