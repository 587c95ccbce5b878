//! A message's text on the page, with its web addresses as links (the rules
//! are `crate::message_text`'s): text nodes and `<a>` elements, never HTML.

use leptos::prelude::*;

use crate::message_text::{pieces, Piece, LINK_REL};

#[component]
pub fn MessageText(text: String) -> impl IntoView {
    pieces(&text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(t) => t.to_owned().into_any(),
            Piece::Link { text, href, title } => view! {
                <a href=href target="_blank" rel=LINK_REL title=title>{text.to_owned()}</a>
            }
            .into_any(),
        })
        .collect_view()
}
