//! Sending a message, the same way from every door (REST API, the composer's
//! server function, the websocket): check it, recognise a retry, apply the
//! sender's rate, store it.

use std::collections::BTreeMap;

use super::rules::{clean_client_id, clean_content, REQUIRED};
use super::store::{self as messages, NewMessage};
use super::writer::Outcome;
use crate::error::ChatError;
use crate::server::entities::user;
use crate::server::http::request_timeout::Commitment;
use crate::server::limits::Charge;
use crate::server::limits::{Limits, Rule};
use crate::server::settings::Settings;

/// What sending a message takes: its rules, its rate, the writer.
#[derive(Clone, Debug)]
pub struct Posting {
    pub db: sea_orm::DatabaseConnection,
    pub settings: std::sync::Arc<Settings>,
    pub limits: std::sync::Arc<Limits>,
    /// Each user's message rate.
    pub message_rule: Rule,
    pub writer: super::writer::MessageWriter,
}
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
        None => Err(vec![REQUIRED.to_owned()]),
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

/// Sends `submission` as `author`. `commitment` is the request's, when it
/// has a timeout (see [`Commitment`]).
pub async fn post(
    state: &Posting,
    author: &user::Model,
    submission: &Submission,
    commitment: Option<Commitment>,
) -> Result<Posted, ChatError> {
    let (content, client_id) = check(submission, state.settings.messages.max_message_chars)?;
    let charge = Charge::new(state.message_rule, author.id);
    let reservation = match state.limits.take(vec![charge]).await {
        Ok(reservation) => reservation,
        // A retry is answered even at the limit: it stores nothing.
        Err(denied) => {
            return match &client_id {
                Some(id) => match messages::find_by_client_id(&state.db, author, id).await? {
                    Some(message) => Ok(Posted {
                        message,
                        created: false,
                    }),
                    None => Err(ChatError::sending_too_fast(denied.wait)),
                },
                None => Err(ChatError::sending_too_fast(denied.wait)),
            }
        }
    };
    let mentions = match super::mentions::resolve(&state.db, &content).await {
        Ok(mentions) => mentions,
        Err(e) => {
            state.limits.give_back(reservation).await;
            return Err(e.into());
        }
    };
    let new = NewMessage {
        author: author.clone(),
        content,
        client_id: client_id.clone(),
        mentions,
    };
    let outcome = state.writer.store(new, commitment).await;
    match outcome {
        Ok(Outcome::Stored(message)) => Ok(Posted {
            message,
            created: true,
        }),
        // A retry of a message stored before: it did not count.
        Ok(Outcome::AlreadyStored) => {
            state.limits.give_back(reservation).await;
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
            state.limits.give_back(reservation).await;
            Err(e.into())
        }
    }
}
