//! The chat window's Win98 menu bar: File (Log Off...) and Options (sound,
//! desktop notifications, showing who is typing), each title with its
//! access key underlined.
//!
//! The keyboard works as in Windows 98: Alt alone (pressed and released)
//! or F10 takes the focus to the bar and gives it back; Alt+F or Alt+O
//! opens a menu; Left and Right go from menu to menu, Up, Down, Home and
//! End within one; Enter or Space chooses; Escape closes the menu, then
//! leaves the bar. The bar is also one Tab stop.
//!
//! Without JavaScript the bar is plain text and links: Options leads to
//! the form at `/chat/options` (File has nothing to offer there and is
//! greyed). The menu roles and key handling arrive with hydration.

use leptos::ev::{KeyboardEvent, MouseEvent};
use leptos::html::Div;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlElement};

use super::focus::focused;
use super::hydrated::use_hydrated;
use super::menu::{focus_first, move_focus};
use crate::client::preferences::{use_preferences, PreferencesState};
use crate::types::{Alerts, Preferences};

/// The preferences form for browsers without JavaScript.
pub const OPTIONS_PAGE: &str = "/chat/options";

/// A menu's title: its access key (underlined) and the rest of the word,
/// and where the title leads without JavaScript.
struct MenuTitle {
    key: char,
    rest: &'static str,
    href: Option<&'static str>,
}

static MENUS: [MenuTitle; 2] = [
    MenuTitle {
        key: 'F',
        rest: "ile",
        href: None,
    },
    MenuTitle {
        key: 'O',
        rest: "ptions",
        href: Some(OPTIONS_PAGE),
    },
];
const FILE: usize = 0;

/// The words for each choice of alerts.
pub fn alerts_label(alerts: Alerts) -> &'static str {
    match alerts {
        Alerts::Off => "Off",
        Alerts::Mentions => "Mentions",
        Alerts::All => "All messages",
    }
}

thread_local! {
    /// Where the focus was before the menu bar took it (one bar per page).
    /// Only event handlers touch it, in the browser: a reactive value
    /// holding a DOM node would be made, and dropped, on the server too.
    static BEFORE: std::cell::RefCell<Option<HtmlElement>> = const { std::cell::RefCell::new(None) };
}

/// The bar's state: which menu is open (and `BEFORE`).
#[derive(Clone, Copy)]
struct Bar {
    open: RwSignal<Option<usize>>,
    root: NodeRef<Div>,
}

impl Bar {
    fn titles(self) -> Vec<HtmlElement> {
        self.root
            .get_untracked()
            .map(|root| super::focus::focusable_in(&root, ".menu-title"))
            .unwrap_or_default()
    }

    fn holds_focus(self) -> bool {
        let active = document().active_element();
        self.root
            .get_untracked()
            .is_some_and(|root| active.is_some_and(|a| root.contains(Some(&a))))
    }

    /// Takes the focus to the bar: to a title, or into the menu `open`.
    fn enter(self, open: Option<usize>) {
        if !self.holds_focus() {
            BEFORE.with_borrow_mut(|before| *before = focused());
        }
        match open {
            Some(i) => self.open.set(Some(i)),
            None => {
                self.open.set(None);
                self.focus_title(0);
            }
        }
    }

    /// Closes the menu and gives the focus back to where it was (to the
    /// menu's title if the bar was reached with Tab).
    fn leave(self) {
        let open = self.open.get_untracked();
        self.open.set(None);
        match BEFORE.with_borrow_mut(Option::take) {
            Some(el) => {
                let _ = el.focus();
            }
            None => {
                if let Some(i) = open {
                    self.focus_title(i);
                }
            }
        }
    }

    fn focus_title(self, i: usize) {
        if let Some(el) = self.titles().get(i) {
            let _ = el.focus();
        }
    }

    /// The title that has the focus, if one has.
    fn focused_title(self) -> Option<usize> {
        let active = document().active_element();
        self.titles()
            .iter()
            .position(|t| active.as_ref() == Some(t.unchecked_ref::<Element>()))
    }

    /// The open menu's element.
    fn popup(self) -> Option<Element> {
        let root = self.root.get_untracked()?;
        root.query_selector("[role=\"menu\"]").ok().flatten()
    }
}

fn next(i: usize) -> usize {
    (i + 1) % MENUS.len()
}

fn previous(i: usize) -> usize {
    (i + MENUS.len() - 1) % MENUS.len()
}

/// The menu whose access key is `letter` (case-insensitive).
fn menu_for(letter: &str) -> Option<usize> {
    let mut chars = letter.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return None;
    };
    MENUS.iter().position(|m| m.key.eq_ignore_ascii_case(&c))
}

