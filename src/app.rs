//! The HTML shell and the routes.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::chat_page::ChatPage;
use crate::components::message_pages::{DeleteMessagePage, EditMessagePage};
use crate::components::not_found::NotFound;
use crate::components::options_page::OptionsPage;
use crate::components::sign_in_pages::{LoginPage, RegisterPage};

/// The pixel font's two faces, as `style/main.css` names them in its
/// `@font-face` rules (the names carry the files' content hash, so they are
/// cached for good).
const FONTS: [&str; 2] = [
    "/fonts/ms_sans_serif.11b5a68acb6b967d.woff2",
    "/fonts/ms_sans_serif_bold.5f3fbc5790b315fc.woff2",
];

/// Whether the page being rendered has islands (`#[island]` components, the
/// parts that move): only `/chat` does, and only it loads the WASM bundle.
/// The other pages are server HTML whose forms post without JavaScript.
/// (The shell renders on the server only, for one request.)
fn has_islands() -> bool {
    #[cfg(feature = "ssr")]
    return use_context::<axum::http::request::Parts>()
        .is_none_or(|parts| parts.uri.path() == "/chat");
    #[cfg(not(feature = "ssr"))]
    true
}

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                // The pixel font every window uses: fetched with the page, not
                // after the stylesheet (the names carry the files' content hash).
                {FONTS
                    .map(|href| {
                        view! { <link rel="preload" href=href r#as="font" type="font/woff2" crossorigin=""/> }
                    })}
                // With cargo-leptos's hash-files the bundle's names carry a content
                // hash (read from hash.txt beside the binary), so they can be cached forever.
                <HashedStylesheet options=options.clone() id="leptos"/>
                {has_islands().then(|| view! { <HydrationScripts options islands=true/> })}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Title formatter=|title| format!("{title} - chat98")/>
        <Router>
            <main class="desktop">
                <Routes fallback=NotFound>
                    // Async: the history is in the first HTML response, so the
                    // page works (and reads) without JavaScript.
                    <Route path=path!("/chat") view=ChatPage ssr=SsrMode::Async/>
                    // The edit and delete forms for browsers without JavaScript.
                    <Route
                        path=path!("/chat/messages/:id/edit")
                        view=EditMessagePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/chat/messages/:id/delete")
                        view=DeleteMessagePage
                        ssr=SsrMode::Async
                    />
                    // The preferences as a plain form (the Options menu without JavaScript).
                    <Route path=path!("/chat/options") view=OptionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
