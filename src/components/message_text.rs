//! A message's text on the page, with its web addresses as links and the
//! users it mentions in bold (the rules are `crate::message_text`'s): text
//! nodes, `<a>` and `<strong>` elements, never HTML.

use leptos::prelude::*;

use crate::message_text::{pieces_with_mentions, Piece, LINK_REL};

#[component]
pub fn MessageText(
    text: String,
    /// The users the message mentions (`ChatMessage::mentions`).
    mentions: Vec<String>,
) -> impl IntoView {
    pieces_with_mentions(&text, &mentions)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(t) => t.to_owned().into_any(),
            Piece::Mention(m) => {
                view! { <strong class="mention">{m.to_owned()}</strong> }.into_any()
            }
            Piece::Link { text, href, title } => view! {
                <a href=href target="_blank" rel=LINK_REL title=title>{text.to_owned()}</a>
            }
            .into_any(),
        })
        .collect_view()
}