#[component]
pub fn MenuBar(
    /// File > Log Off...: asks whether to log off.
    #[prop(into)]
    on_log_off: Callback<()>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let bar = Bar {
        open: RwSignal::new(None),
        root: NodeRef::new(),
    };
    listen_for_alt_and_f10(bar);
    let on_keydown = move |ev: KeyboardEvent| {
        let handled = match bar.open.get_untracked() {
            Some(i) => key_in_menu(bar, i, &ev),
            None => key_on_title(bar, &ev),
        };
        if handled {
            ev.prevent_default();
            ev.stop_propagation();
        }
    };
    let titles = MENUS
        .iter()
        .enumerate()
        .map(|(i, menu)| view! { <MenuBarTitle bar i menu hydrated on_log_off/> })
        .collect_view();
    view! {
        {move || bar.open.get().is_some().then(|| view! {
            // Catches the click outside the menu that closes it.
            <div class="menu-backdrop" on:mousedown=move |ev: MouseEvent| {
                ev.prevent_default();
                bar.leave();
            }></div>
        })}
        <div
            class="menu-bar"
            class:active=move || bar.open.get().is_some()
            role=move || hydrated.get().then_some("menubar")
            aria-label=move || hydrated.get().then_some("Chat Room")
            node_ref=bar.root
            on:keydown=on_keydown
        >
            {titles}
        </div>
    }
}

/// A key while a title has the focus and no menu is open.
fn key_on_title(bar: Bar, ev: &KeyboardEvent) -> bool {
    let at = bar.focused_title().unwrap_or(0);
    match ev.key().as_str() {
        "ArrowRight" => bar.focus_title(next(at)),
        "ArrowLeft" => bar.focus_title(previous(at)),
        "Home" => bar.focus_title(0),
        "End" => bar.focus_title(MENUS.len() - 1),
        "ArrowDown" | "ArrowUp" | "Enter" | " " => bar.open.set(Some(at)),
        "Escape" => bar.leave(),
        key if !ev.alt_key() && !ev.ctrl_key() && !ev.meta_key() => match menu_for(key) {
            Some(i) => bar.open.set(Some(i)),
            None => return false,
        },
        _ => return false,
    }
    true
}

/// A key inside the open menu `i`.
fn key_in_menu(bar: Bar, i: usize, ev: &KeyboardEvent) -> bool {
    match ev.key().as_str() {
        "ArrowRight" => bar.open.set(Some(next(i))),
        "ArrowLeft" => bar.open.set(Some(previous(i))),
        "Escape" => {
            bar.open.set(None);
            bar.focus_title(i);
        }
        "Tab" => bar.leave(),
        _ => return bar.popup().is_some_and(|menu| move_focus(&menu, ev)),
    }
    true
}

