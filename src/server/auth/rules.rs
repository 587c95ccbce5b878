//! What makes a username or password acceptable, with a clear message per rule.

use std::collections::BTreeMap;

use crate::error::ChatError;

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

const BLANK: &str = "This field may not be blank.";

/// Sign-in only needs both fields present; the other rules are for new accounts.
pub fn check_filled(username: &str, password: &str) -> Result<(), ChatError> {
    let fields: BTreeMap<String, Vec<String>> = [("username", username), ("password", password)]
        .into_iter()
        .filter(|(_, value)| value.is_empty())
        .map(|(field, _)| (field.to_string(), vec![BLANK.to_string()]))
        .collect();
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ChatError::invalid(fields))
    }
}

/// Whether `username` (trimmed) is a name an account could have. A sign-in
/// with any other name fails before it touches a hash or a throttle counter.
pub fn could_be_username(username: &str) -> bool {
    username_problems(username).is_empty()
}

/// Checks both fields and reports every problem at once.
pub fn check_credentials(username: &str, password: &str) -> Result<(), ChatError> {
    let mut fields = BTreeMap::new();
    let username_errors = username_problems(username);
    if !username_errors.is_empty() {
        fields.insert("username".to_string(), username_errors);
    }
    let password_errors = password_problems(password);
    if !password_errors.is_empty() {
        fields.insert("password".to_string(), password_errors);
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ChatError::invalid(fields))
    }
}

fn username_problems(username: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let len = username.chars().count();
    if username.is_empty() {
        problems.push(BLANK.to_string());
        return problems;
    }
    if len < USERNAME_MIN {
        problems.push(format!("Use at least {USERNAME_MIN} characters."));
    }
    if len > USERNAME_MAX {
        problems.push(format!("Use at most {USERNAME_MAX} characters."));
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        problems.push("Use only letters (A-Z), digits, _ and -.".to_string());
    }
    problems
}

fn password_problems(password: &str) -> Vec<String> {
    let len = password.chars().count();
    if password.is_empty() {
        vec![BLANK.to_string()]
    } else if len < PASSWORD_MIN {
        vec![format!("Use at least {PASSWORD_MIN} characters.")]
    } else if len > PASSWORD_MAX {
        vec![format!("Use at most {PASSWORD_MAX} characters.")]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(u: &str, p: &str) -> BTreeMap<String, Vec<String>> {
        check_credentials(u, p)
            .err()
            .map(|e| e.fields)
            .unwrap_or_default()
    }

    #[test]
    fn good_credentials_pass() {
        assert!(check_credentials("Bob_98-x", "correct horse").is_ok());
        assert!(check_credentials(&"a".repeat(32), &"p".repeat(128)).is_ok());
    }

    #[test]
    fn only_names_an_account_could_have_are_looked_up() {
        assert!(could_be_username("alice"));
        assert!(!could_be_username(&"a".repeat(33)));
        assert!(!could_be_username(&"a".repeat(1_900_000)));
        assert!(!could_be_username("al ice"));
        assert!(!could_be_username("\u{200b}\u{200b}\u{200b}"));
    }

    #[test]
    fn names_of_only_formatting_characters_are_refused() {
        let zero_width = "\u{200b}\u{200c}\u{2060}\u{feff}";
        assert_eq!(
            fields(zero_width, "longenough")["username"],
            ["Use only letters (A-Z), digits, _ and -."]
        );
    }

    #[test]
    fn sign_in_only_needs_both_fields() {
        assert!(check_filled("a", "b").is_ok());
        let e = check_filled("", "").unwrap_err();
        assert_eq!(e.field("username"), [BLANK]);
        assert_eq!(e.field("password"), [BLANK]);
    }

    #[test]
    fn each_rule_has_its_message() {
        assert_eq!(
            fields("", "longenough")["username"],
            ["This field may not be blank."]
        );
        assert_eq!(
            fields("ab", "longenough")["username"],
            ["Use at least 3 characters."]
        );
        assert_eq!(
            fields(&"a".repeat(33), "longenough")["username"],
            ["Use at most 32 characters."]
        );
        assert_eq!(
            fields("bad name", "longenough")["username"],
            ["Use only letters (A-Z), digits, _ and -."]
        );
        assert_eq!(
            fields("élodie", "longenough")["username"],
            ["Use only letters (A-Z), digits, _ and -."]
        );
        assert_eq!(
            fields("alice", "short")["password"],
            ["Use at least 8 characters."]
        );
        assert_eq!(
            fields("alice", &"p".repeat(129))["password"],
            ["Use at most 128 characters."]
        );
        let both = fields("a b", "");
        assert_eq!(both.len(), 2);
    }
}
