//! Moderation: moderators delete anyone's message (see
//! `messages::editing`) and ban users, for a time or until unbanned. A ban
//! ends every session of the user at once (their sockets close with 4003 on
//! every process), refuses their sign-in with the sentence that says until
//! when, and lifts itself when it expires. Roles are granted from the
//! command line only (`commands`): an empty database has no moderator.
//!
//! Doors: the REST API (`rest`), the page's server function (`page`) and
//! `chat98 users` (`commands`).

pub mod commands;
pub mod page;
pub mod rest;

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use crate::error::ChatError;
use crate::server::entities::user;
use crate::server::messages::editing;
use crate::server::metrics::ModeratorAction;
use crate::server::{users, AppState};
use crate::types::Ban;

/// A ban with no end is stored as this far-off time (both databases hold
/// it; a NULL already means "not banned").
pub fn forever() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The longest ban with an end; anything longer is until unbanned.
const LONGEST: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// `user`'s ban as the API shows it (`until: None` for one with no end).
pub fn ban_of(user: &user::Model) -> Ban {
    let until = user
        .banned_until
        .filter(|until| *until < forever())
        .map(|until| until.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
    Ban {
        user: user.into(),
        until,
        reason: user.ban_reason.clone(),
    }
}

/// A ban's length from `1h`, `7d`, `30m`...; none or blank: until unbanned.
pub fn ban_length(text: Option<&str>) -> Result<Option<Duration>, ChatError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match crate::server::settings::parse_duration(text) {
        Ok(length) if length <= LONGEST => Ok(Some(length)),
        Ok(_) => Ok(None),
        Err(_) => {
            let mut fields = std::collections::BTreeMap::new();
            fields.insert(
                "duration".to_owned(),
                vec![
                    "Give a duration such as 30m, 1h, 1d or 7d, or none for a ban until unbanned."
                        .to_owned(),
                ],
            );
            Err(ChatError::invalid(fields))
        }
    }
}

/// When a ban of `length` from now ends.
pub fn ban_until(length: Option<Duration>) -> DateTime<Utc> {
    length
        .and_then(|l| chrono::Duration::from_std(l).ok())
        .and_then(|l| Utc::now().checked_add_signed(l))
        .map(|t| t.min(forever()))
        .unwrap_or_else(forever)
}

/// A moderator's ban, as any door takes it.
#[derive(Clone, Debug, Default)]
pub struct BanOrder {
    pub username: String,
    pub duration: Option<String>,
    pub reason: Option<String>,
    /// Also delete every message of theirs.
    pub purge: bool,
}

/// The longest ban reason kept, in characters.
const MAX_REASON: usize = 500;

/// `moderator` bans whom `order` names.
pub async fn ban(
    state: &AppState,
    moderator: &user::Model,
    order: BanOrder,
) -> Result<Ban, ChatError> {
    require_moderator(moderator)?;
    let length = ban_length(order.duration.as_deref())?;
    let target = find_user(state, &order.username).await?;
    if target.id == moderator.id {
        return Err(ChatError::forbidden("You cannot ban yourself."));
    }
    if target.is_moderator() {
        return Err(ChatError::forbidden(
            "Moderators cannot be banned. An operator can revoke the role first.",
        ));
    }
    let reason = order
        .reason
        .map(|r| r.trim().chars().take(MAX_REASON).collect::<String>())
        .filter(|r| !r.is_empty());
    let banned = users::set_ban(&state.db, target.id, Some(ban_until(length)), reason).await?;
    // Nothing they send gets through from here on (a banned user is signed
    // out on every request); the purge goes out before their sockets close,
    // so their own pages show it too.
    state.users.keep(banned.clone());
    if order.purge {
        let deleted = editing::delete_all_of(state, banned.id).await?;
        tracing::info!(moderator = %moderator.username, action = "purge", user = %banned.username, deleted, "moderator action");
    }
    end_everything_of(state, &banned).await?;
    let ban = ban_of(&banned);
    state.metrics.moderator_action(ModeratorAction::Ban);
    tracing::info!(moderator = %moderator.username, action = "ban", user = %banned.username, until = ?ban.until, reason = ?ban.reason, "moderator action");
    Ok(ban)
}

/// Ends every session of a user just banned, here and on every process
/// (the notice also makes each process read the user again).
async fn end_everything_of(state: &AppState, banned: &user::Model) -> Result<(), ChatError> {
    let ended = state.sessions.end_user(banned.id).await?;
    for id in &ended {
        state.session_watch.end(id);
    }
    if let Some(fanout) = &state.fanout {
        fanout.sessions_ended(banned.id);
    }
    Ok(())
}

/// `moderator` lifts the ban of `username` (nothing to lift is fine).
pub async fn unban(
    state: &AppState,
    moderator: &user::Model,
    username: &str,
) -> Result<(), ChatError> {
    require_moderator(moderator)?;
    let target = find_user(state, username).await?;
    let lifted = users::set_ban(&state.db, target.id, None, None).await?;
    state.users.keep(lifted);
    if let Some(fanout) = &state.fanout {
        fanout.user_changed(target.id);
    }
    state.metrics.moderator_action(ModeratorAction::Unban);
    tracing::info!(moderator = %moderator.username, action = "unban", user = %target.username, "moderator action");
    Ok(())
}

/// The bans in force.
pub async fn bans(state: &AppState, moderator: &user::Model) -> Result<Vec<Ban>, ChatError> {
    require_moderator(moderator)?;
    let banned = users::banned(&state.db, Utc::now()).await?;
    Ok(banned.iter().map(ban_of).collect())
}

fn require_moderator(who: &user::Model) -> Result<(), ChatError> {
    if who.is_moderator() {
        Ok(())
    } else {
        Err(ChatError::forbidden("Only moderators can do that."))
    }
}

async fn find_user(state: &AppState, username: &str) -> Result<user::Model, ChatError> {
    users::find_by_name(&state.db, username.trim())
        .await?
        .ok_or_else(|| {
            ChatError::not_found(format!("There is no user called {:?}.", username.trim()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ban_lengths_read_in_words_and_blank_is_forever() {
        assert_eq!(ban_length(None).unwrap(), None);
        assert_eq!(ban_length(Some(" ")).unwrap(), None);
        assert_eq!(
            ban_length(Some("1h")).unwrap(),
            Some(Duration::from_secs(3600))
        );
        assert!(ban_length(Some("soon")).is_err());
        assert!(ban_length(Some("0s")).is_err());
        assert_eq!(ban_until(None), forever());
    }
}
