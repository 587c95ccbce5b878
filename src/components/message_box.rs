//! Win98 modal windows: a title bar with a close X over a dimmed page, the
//! keyboard kept inside (Tab wraps, Escape cancels), and the message box
//! built on it: an icon, a sentence and its buttons.

use leptos::ev::KeyboardEvent;
use leptos::html::Section;
use leptos::prelude::*;

use super::focus::{focus_initial, trap_tab};

/// The icon left of a message box's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoxIcon {
    /// A yellow triangle: are you sure?
    Warning,
    /// A red disc with a white X: it cannot go on.
    Stop,
    /// A speech balloon with a blue question mark: Yes or No?
    Question,
}

impl BoxIcon {
    fn class(self) -> &'static str {
        match self {
            BoxIcon::Warning => "dialog-icon dialog-icon-warning",
            BoxIcon::Stop => "dialog-icon dialog-icon-error",
            BoxIcon::Question => "dialog-icon dialog-icon-question",
        }
    }
}

/// A modal Win98 window. `role` is `alertdialog` for message boxes and
/// `dialog` for forms; the focus starts on the child marked
/// `data-initial-focus` (or the first control), and `on_cancel` runs on
/// Escape and on the close X.
#[component]
pub fn ModalWindow(
    #[prop(into)] title: String,
    #[prop(default = "alertdialog")] role: &'static str,
    /// The id of the element whose text describes the dialog, if any.
    #[prop(optional)]
    described_by: Option<&'static str>,
    #[prop(into)] on_cancel: Callback<()>,
    children: Children,
) -> impl IntoView {
    let window = NodeRef::<Section>::new();
    // Once the window is in the page, move the focus into it.
    Effect::new(move |_| {
        if let Some(el) = window.get() {
            focus_initial(&el);
        }
    });
    let on_keydown = move |ev: KeyboardEvent| {
        let Some(el) = window.get_untracked() else {
            return;
        };
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                ev.stop_propagation();
                on_cancel.run(());
            }
            "Tab" if trap_tab(&el, ev.shift_key()) => ev.prevent_default(),
            _ => {}
        }
    };
    view! {
        <div class="modal-backdrop">
            <section
                class="window modal-window"
                role=role
                aria-modal="true"
                aria-labelledby="modal-title"
                aria-describedby=described_by
                node_ref=window
                on:keydown=on_keydown
            >
                <div class="title-bar">
                    <h2 class="title-bar-text" id="modal-title">{title}</h2>
                    <div class="title-bar-controls">
                        <button type="button" aria-label="Close" on:click=move |_| on_cancel.run(())></button>
                    </div>
                </div>
                <div class="window-body">{children()}</div>
            </section>
        </div>
    }
}

/// A message box: icon, sentence, buttons (the children), and the reason
/// the last attempt failed, if it did.
#[component]
pub fn MessageBox(
    #[prop(into)] title: String,
    icon: BoxIcon,
    #[prop(into)] text: String,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    children: Children,
) -> impl IntoView {
    view! {
        <ModalWindow title described_by="modal-text" on_cancel>
            <div class="dialog-content">
                <span class=icon.class() aria-hidden="true"></span>
                <div class="dialog-fields">
                    <p class="message-box-text" id="modal-text">{text}</p>
                    <DialogAlert error/>
                </div>
            </div>
            <div class="dialog-buttons message-box-buttons">{children()}</div>
        </ModalWindow>
    }
}

/// A dialog's error line, read out when it appears.
#[component]
pub fn DialogAlert(#[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="form-alert" role="alert">
            {move || error.get().map(|t| view! {
                <span class="dialog-icon-small" aria-hidden="true"></span>
                <span>{t}</span>
            })}
        </p>
    }
}
