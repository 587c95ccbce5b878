//! Sending without the websocket: `POST /api/chat/messages/` with the same
//! client id, so a message that also went over a dying socket is stored once.

/// Posts `content` under `client_id`; the stored message, or a sentence
/// saying why not.
#[cfg(feature = "hydrate")]
pub async fn post_message(
    content: &str,
    client_id: &str,
) -> Result<crate::types::ChatMessage, String> {
    use leptos::prelude::window;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{RequestInit, Response};

    let unreachable = |_| "Could not reach the chat server. Please try again.".to_string();
    let body = serde_json::json!({ "content": content, "client_id": client_id }).to_string();
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&body.into());
    let headers = web_sys::Headers::new().map_err(unreachable)?;
    headers
        .set("content-type", "application/json")
        .map_err(unreachable)?;
    init.set_headers(&headers);
    let answer = JsFuture::from(window().fetch_with_str_and_init("/api/chat/messages/", &init))
        .await
        .map_err(unreachable)?;
    let response: Response = answer.dyn_into().map_err(unreachable)?;
    let text = JsFuture::from(response.text().map_err(unreachable)?)
        .await
        .map_err(unreachable)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        return serde_json::from_str(&text).map_err(|_| {
            "The chat server's answer could not be read. Please try again.".to_string()
        });
    }
    Err(reason(&text, response.status()))
}

/// The sentence in an error body: `{"detail": ...}` or the first field message.
pub fn reason(body: &str, status: u16) -> String {
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    if let Some(detail) = value.get("detail").and_then(|d| d.as_str()) {
        return detail.to_owned();
    }
    value
        .as_object()
        .and_then(|fields| fields.values().next())
        .and_then(|messages| messages.get(0))
        .and_then(|m| m.as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("The chat server refused the message ({status})."))
}

#[cfg(test)]
mod tests {
    use super::reason;

    #[test]
    fn error_bodies_become_sentences() {
        assert_eq!(reason(r#"{"detail":"Slow down."}"#, 429), "Slow down.");
        assert_eq!(
            reason(r#"{"content":["This field may not be blank."]}"#, 400),
            "This field may not be blank."
        );
        assert_eq!(
            reason("oops", 502),
            "The chat server refused the message (502)."
        );
    }
}
