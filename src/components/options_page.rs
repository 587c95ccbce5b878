//! `/chat/options`: the preferences as a plain form, for browsers without
//! JavaScript (the menu bar's Options title leads here). It posts to the
//! server function the Options menu calls, and the browser returns to
//! `/chat`; with JavaScript the page goes there itself once saved.

use leptos::prelude::*;
use leptos::server::ServerAction;
use leptos_meta::Title;

use super::chat_page::JsonCodec;
use super::form_fields::FormAlert;
use super::menu_bar::alerts_label;
use super::message_pages::{refusal, return_to_chat_on_success};
use super::window::Window;
use crate::server_fns::{load_chat_page, SavePreferences};
use crate::types::{Alerts, Preferences};

#[component]
pub fn OptionsPage() -> impl IntoView {
    let page = Resource::<_, JsonCodec>::new_with_options(|| (), |_| load_chat_page(), false);
    let action = ServerAction::<SavePreferences>::new();
    return_to_chat_on_success(action.value().into());
    view! {
        <Title text="Options"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading your options..."</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(data) => view! { <OptionsForm preferences=data.preferences action/> }.into_any(),
                    Err(e) => refusal(e, "Options"),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OptionsForm(preferences: Preferences, action: ServerAction<SavePreferences>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    view! {
        <Window title="Options" class="dialog options-dialog">
            <ActionForm action=action>
                <div class="dialog-fields">
                    <AlertsChoice name="sound" legend="Sound" chosen=preferences.sound/>
                    <AlertsChoice
                        name="notifications"
                        legend="Desktop notifications"
                        chosen=preferences.notifications
                    />
                    <fieldset class="group-box">
                        <legend>"Typing"</legend>
                        <div class="field-row checkbox-row">
                            <input
                                id="show_typing"
                                name="show_typing"
                                type="checkbox"
                                value="on"
                                checked=preferences.show_typing
                            />
                            <label for="show_typing">"Show who is typing"</label>
                        </div>
                    </fieldset>
                    <p class="options-note">
                        "Sound and desktop notifications need JavaScript: they play in a browser that runs it."
                    </p>
                    <FormAlert error/>
                </div>
                <div class="dialog-buttons">
                    <button type="submit" disabled=pending>"OK"</button>
                    <a class="button" href="/chat">"Cancel"</a>
                </div>
            </ActionForm>
        </Window>
    }
}

/// A Win98 group box of three radio buttons: Off, Mentions, All messages.
#[component]
fn AlertsChoice(name: &'static str, legend: &'static str, chosen: Alerts) -> impl IntoView {
    let radios = Alerts::ALL
        .iter()
        .map(|&choice| {
            let id = format!("{name}-{}", choice.as_str());
            view! {
                <div class="field-row radio-row">
                    <input
                        id=id.clone()
                        type="radio"
                        name=name
                        value=choice.as_str()
                        checked=choice == chosen
                    />
                    <label for=id>{alerts_label(choice)}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="group-box">
            <legend>{legend} " (needs JavaScript)"</legend>
            {radios}
        </fieldset>
    }
}
