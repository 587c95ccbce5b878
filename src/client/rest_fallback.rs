//! Sending without the websocket: `POST /api/chat/messages/` with the same
//! client id, so a message that also went over a dying socket is stored once.

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Posts `content` under `client_id`; the stored message, or a sentence
/// saying why not.
#[cfg(feature = "hydrate")]
pub async fn post_message(
    content: &str,
    client_id: &str,
) -> Result<crate::types::ChatMessage, String> {
    use gloo_net::http::Request;

    let unreachable = |_| "Could not reach the chat server. Please try again.".to_string();
    // A plain struct: `serde_json::Value` would add code to the WASM bundle.
    #[derive(serde::Serialize)]
    struct Body<'a> {
        client_id: &'a str,
        content: &'a str,
    }
    let body = serde_json::to_string(&Body { client_id, content }).unwrap_or_default();
    let response = Request::post("/api/chat/messages/")
        .header("content-type", "application/json")
        .body(body)
        .map_err(unreachable)?
        .send()
        .await
        .map_err(unreachable)?;
    let text = response.text().await.map_err(unreachable)?;
    if response.ok() {
        return serde_json::from_slice(text.as_bytes()).map_err(|_| {
            "The chat server's answer could not be read. Please try again.".to_string()
        });
    }
    Err(reason(&text, response.status()))
}

/// The sentence in an error body: `{"detail": ...}` or the first field message.
pub fn reason(body: &str, status: u16) -> String {
    let body: ErrorBody = serde_json::from_slice(body.as_bytes()).unwrap_or_default();
    body.detail
        .and_then(|d| d.text)
        .or_else(|| body.first_field.and_then(|(_, f)| f.first))
        .unwrap_or_else(|| format!("The chat server refused the message ({status})."))
}

/// What `reason` needs of a JSON object: its `detail`, and the value under the
/// key that sorts first (as in a `BTreeMap`; a repeated key keeps its last value).
#[derive(Default)]
struct ErrorBody {
    detail: Option<Loose>,
    first_field: Option<(String, Loose)>,
}

impl<'de> Deserialize<'de> for ErrorBody {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ErrorBodyVisitor)
    }
}

struct ErrorBodyVisitor;

impl<'de> Visitor<'de> for ErrorBodyVisitor {
    type Value = ErrorBody;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ErrorBody, A::Error> {
        let mut body = ErrorBody::default();
        while let Some((key, value)) = map.next_entry::<String, Loose>()? {
            if key == "detail" {
                body.detail = Some(Loose {
                    text: value.text.clone(),
                    first: None,
                });
            }
            if body
                .first_field
                .as_ref()
                .is_none_or(|(first, _)| key <= *first)
            {
                body.first_field = Some((key, value));
            }
        }
        Ok(body)
    }
}

/// What `reason` needs of a JSON value: the string it is, or the string
/// first in the array it is. (Cheaper in the WASM bundle than `serde_json::Value`.)
#[derive(Default)]
struct Loose {
    text: Option<String>,
    first: Option<String>,
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Loose, E> {
        Ok(Loose::default())
    }

    fn visit_i64<E>(self, _: i64) -> Result<Loose, E> {
        Ok(Loose::default())
    }

    fn visit_u64<E>(self, _: u64) -> Result<Loose, E> {
        Ok(Loose::default())
    }

    fn visit_f64<E>(self, _: f64) -> Result<Loose, E> {
        Ok(Loose::default())
    }

    fn visit_unit<E>(self) -> Result<Loose, E> {
        Ok(Loose::default())
    }

    fn visit_str<E>(self, text: &str) -> Result<Loose, E> {
        Ok(Loose {
            text: Some(text.to_owned()),
            first: None,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        let first = seq.next_element::<Loose>()?.and_then(|l| l.text);
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Loose { text: None, first })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Loose::default())
    }
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
            reason(r#"{"detail":7,"b":{"x":[1]},"a":[["n"],"x"]}"#, 400),
            "The chat server refused the message (400)."
        );
        assert_eq!(reason(r#"{"detail":["first"],"z":"s"}"#, 400), "first");
        assert_eq!(
            reason(r#"{"z":["zz"],"a":[null,"x"],"detail":null}"#, 400),
            "The chat server refused the message (400)."
        );
        assert_eq!(
            reason(r#"{"b":["bb"],"a":[]}"#, 400),
            "The chat server refused the message (400)."
        );
        assert_eq!(
            reason(r#"["x"]"#, 400),
            "The chat server refused the message (400)."
        );
        assert_eq!(
            reason("oops", 502),
            "The chat server refused the message (502)."
        );
    }
}
