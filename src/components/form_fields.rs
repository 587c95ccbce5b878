//! Labelled Win98 form rows with their inline error messages.

use leptos::prelude::*;

use crate::error::ChatError;

/// A label, a text box, and the messages the server had for this field.
#[component]
pub fn FormField(
    /// The input's name and id (what the server function reads).
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] autofocus: bool,
    /// The last answer from the server, if it was an error.
    error: Signal<Option<ChatError>>,
) -> impl IntoView {
    let messages = move || error.get().map(|e| e.field(name)).unwrap_or_default();
    let errors_id = format!("{name}-errors");
    view! {
        <div class="field-row">
            <label for=name>{label}</label>
            <input
                id=name
                name=name
                type=kind
                autocomplete=autocomplete
                autofocus=autofocus
                required
                aria-invalid=move || (!messages().is_empty()).to_string()
                aria-describedby=errors_id.clone()
            />
        </div>
        <ul class="field-errors" id=errors_id>
            {move || messages().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
        </ul>
    }
}

/// The error's sentence, unless the field messages already say it all.
#[component]
pub fn FormAlert(error: Signal<Option<ChatError>>) -> impl IntoView {
    let text = move || error.get().filter(|e| e.fields.is_empty()).map(|e| e.error);
    view! {
        <p class="form-alert" role="alert">
            {move || text().map(|t| view! {
                <span class="dialog-icon-small" aria-hidden="true"></span>
                <span>{t}</span>
            })}
        </p>
    }
}
