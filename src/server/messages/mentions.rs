//! Who a message mentions, on the server: the `@name` candidates in its text
//! (`crate::message_text::mentions`) looked up among the users when the
//! message is stored or edited, kept on the message row as the names spelled
//! as the users spell them, separated by spaces; and `?mentions=me`.
//!
//! A column rather than a table of (message, user) pairs: every read of a
//! message needs the names (the page marks them), and one row then carries
//! everything the wire shape needs. Finding the messages that mention a user
//! is a scan of the retained messages (three days), with the name matched
//! as a whole word.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use crate::message_text::mentions::candidates;
use crate::server::entities::{message, user};

/// The existing users `content` mentions, spelled as they spell their names,
/// in the order first mentioned. One query, for at most 50 names.
pub async fn resolve(db: &impl ConnectionTrait, content: &str) -> Result<Vec<String>, DbErr> {
    let wanted: Vec<String> = candidates(content)
        .into_iter()
        .map(str::to_ascii_lowercase)
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let lower = Func::lower(Expr::col(user::Column::Username));
    let found: Vec<String> = user::Entity::find()
        .select_only()
        .column(user::Column::Username)
        .filter(lower.is_in(wanted.clone()))
        .into_tuple()
        .all(db)
        .await?;
    let mut names = Vec::with_capacity(found.len());
    for want in &wanted {
        if let Some(name) = found.iter().find(|n| n.eq_ignore_ascii_case(want)) {
            names.push(name.clone());
        }
    }
    Ok(names)
}

/// The column's text for `names`.
pub fn encode(names: &[String]) -> String {
    names.join(" ")
}

/// The names in the column's text.
pub fn decode(column: &str) -> Vec<String> {
    column.split_whitespace().map(str::to_owned).collect()
}

/// Messages that mention `username` (whole name, any letter case): the
/// column, padded with spaces, holds ` name `. `_` is a LIKE wildcard and a
/// username may contain it, so it is escaped.
pub fn mentioning(username: &str) -> Condition {
    let escaped: String = username
        .to_ascii_lowercase()
        .chars()
        .flat_map(|c| match c {
            '_' | '%' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    // `||` joins text on SQLite and PostgreSQL alike.
    let padded = Expr::cust(r#"(' ' || lower("messages"."mentions") || ' ')"#);
    Condition::all()
        .add(message::Column::Mentions.ne(""))
        .add(padded.like(LikeExpr::new(format!("% {escaped} %")).escape('\\')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_column_round_trips() {
        let names = vec!["alice".to_string(), "Bob_2".to_string()];
        assert_eq!(encode(&names), "alice Bob_2");
        assert_eq!(decode(&encode(&names)), names);
        assert!(decode("").is_empty());
    }
}
