//! The browser's own zone database, through `Intl.DateTimeFormat`: the
//! reader's zone, and wall-clock readings in a named zone. Using it keeps a
//! zone database out of the WASM bundle.

use std::cell::RefCell;

use leptos::wasm_bindgen::{JsCast, JsValue};
use leptos::web_sys::js_sys::{Array, Date, Function, Intl::DateTimeFormat, Object, Reflect};

use crate::times::{local_from_parts, Local};

thread_local! {
    /// One formatter per zone asked for (building one is the slow part); a
    /// zone the browser does not know is remembered as `None`.
    static FORMATS: RefCell<Vec<(String, Option<DateTimeFormat>)>> = const { RefCell::new(Vec::new()) };
}

/// The zone the browser runs in (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
pub fn browser_zone() -> Option<String> {
    let format = DateTimeFormat::new(&Array::new(), &Object::new());
    Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()?
        .as_string()
}

/// What the wall clock in `zone` reads `ms` after the epoch, if the browser
/// knows the zone.
pub fn local(ms: u64, zone: &str) -> Option<Local> {
    let format = formatter(zone)?;
    let parts = format.format_to_parts(&Date::new(&JsValue::from_f64(ms as f64)));
    let text = |part: &JsValue, key: &str| Reflect::get(part, &key.into()).ok()?.as_string();
    let pairs: Vec<(String, String)> = parts
        .iter()
        .filter_map(|part| Some((text(&part, "type")?, text(&part, "value")?)))
        .collect();
    local_from_parts(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// The cached formatter for `zone`, made on first use.
fn formatter(zone: &str) -> Option<DateTimeFormat> {
    FORMATS.with_borrow_mut(|formats| {
        if let Some((_, format)) = formats.iter().find(|(name, _)| name == zone) {
            return format.clone();
        }
        let format = new_formatter(zone);
        formats.push((zone.to_owned(), format.clone()));
        format
    })
}

/// `new Intl.DateTimeFormat("en-US", {timeZone, numeric parts, 24 hours})`,
/// built through `Reflect::construct` so that the `RangeError` for a zone
/// the browser does not know comes back as an error rather than a panic.
fn new_formatter(zone: &str) -> Option<DateTimeFormat> {
    let options = Object::new();
    let set = |key: &str, value: &str| Reflect::set(&options, &key.into(), &value.into()).ok();
    set("timeZone", zone)?;
    // Gregorian calendar, ASCII digits and 00-23 whatever the browser's locale.
    set("calendar", "gregory")?;
    set("numberingSystem", "latn")?;
    set("hourCycle", "h23")?;
    for part in ["year", "month", "day", "hour", "minute", "second"] {
        set(part, "numeric")?;
    }
    let intl = Reflect::get(&leptos::web_sys::js_sys::global(), &"Intl".into()).ok()?;
    let constructor: Function = Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let arguments = Array::of2(&"en-US".into(), &options);
    Reflect::construct(&constructor, &arguments)
        .ok()
        .map(JsCast::unchecked_into)
}
