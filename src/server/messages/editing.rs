//! Changing a message after it was sent: its author edits it (within the
//! edit window) or deletes it; a moderator deletes anyone's. The same rules
//! and errors for every door (REST, the page's server functions), and the
//! change goes out live, in order with new messages, on every process.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::Utc;

use super::posting::{self, Submission};
use super::store;
use crate::error::ChatError;
use crate::server::entities::{message, user};
use crate::server::limits::{Charge, Reservation};
use crate::server::settings::describe_duration;
use crate::server::AppState;
use crate::types::ChatMessage;

fn gone() -> ChatError {
    ChatError::not_found("That message does not exist, or it has expired or been deleted.")
}

/// The retained message `id` with its author, or 404.
async fn stored(state: &AppState, id: i64) -> Result<(message::Model, user::Model), ChatError> {
    store::find_row(&state.db, id, state.settings.cutoff_now())
        .await?
        .ok_or_else(gone)
}

/// Charges a change to `who`'s message rate, like a new message.
async fn charge(state: &AppState, who: &user::Model) -> Result<Reservation, ChatError> {
    let charge = Charge::new(state.posting.message_rule, who.id);
    state
        .limits
        .take(vec![charge])
        .await
        .map_err(|d| ChatError::sending_too_fast(d.wait))
}

/// Replaces the text of message `id` by its author `author`, within the
/// edit window; the message as stored now.
pub async fn edit(
    state: &AppState,
    author: &user::Model,
    id: i64,
    content: Option<String>,
) -> Result<ChatMessage, ChatError> {
    let submission = Submission {
        content,
        client_id: None,
    };
    let (content, _) = posting::check(&submission, state.settings.messages.max_message_chars)?;
    let (found, _) = stored(state, id).await?;
    if found.user_id != author.id {
        return Err(ChatError::forbidden("You can only edit your own messages."));
    }
    let window = state.settings.messages.edit_window;
    let age = (Utc::now() - found.timestamp)
        .to_std()
        .unwrap_or(Duration::ZERO);
    if age > window {
        return Err(ChatError::forbidden(format!(
            "Messages can only be edited within {} of sending them.",
            describe_duration(window)
        )));
    }
    let mentions = super::mentions::resolve(&state.db, &content).await?;
    let reservation = charge(state, author).await?;
    let outcome = store_edit(state, id, &content, &mentions).await;
    if outcome.is_err() {
        state.limits.give_back(reservation).await;
    }
    outcome
}

/// Stores the edit and publishes it, under the hub's sequence so that it
/// goes out in order with new messages.
async fn store_edit(
    state: &AppState,
    id: i64,
    content: &str,
    mentions: &[String],
) -> Result<ChatMessage, ChatError> {
    let last = state.hub.sequence().await;
    if !store::update_content(&state.db, id, content, mentions, Utc::now()).await? {
        return Err(gone());
    }
    let edited = store::find(&state.db, id, state.settings.cutoff_now())
        .await?
        .ok_or_else(gone)?;
    state.hub.publish_edit(&last, edited.clone());
    drop(last);
    if let Some(fanout) = &state.fanout {
        fanout.message_edited(id);
    }
    Ok(edited)
}

/// Deletes message `id`: `actor`'s own, or anyone's when `actor` is a
/// moderator.
pub async fn delete(state: &AppState, actor: &user::Model, id: i64) -> Result<(), ChatError> {
    let (found, author) = stored(state, id).await?;
    let own = found.user_id == actor.id;
    if !own && !actor.is_moderator() {
        return Err(ChatError::forbidden(
            "You can only delete your own messages.",
        ));
    }
    let reservation = charge(state, actor).await?;
    let deleted = {
        let last = state.hub.sequence().await;
        let deleted = store::delete(&state.db, id).await;
        if let Ok(true) = deleted {
            state.hub.publish_delete(&last, &[id]);
        }
        deleted
    };
    match deleted {
        Ok(true) => {}
        Ok(false) => {
            state.limits.give_back(reservation).await;
            return Err(gone());
        }
        Err(e) => {
            state.limits.give_back(reservation).await;
            return Err(e.into());
        }
    }
    if let Some(fanout) = &state.fanout {
        fanout.messages_deleted(&[id]);
    }
    if !own {
        state
            .metrics
            .moderator_action(crate::server::metrics::ModeratorAction::Delete);
        tracing::info!(moderator = %actor.username, action = "delete", user = %author.username, message_id = id, "moderator action");
    }
    Ok(())
}

/// Deletes every message of user `author` and tells every connection; how
/// many were deleted.
pub async fn delete_all_of(state: &AppState, author: i64) -> Result<usize, ChatError> {
    let last = state.hub.sequence().await;
    let ids = store::delete_all_of(&state.db, author).await?;
    state.hub.publish_delete(&last, &ids);
    drop(last);
    if let Some(fanout) = &state.fanout {
        fanout.messages_deleted(&ids);
    }
    Ok(ids.len())
}

/// Messages kept in memory whose author was removed by a command (on the
/// same database, perhaps with no Redis to tell): looked for every
/// [`crate::server::users::FRESH`], deleted from the tail and announced.
pub async fn run_removed_authors(state: AppState) {
    let mut every = tokio::time::interval(crate::server::users::FRESH);
    loop {
        every.tick().await;
        let authors: Vec<i64> = state.hub.kept_authors().into_iter().collect();
        if authors.is_empty() {
            continue;
        }
        let existing: BTreeSet<i64> = match state.users.find_many(&state.db, &authors).await {
            Ok(found) => found.into_iter().map(|u| u.id).collect(),
            Err(_) => continue,
        };
        for removed in authors.iter().filter(|a| !existing.contains(a)) {
            state.users.forget(*removed);
            forget_messages_of(&state, *removed).await;
        }
    }
}

/// Drops from the tail, and announces, the messages of a removed author.
async fn forget_messages_of(state: &AppState, author: i64) {
    let last = state.hub.sequence().await;
    let ids = state.history.ids_of(author);
    state.hub.publish_delete(&last, &ids);
}
