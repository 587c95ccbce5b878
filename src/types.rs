//! Plain serde types that cross the wire between the server and the browser.
//! Database entities stay on the server; these are what both sides agree on.

use serde::{Deserialize, Serialize};

/// The author of a message, as the seed's `UserSerializer` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, Hash))]
pub struct UserRef {
    pub id: i64,
    pub username: String,
}

/// A chat message, in the seed serializer's exact shape (plus `client_id`
/// when the sender gave one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, Hash))]
pub struct ChatMessage {
    /// Grows with insertion order; ordering is always by id.
    pub id: i64,
    pub user: UserRef,
    /// Plain text, trimmed; may contain newlines and tabs.
    pub content: String,
    /// RFC 3339 in UTC with a `Z`, microsecond precision.
    #[cfg_attr(feature = "ssr", schema(example = "2026-11-23T20:15:03.123456Z"))]
    pub timestamp: String,
    /// `YYYY-MM-DD HH:MM:SS` in UTC.
    #[cfg_attr(feature = "ssr", schema(example = "2026-11-23 20:15:03"))]
    pub formatted_timestamp: String,
    /// The sender's own id for the message, if it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// When the author last edited the message (RFC 3339 in UTC with a `Z`),
    /// or `null` if never.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(example = json!(null)))]
    pub edited_at: Option<String>,
    /// The existing users the text mentions with `@username`, each once, as
    /// their names are spelled (left out when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
}

impl ChatMessage {
    /// Whether the text mentions `username` (case-insensitive).
    pub fn mentions_user(&self, username: &str) -> bool {
        self.mentions
            .iter()
            .any(|name| name.eq_ignore_ascii_case(username))
    }
}

#[cfg(test)]
impl ChatMessage {
    /// A message for tests: `id` by user `author` (named `user{author}`).
    pub fn sample(id: i64, author: i64, content: &str) -> ChatMessage {
        ChatMessage {
            id,
            user: UserRef {
                id: author,
                username: format!("user{author}"),
            },
            content: content.into(),
            timestamp: String::new(),
            formatted_timestamp: String::new(),
            client_id: None,
            edited_at: None,
            mentions: Vec::new(),
        }
    }
}

/// Which messages a sound or a desktop notification is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Alerts {
    /// None.
    Off,
    /// Messages that mention you.
    #[default]
    Mentions,
    /// Every message from someone else.
    All,
}

impl Alerts {
    pub const ALL: [Alerts; 3] = [Alerts::Off, Alerts::Mentions, Alerts::All];

    pub fn as_str(self) -> &'static str {
        match self {
            Alerts::Off => "off",
            Alerts::Mentions => "mentions",
            Alerts::All => "all",
        }
    }

    /// The stored text (anything unknown is the default).
    pub fn parse(text: &str) -> Alerts {
        match text {
            "off" => Alerts::Off,
            "all" => Alerts::All,
            _ => Alerts::Mentions,
        }
    }

    /// Whether a message from someone else, mentioning you or not, alerts.
    pub fn covers(self, mentions_me: bool) -> bool {
        match self {
            Alerts::Off => false,
            Alerts::Mentions => mentions_me,
            Alerts::All => true,
        }
    }
}

/// A user's preferences, stored on the server (`GET`/`PUT /api/me/preferences`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Preferences {
    /// When the chime plays (only while the tab is hidden or for a mention).
    pub sound: Alerts,
    /// When a desktop notification is shown.
    pub notifications: Alerts,
    /// Whether "alice is typing..." is shown (and your own typing is sent).
    pub show_typing: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            sound: Alerts::Mentions,
            notifications: Alerts::Off,
            show_typing: true,
        }
    }
}

/// What a user may do: every user is a member; moderators may also delete
/// anyone's message and ban users.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[default]
    Member,
    Moderator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Moderator => "moderator",
        }
    }

    /// The role stored as `text` (anything unknown is a member).
    pub fn parse(text: &str) -> Role {
        match text {
            "moderator" => Role::Moderator,
            _ => Role::Member,
        }
    }
}

