//! The Win98-styled error page for unknown paths (served with status 404).

use leptos::prelude::*;
use leptos_meta::Title;

use super::window::Window;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }

    view! {
        <Title text="Page not found"/>
        <Window title="Error" class="dialog">
            <div class="dialog-content">
                <span class="dialog-icon dialog-icon-error" aria-hidden="true"></span>
                <div>
                    <p class="dialog-heading">"Page not found (404)"</p>
                    <p>"The page you asked for does not exist or has been moved."</p>
                </div>
            </div>
            <div class="dialog-buttons">
                <a class="button" href="/chat">"OK"</a>
            </div>
        </Window>
    }
}
