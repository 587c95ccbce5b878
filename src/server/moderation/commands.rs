//! `chat98 users ...`: accounts managed from the command line, on the same
//! database as running servers (SQLite or PostgreSQL). With Redis configured
//! the servers hear of each change at once; without, they notice within
//! `users::FRESH` (roles and bans) and the session backstop (sockets).

use std::fmt;

use clap::Subcommand;
use sea_orm::{DatabaseConnection, DbErr};

use super::{ban_length, ban_of, ban_until};
use crate::server::auth::session_store::end_sessions_of;
use crate::server::db::{self, OpenError};
use crate::server::entities::user;
use crate::server::fanout::{self, Notice};
use crate::server::messages::store;
use crate::server::settings::Settings;
use crate::server::users;
use crate::types::Role;

#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum UsersCommand {
    /// List every user: name, role, created, banned until
    List,
    /// Make NAME a moderator (may delete any message and ban users)
    GrantModerator { name: String },
    /// Make NAME a member again
    RevokeModerator { name: String },
    /// Ban NAME: every session ends, sign-in is refused
    Ban {
        name: String,
        /// How long, e.g. 1h or 7d [default: until unbanned]
        #[arg(long = "for", value_name = "DURATION")]
        length: Option<String>,
        /// Why (shown to the banned user)
        #[arg(long)]
        reason: Option<String>,
    },
    /// Lift NAME's ban
    Unban { name: String },
    /// Remove NAME's account and every message of theirs
    Delete { name: String },
}

#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error("storage error: {0}")]
    Storage(#[from] DbErr),
    #[error("there is no user called {0:?}")]
    UnknownUser(String),
    #[error("invalid --for {0:?}: give a duration such as 30m, 1h or 7d")]
    Duration(String),
    #[error("{0} is a moderator: revoke the role before banning them")]
    Moderator(String),
}

/// What a command did; its `Display` is the line it prints.
pub struct Done(String);

impl fmt::Display for Done {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs `command` on the configured database.
pub async fn run(settings: &Settings, command: UsersCommand) -> Result<Done, UsersError> {
    let db = db::open(&settings.storage, db::Checkpoints::InCommit)
        .await?
        .connection;
    let (done, notices) = match command {
        UsersCommand::List => return list(&db).await,
        UsersCommand::GrantModerator { name } => set_role(&db, &name, Role::Moderator).await?,
        UsersCommand::RevokeModerator { name } => set_role(&db, &name, Role::Member).await?,
        UsersCommand::Ban {
            name,
            length,
            reason,
        } => ban(&db, &name, length, reason).await?,
        UsersCommand::Unban { name } => {
            let target = named(&db, &name).await?;
            users::set_ban(&db, target.id, None, None).await?;
            let done = format!("{} is no longer banned", target.username);
            (done, vec![Notice::UserChanged { user: target.id }])
        }
        UsersCommand::Delete { name } => delete(&db, &name).await?,
    };
    tracing::info!(action = %done, "users command");
    tell_servers(settings, notices).await;
    Ok(Done(done))
}

async fn named(db: &DatabaseConnection, name: &str) -> Result<user::Model, UsersError> {
    users::find_by_name(db, name.trim())
        .await?
        .ok_or_else(|| UsersError::UnknownUser(name.to_owned()))
}

async fn list(db: &DatabaseConnection) -> Result<Done, UsersError> {
    let mut lines = vec![format!(
        "{:<32}  {:<9}  {:<20}  banned until",
        "name", "role", "created"
    )];
    for user in users::all(db).await? {
        let banned = match user.is_banned().then(|| ban_of(&user).until) {
            None => "-".to_owned(),
            Some(None) => "until unbanned".to_owned(),
            Some(Some(until)) => until,
        };
        lines.push(format!(
            "{:<32}  {:<9}  {:<20}  {banned}",
            user.username,
            user.role().as_str(),
            user.created_at.format("%Y-%m-%d %H:%M:%S")
        ));
    }
    Ok(Done(lines.join("\n")))
}

type Outcome = (String, Vec<Notice>);

async fn set_role(db: &DatabaseConnection, name: &str, role: Role) -> Result<Outcome, UsersError> {
    let target = named(db, name).await?;
    users::set_role(db, target.id, role).await?;
    let done = format!("{} is now a {}", target.username, role.as_str());
    Ok((done, vec![Notice::UserChanged { user: target.id }]))
}

async fn ban(
    db: &DatabaseConnection,
    name: &str,
    length: Option<String>,
    reason: Option<String>,
) -> Result<Outcome, UsersError> {
    let length = ban_length(length.as_deref())
        .map_err(|_| UsersError::Duration(length.clone().unwrap_or_default()))?;
    let target = named(db, name).await?;
    if target.is_moderator() {
        return Err(UsersError::Moderator(target.username));
    }
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    let banned = users::set_ban(db, target.id, Some(ban_until(length)), reason).await?;
    end_sessions_of(db, target.id).await?;
    let done = match ban_of(&banned).until {
        Some(until) => format!("{} is banned until {until}", banned.username),
        None => format!("{} is banned until unbanned", banned.username),
    };
    // Each server reads the user again on this notice too.
    let notices = vec![Notice::SessionsEnded { user: target.id }];
    Ok((done, notices))
}

async fn delete(db: &DatabaseConnection, name: &str) -> Result<Outcome, UsersError> {
    let target = named(db, name).await?;
    let ids = store::delete_all_of(db, target.id).await?;
    // The user's sessions go with them (the foreign key cascades).
    users::remove(db, target.id).await?;
    let done = format!(
        "{} and their {} messages are deleted",
        target.username,
        ids.len()
    );
    let mut notices = vec![Notice::SessionsEnded { user: target.id }];
    for chunk in ids.chunks(fanout::MAX_DELETED) {
        notices.push(Notice::Deleted {
            ids: chunk.to_vec(),
        });
    }
    Ok((done, notices))
}

/// With Redis configured: tells running servers at once (best effort; they
/// notice by themselves soon after anyway).
async fn tell_servers(settings: &Settings, notices: Vec<Notice>) {
    let Some(url) = settings.scale_out.redis_url() else {
        return;
    };
    if let Err(e) = fanout::tell(url, settings.scale_out.redis_prefix(), notices).await {
        tracing::warn!(error = %e, "could not tell the servers through Redis; they will notice within seconds");
    }
}