/// The signed-in user, as `GET /api/auth/me` shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub role: Role,
}

/// Who may create an account (`--registration`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Registration {
    /// Anyone.
    #[default]
    Open,
    /// Whoever knows the invite code.
    Invite,
    /// Nobody: accounts are made by the operator.
    Closed,
}

/// A ban: who, until when (`null`: until unbanned), why, and by whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Ban {
    pub user: UserRef,
    /// RFC 3339 in UTC, or `null` for a ban until unbanned.
    pub until: Option<String>,
    pub reason: Option<String>,
}

impl Ban {
    /// "You have been banned from this chat room until … ." with the reason.
    pub fn sentence(&self) -> String {
        banned_sentence(self.until.as_deref(), self.reason.as_deref())
    }
}

/// The sentence a banned user reads: `until` is RFC 3339 (shown as
/// `YYYY-MM-DD HH:MM UTC`) or `None` for a ban until further notice.
pub fn banned_sentence(until: Option<&str>, reason: Option<&str>) -> String {
    let until = match until {
        Some(t) if t.len() >= 16 => format!("{} {} UTC", &t[..10], &t[11..16]),
        Some(t) => t.to_string(),
        None => "further notice".to_string(),
    };
    let mut sentence = format!("You have been banned from this chat room until {until}.");
    if let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) {
        sentence.push_str(&format!(" Reason: {reason}"));
    }
    sentence
}

/// Everything the chat window needs for its first render.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatPageData {
    /// The most recent retained messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// The signed-in user (the page needs a session).
    pub me: UserRef,
    /// The retention in words, e.g. "3 days".
    pub retention_text: String,
    /// The retention in seconds: open pages drop messages as they expire.
    pub retention_secs: u64,
    /// Whether `messages` reaches back to the oldest retained message.
    pub history_complete: bool,
    /// The longest message the server accepts, in characters.
    pub max_message_chars: usize,
    /// A fresh client id for the composer's first message, so that a form
    /// posted twice without JavaScript is stored once.
    pub form_client_id: String,
    /// The signed-in user's role (moderators may delete anything and ban).
    pub role: Role,
    /// How long after sending a message its author may edit it, in seconds.
    pub edit_window_secs: u64,
    /// The signed-in user's preferences.
    pub preferences: Preferences,
    /// The newest message the user has seen (the unread divider sits after
    /// it), if known.
    pub last_read_id: Option<i64>,
    /// The reader's time zone (an IANA name from the `tz` cookie the
    /// browser keeps, checked by the server), or `None`: times show in UTC,
    /// labelled, until the browser says its zone.
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// How many messages one page of history holds.
pub const HISTORY_PAGE: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    fn message(formatted: &str) -> ChatMessage {
        ChatMessage {
            id: 1,
            user: UserRef {
                id: 1,
                username: "alice".into(),
            },
            content: "hi".into(),
            timestamp: "2026-11-23T20:15:03.123456Z".into(),
            formatted_timestamp: formatted.into(),
            client_id: None,
            edited_at: None,
            mentions: Vec::new(),
        }
    }

    #[test]
    fn serializes_in_the_seed_shape() {
        let json = serde_json::to_string(&message("2026-11-23 20:15:03")).expect("serializable");
        assert_eq!(
            json,
            r#"{"id":1,"user":{"id":1,"username":"alice"},"content":"hi","timestamp":"2026-11-23T20:15:03.123456Z","formatted_timestamp":"2026-11-23 20:15:03","edited_at":null}"#
        );
    }
}

#[cfg(test)]
mod ban_tests {
    use super::*;

    #[test]
    fn the_ban_sentence_says_until_when_and_why() {
        assert_eq!(
            banned_sentence(Some("2026-11-25T14:05:00.000000Z"), Some("spam")),
            "You have been banned from this chat room until 2026-11-25 14:05 UTC. Reason: spam"
        );
        assert_eq!(
            banned_sentence(None, Some("  ")),
            "You have been banned from this chat room until further notice."
        );
    }
}
