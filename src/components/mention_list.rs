//! The composer's name completion: a small Win98 list box above the text
//! box, offered after `@` and two characters (`client::mention_completion`
//! decides what it holds), and the glue to the text box (its caret, keys and
//! text). The text box keeps the focus; the active option is its
//! `aria-activedescendant`.

use leptos::ev::KeyboardEvent;
use leptos::html::Textarea;
use leptos::prelude::*;

use crate::client::mention_completion::{complete, suggestions, typed_at};

/// The list's element id (the text box's `aria-controls`).
pub const LIST_ID: &str = "mention-list";

/// The id of option `index` (the text box's `aria-activedescendant`).
pub fn option_id(index: usize) -> String {
    format!("mention-option-{index}")
}

/// An open completion: where the `@name` starts and ends (bytes), what it
/// may become, and which one is active.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub start: usize,
    pub caret: usize,
    pub names: Vec<String>,
    pub active: usize,
}

impl Completion {
    /// Moves the active option by `step`, wrapping around.
    pub fn step(&mut self, step: isize) {
        let n = self.names.len() as isize;
        if n > 0 {
            self.active = (self.active as isize + step).rem_euclid(n) as usize;
        }
    }
}

/// Byte offset in `text` of the UTF-16 offset `units` (what the DOM counts).
fn utf16_to_byte(text: &str, units: u32) -> usize {
    let mut seen = 0u32;
    for (i, c) in text.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16() as u32;
    }
    text.len()
}

/// The caret's byte offset in the text box (its end when unknown).
fn caret_of(input: NodeRef<Textarea>, text: &str) -> usize {
    input
        .get_untracked()
        .and_then(|el| el.selection_start().ok().flatten())
        .map_or(text.len(), |units| utf16_to_byte(text, units))
}

/// The composer's name completion: what is open, and the text box it fills.
#[derive(Clone, Copy)]
pub struct NameCompleter {
    completion: RwSignal<Option<Completion>>,
    draft: RwSignal<String>,
    input: NodeRef<Textarea>,
    /// People online, then others.
    names: Signal<(Vec<String>, Vec<String>)>,
    me: StoredValue<String>,
}

impl NameCompleter {
    pub fn new(
        draft: RwSignal<String>,
        input: NodeRef<Textarea>,
        names: Signal<(Vec<String>, Vec<String>)>,
        me: StoredValue<String>,
    ) -> Self {
        NameCompleter {
            completion: RwSignal::new(None),
            draft,
            input,
            names,
            me,
        }
    }

    /// Opens, updates or closes the list for the text as typed.
    pub fn refresh(&self, text: &str) {
        let caret = caret_of(self.input, text);
        let me = self.me.get_value();
        let found = typed_at(text, caret).map(|(start, typed)| Completion {
            start,
            caret,
            names: self
                .names
                .with_untracked(|(online, others)| suggestions(typed, online, others, &me)),
            active: 0,
        });
        self.completion.set(found.filter(|c| !c.names.is_empty()));
    }

    pub fn close(&self) {
        self.completion.set(None);
    }

    /// The list's id while it is open (the text box's `aria-controls`).
    pub fn list_id(&self) -> Option<&'static str> {
        self.completion.with(|c| c.is_some().then_some(LIST_ID))
    }

    /// The active option's id (the text box's `aria-activedescendant`).
    pub fn active_id(&self) -> Option<String> {
        self.completion
            .with(|c| c.as_ref().map(|c| option_id(c.active)))
    }

    /// Puts name `index` in the text and the caret after it.
    pub fn pick(&self, index: usize) {
        let Some(c) = self.completion.get_untracked() else {
            return;
        };
        self.completion.set(None);
        let Some(name) = c.names.get(index) else {
            return;
        };
        let (text, caret) = complete(&self.draft.get_untracked(), c.start, c.caret, name);
        let units = text[..caret].encode_utf16().count() as u32;
        self.draft.set(text.clone());
        if let Some(el) = self.input.get_untracked() {
            el.set_value(&text);
            let _ = el.set_selection_range(units, units);
        }
    }

    /// The list's keys while it is open: Up/Down move, Enter/Tab pick,
    /// Escape closes. True when the key was the list's.
    pub fn key(&self, ev: &KeyboardEvent) -> bool {
        let completion = self.completion;
        let Some(active) = completion.with_untracked(|c| c.as_ref().map(|c| c.active)) else {
            return false;
        };
        match ev.key().as_str() {
            "ArrowDown" => completion.update(|c| c.iter_mut().for_each(|c| c.step(1))),
            "ArrowUp" => completion.update(|c| c.iter_mut().for_each(|c| c.step(-1))),
            "Enter" | "Tab" if !ev.shift_key() => self.pick(active),
            "Escape" => completion.set(None),
            _ => return false,
        }
        ev.prevent_default();
        true
    }
}

#[component]
pub fn MentionList(completer: NameCompleter) -> impl IntoView {
    move || {
        completer.completion.get().map(|c| {
            let options = c
                .names
                .into_iter()
                .enumerate()
                .map(|(i, name)| {
                    let active = i == c.active;
                    view! {
                        <li
                            id=option_id(i)
                            role="option"
                            class:active=active
                            aria-selected=active.to_string()
                            // Before the text box loses the focus.
                            on:mousedown=move |ev| {
                                ev.prevent_default();
                                completer.pick(i);
                            }
                        >
                            {name}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <ul id=LIST_ID class="mention-list" role="listbox" aria-label="People to mention">
                    {options}
                </ul>
            }
        })
    }
}