/// Alt alone and F10 go to the bar and back; Alt+letter opens a menu.
/// Not while a modal dialog has the page.
fn listen_for_alt_and_f10(bar: Bar) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |started: Option<()>| {
        use leptos::ev::{keydown, keyup};
        use std::cell::Cell;
        use std::rc::Rc;
        if started.is_some() {
            return;
        }
        let modal = || {
            document()
                .query_selector("[aria-modal=\"true\"]")
                .ok()
                .flatten()
                .is_some()
        };
        // Alt counts as "alone" until another key goes down with it.
        let alone = Rc::new(Cell::new(false));
        let down_alone = alone.clone();
        let down = window_event_listener(keydown, move |ev| {
            let key = ev.key();
            down_alone.set(key == "Alt");
            if key == "Alt" || modal() || ev.ctrl_key() || ev.meta_key() {
                return;
            }
            if key == "F10" && !ev.shift_key() {
                ev.prevent_default();
                if bar.holds_focus() {
                    bar.leave();
                } else {
                    bar.enter(None);
                }
            } else if ev.alt_key() {
                let letter = ev.code().strip_prefix("Key").map(str::to_string);
                if let Some(i) = letter.as_deref().and_then(menu_for) {
                    ev.prevent_default();
                    bar.enter(Some(i));
                }
            }
        });
        let up = window_event_listener(keyup, move |ev| {
            if ev.key() != "Alt" || !alone.replace(false) || modal() {
                return;
            }
            ev.prevent_default();
            if bar.holds_focus() {
                bar.leave();
            } else {
                bar.enter(None);
            }
        });
        on_cleanup(move || {
            down.remove();
            up.remove();
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = bar;
}

/// One title of the bar, and its menu while open.
#[component]
fn MenuBarTitle(
    bar: Bar,
    i: usize,
    menu: &'static MenuTitle,
    hydrated: Signal<bool>,
    on_log_off: Callback<()>,
) -> impl IntoView {
    let is_open = move || bar.open.get() == Some(i);
    let popup_id = format!("menu-{i}");
    let title_id = format!("menu-title-{i}");
    let on_mousedown = move |ev: MouseEvent| {
        // The focus stays where it was until a menu item takes it.
        ev.prevent_default();
        if is_open() {
            bar.leave();
        } else {
            bar.enter(Some(i));
        }
    };
    view! {
        <div class="menu-bar-entry" role="none">
            <a
                class="menu-title"
                class:disabled=move || !hydrated.get() && menu.href.is_none()
                id=title_id.clone()
                href=menu.href
                role=move || hydrated.get().then_some("menuitem")
                tabindex=move || hydrated.get().then_some(if i == 0 { "0" } else { "-1" })
                aria-haspopup=move || hydrated.get().then_some("menu")
                aria-expanded=move || hydrated.get().then(|| is_open().to_string())
                aria-controls=move || is_open().then(|| popup_id.clone())
                aria-keyshortcuts=move || hydrated.get().then(|| format!("Alt+{}", menu.key))
                on:mousedown=on_mousedown
                on:click=|ev: MouseEvent| ev.prevent_default()
                on:mouseenter=move |_| {
                    if bar.open.get_untracked().is_some_and(|open| open != i) {
                        bar.open.set(Some(i));
                    }
                }
            >
                <span class="access-key">{menu.key}</span>
                {menu.rest}
            </a>
            {move || is_open().then(|| view! { <Dropdown bar i title_id=title_id.clone() on_log_off/> })}
        </div>
    }
}

/// An open menu: its first item takes the focus.
#[component]
fn Dropdown(bar: Bar, i: usize, title_id: String, on_log_off: Callback<()>) -> impl IntoView {
    let list = NodeRef::<Div>::new();
    Effect::new(move |_| {
        if let Some(el) = list.get() {
            focus_first(&el);
        }
    });
    let items = if i == FILE {
        view! {
            <div
                role="menuitem"
                tabindex="-1"
                class="menu-item"
                on:click=move |_| {
                    bar.leave();
                    on_log_off.run(());
                }
            >
                "Log Off..."
            </div>
        }
        .into_any()
    } else {
        use_preferences()
            .map(|prefs| view! { <OptionsItems bar prefs/> })
            .into_any()
    };
    view! {
        <div
            class="menu-popup menu-dropdown"
            id=format!("menu-{i}")
            role="menu"
            aria-labelledby=title_id
            node_ref=list
        >
            {items}
        </div>
    }
}

/// Options: sound, desktop notifications (each Off / Mentions / All
/// messages, a Win98 bullet on the one in force) and Show typing (a check
/// mark). Choosing saves at once and closes the menu.
#[component]
fn OptionsItems(bar: Bar, prefs: PreferencesState) -> impl IntoView {
    let typing = move || prefs.current.with(|p| p.show_typing);
    view! {
        <AlertsGroup bar prefs label="Sound" read=|p| p.sound write=|p, a| p.sound = a/>
        <div role="separator" class="menu-separator"></div>
        <AlertsGroup
            bar
            prefs
            label="Notifications"
            read=|p| p.notifications
            write=|p, a| p.notifications = a
        />
        <div role="separator" class="menu-separator"></div>
        <div
            role="menuitemcheckbox"
            tabindex="-1"
            class="menu-item"
            aria-checked=move || typing().to_string()
            on:click=move |_| {
                prefs.change(|p| p.show_typing = !p.show_typing);
                bar.leave();
            }
        >
            "Show typing"
        </div>
    }
}

/// One radio group of the Options menu.
#[component]
fn AlertsGroup(
    bar: Bar,
    prefs: PreferencesState,
    label: &'static str,
    read: fn(&Preferences) -> Alerts,
    write: fn(&mut Preferences, Alerts),
) -> impl IntoView {
    let group_label = if label == "Notifications" {
        "Desktop notifications"
    } else {
        label
    };
    let items = Alerts::ALL
        .iter()
        .map(|&choice| {
            let checked = move || prefs.current.with(|p| read(p) == choice).to_string();
            view! {
                <div
                    role="menuitemradio"
                    tabindex="-1"
                    class="menu-item"
                    aria-checked=checked
                    on:click=move |_| {
                        prefs.change(|p| write(p, choice));
                        bar.leave();
                    }
                >
                    {format!("{label}: {}", alerts_label(choice))}
                </div>
            }
        })
        .collect_view();
    view! {
        <div role="group" aria-label=group_label>
            {items}
        </div>
    }
}
