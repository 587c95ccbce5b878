//! The messages a `/chat` page starts with, carried once. The server renders
//! them as the island's rows and writes them as JSON in a data script beside
//! the island (`<script type="application/json" id="chat-history">`); the
//! island's props hold `null` in their place. The browser reads the script
//! when the island hydrates.
//!
//! Why not in the props: the props are JSON inside an HTML attribute, where
//! every `"` becomes `&quot;`, so 100 messages weighed 36 KB there, and
//! escaping them was 4 % of the server's time for the page (BENCHMARKS.md,
//! session 15). In a data script the JSON needs only its `<` escaped.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::types::ChatMessage;

/// The data script's element id.
pub const SCRIPT_ID: &str = "chat-history";

/// The page's first messages, oldest first: on the server, those it was made
/// with; in the browser, after the props are read, none until
/// [`PageHistory::into_messages`] reads the page's data script.
#[derive(Debug, Default)]
pub struct PageHistory(Vec<ChatMessage>);

impl PageHistory {
    pub fn new(messages: Vec<ChatMessage>) -> Self {
        PageHistory(messages)
    }

    /// The data script's text: the messages as JSON, with every `<` written
    /// `\u003c` so that no message can end the script or open a comment
    /// (`<` occurs in JSON only inside strings, where the escape means `<`).
    pub fn script_text(&self) -> String {
        let json = serde_json::to_string(&self.0).unwrap_or_else(|_| "[]".to_string());
        if json.contains('<') {
            json.replace('<', "\\u003c")
        } else {
            json
        }
    }

    /// The messages. In the browser they come from the page's data script;
    /// a page without a readable one starts empty (and says so in the
    /// console) rather than not at all.
    pub fn into_messages(self) -> Vec<ChatMessage> {
        #[cfg(feature = "hydrate")]
        if self.0.is_empty() {
            return read_script();
        }
        self.0
    }
}

#[cfg(feature = "hydrate")]
fn read_script() -> Vec<ChatMessage> {
    let text = leptos::prelude::document()
        .get_element_by_id(SCRIPT_ID)
        .and_then(|script| script.text_content());
    match text.map(|t| serde_json::from_slice::<Vec<ChatMessage>>(t.as_bytes())) {
        Some(Ok(messages)) => messages,
        Some(Err(e)) => {
            leptos::logging::error!("the page's history is unreadable: {e}");
            Vec::new()
        }
        None => {
            leptos::logging::error!("the page has no history script");
            Vec::new()
        }
    }
}

/// In the props the history is `null`: the data script carries it.
impl Serialize for PageHistory {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

impl<'de> Deserialize<'de> for PageHistory {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <()>::deserialize(deserializer)?;
        Ok(PageHistory::default())
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::types::UserRef;

    fn message(content: &str) -> ChatMessage {
        ChatMessage {
            id: 7,
            user: UserRef {
                id: 1,
                username: "ann".into(),
            },
            content: content.into(),
            timestamp: "2026-11-26T12:00:00.000000Z".into(),
            formatted_timestamp: "2026-11-26 12:00:00".into(),
            client_id: None,
            edited_at: None,
            mentions: Vec::new(),
        }
    }

    #[test]
    fn no_message_can_end_the_script_and_every_message_reads_back() {
        let sent = vec![
            message("</script><script>alert(1)</script>"),
            message("<!-- a < b -->"),
        ];
        let text = PageHistory::new(sent.clone()).script_text();
        assert!(!text.contains('<'), "{text}");
        let read: Vec<ChatMessage> = serde_json::from_str(&text).unwrap();
        assert_eq!(read, sent);
    }

    #[test]
    fn the_props_carry_none_of_it() {
        let props = serde_json::to_string(&PageHistory::new(vec![message("hi")])).unwrap();
        assert_eq!(props, "null");
        let back: PageHistory = serde_json::from_str(&props).unwrap();
        assert!(back.0.is_empty());
    }
}
