//! Sending a message, the same way from every door (REST API, the composer's
//! server function, the websocket): check it, recognise a retry, apply the
//! sender's rate, store it.

use std::collections::BTreeMap;
use std::time::Instant;

use sea_orm::SqlErr;

use super::entities::user;
use super::{messages, AppState};
use crate::error::ChatError;
use crate::message_rules::{clean_client_id, clean_content};
use crate::types::ChatMessage;

/// A message as a sender submitted it, before any check.
#[derive(Debug, Default, Clone)]
pub struct Submission {
    /// `None` when the field was missing altogether.
    pub content: Option<String>,
    pub client_id: Option<String>,
}

/// The outcome of a send.
#[derive(Debug)]
pub struct Posted {
    pub message: ChatMessage,
    /// False when the client id named a message stored earlier (a retry).
    pub created: bool,
}

/// Checks `submission` without touching storage: the stored content and the
/// client id, or a field-by-field error.
pub fn check(
    submission: &Submission,
    max_chars: usize,
) -> Result<(String, Option<String>), ChatError> {
    let mut fields = BTreeMap::new();
    let content = match &submission.content {
        None => Err(vec![crate::message_rules::REQUIRED.to_owned()]),
        Some(raw) => clean_content(raw, max_chars),
    };
    let client_id = clean_client_id(submission.client_id.as_deref());
    let content = content.map_err(|e| fields.insert("content".to_owned(), e));
    let client_id = client_id.map_err(|e| fields.insert("client_id".to_owned(), e));
    match (content, client_id) {
        (Ok(content), Ok(client_id)) => Ok((content, client_id)),
        _ => Err(ChatError::invalid(fields)),
    }
}

/// Sends `submission` as `author`.
pub async fn post(
    state: &AppState,
    author: &user::Model,
    submission: &Submission,
) -> Result<Posted, ChatError> {
    let (content, client_id) = check(submission, state.settings.max_message_chars)?;
    // A retry is answered before the rate applies: it stores nothing.
    if let Some(id) = &client_id {
        if let Some(message) = messages::find_by_client_id(&state.db, author, id).await? {
            return Ok(Posted {
                message,
                created: false,
            });
        }
    }
    let now = Instant::now();
    state
        .send_rate
        .take(author.id, now)
        .map_err(ChatError::sending_too_fast)?;
    // Store and publish in one turn, so every connection sees id order.
    let mut last = state.hub.sequence().await;
    let at = chrono::Utc::now();
    let stored = match &state.fanout {
        None => messages::store(&state.db, author, &content, client_id.as_deref(), at).await,
        Some(fanout) => {
            let stored =
                messages::store_sequenced(&state.db, author, &content, client_id.as_deref(), at)
                    .await;
            if let Ok((message, previous)) = &stored {
                // Another process may have stored one just before: it goes first.
                let cutoff = state.settings.retention_cutoff(at);
                let published = state
                    .hub
                    .publish_in_order(&state.db, cutoff, &mut last, message.clone(), *previous)
                    .await;
                if let Err(e) = published {
                    tracing::warn!(error = %e, "could not read messages stored elsewhere; replaying shortly");
                    fanout.request_replay();
                }
                fanout.message_stored(message.clone(), *previous);
            }
            stored.map(|(message, _)| message)
        }
    };
    if let Ok(message) = &stored {
        state.metrics.message_stored();
        if state.fanout.is_none() {
            state.hub.publish(&mut last, message.clone());
        }
    }
    drop(last);
    match stored {
        Ok(message) => Ok(Posted {
            message,
            created: true,
        }),
        // The same retry raced in on another connection and won.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            state.send_rate.give_back(author.id, now);
            let id = client_id.as_deref().unwrap_or_default();
            let message = messages::find_by_client_id(&state.db, author, id)
                .await?
                .ok_or_else(ChatError::unavailable)?;
            Ok(Posted {
                message,
                created: false,
            })
        }
        Err(e) => {
            state.send_rate.give_back(author.id, now);
            Err(e.into())
        }
    }
}
