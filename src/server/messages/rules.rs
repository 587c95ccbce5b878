//! What a message may contain. Shared so the composer and the server agree;
//! the server always checks again. Messages read like the seed's serializer
//! errors ("This field may not be blank.").

/// The longest client id a sender may attach.
pub const MAX_CLIENT_ID_CHARS: usize = 64;

pub const REQUIRED: &str = "This field is required.";
pub const NOT_NULL: &str = "This field may not be null.";
pub const NOT_A_STRING: &str = "Not a valid string.";
pub const BLANK: &str = "This field may not be blank.";
pub const CONTROL_CHARACTERS: &str =
    "This field may not contain control characters other than newline and tab.";

fn too_long(max_chars: usize) -> String {
    format!("Ensure this field has no more than {max_chars} characters.")
}

/// Line breaks as browsers submit them (CRLF) become plain newlines.
fn normalize_newlines(raw: &str) -> String {
    raw.replace("\r\n", "\n")
}

/// The content as stored: trimmed like the seed serializer does, newlines
/// normalized; or the reasons it cannot be sent.
pub fn clean_content(raw: &str, max_chars: usize) -> Result<String, Vec<String>> {
    let content = normalize_newlines(raw).trim().to_owned();
    if content.is_empty() {
        return Err(vec![BLANK.into()]);
    }
    let mut errors = Vec::new();
    if content.chars().count() > max_chars {
        errors.push(too_long(max_chars));
    }
    if content
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        errors.push(CONTROL_CHARACTERS.into());
    }
    if errors.is_empty() {
        Ok(content)
    } else {
        Err(errors)
    }
}

/// A client id is optional (blank counts as none) and is visible ASCII.
pub fn clean_client_id(raw: Option<&str>) -> Result<Option<String>, Vec<String>> {
    let Some(id) = raw.map(str::trim).filter(|id| !id.is_empty()) else {
        return Ok(None);
    };
    let mut errors = Vec::new();
    if id.chars().count() > MAX_CLIENT_ID_CHARS {
        errors.push(too_long(MAX_CLIENT_ID_CHARS));
    }
    if !id.chars().all(|c| c.is_ascii_graphic()) {
        errors.push("Client ids may only contain visible ASCII characters.".into());
    }
    if errors.is_empty() {
        Ok(Some(id.to_owned()))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_trimmed_and_checked() {
        assert_eq!(clean_content("  hi\r\nthere\t ", 10).unwrap(), "hi\nthere");
        assert_eq!(clean_content(" \n\t ", 10).unwrap_err(), vec![BLANK]);
        assert_eq!(
            clean_content("abcdefghijk", 10).unwrap_err(),
            vec!["Ensure this field has no more than 10 characters."]
        );
        // Characters, not bytes: ten emoji fit in ten.
        assert!(clean_content(&"😀".repeat(10), 10).is_ok());
        assert_eq!(
            clean_content("a\0b", 10).unwrap_err(),
            vec![CONTROL_CHARACTERS]
        );
        assert_eq!(
            clean_content("a\rb", 10).unwrap_err(),
            vec![CONTROL_CHARACTERS]
        );
        assert_eq!(
            clean_content("a\u{7f}b", 10).unwrap_err(),
            vec![CONTROL_CHARACTERS]
        );
        assert_eq!(clean_content("<b>x</b>", 10).unwrap(), "<b>x</b>");
    }

    #[test]
    fn client_ids_are_optional_short_visible_ascii() {
        assert_eq!(clean_client_id(None).unwrap(), None);
        assert_eq!(clean_client_id(Some("  ")).unwrap(), None);
        assert_eq!(
            clean_client_id(Some("a-1")).unwrap().as_deref(),
            Some("a-1")
        );
        assert!(clean_client_id(Some(&"x".repeat(65))).is_err());
        assert!(clean_client_id(Some(&"x".repeat(64))).is_ok());
        assert!(clean_client_id(Some("a b")).is_err());
        assert!(clean_client_id(Some("é")).is_err());
    }
}
