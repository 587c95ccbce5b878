//! The history's rows as the server renders them: each row is rendered by
//! its component the first time a page shows it, and its HTML is copied
//! into every later page that shows the same row to the same kind of reader
//! (`server::messages::prepared` keeps the rows and says what a key holds).
//! The list around them is written as the keyed list writes it, so the
//! browser hydrates the page as if the server had rendered every row.
//! In the browser, and on a server that keeps no rows, the list is simply
//! the keyed list of components.

use leptos::prelude::*;

use crate::client::conversation::Conversation;
use crate::client::message_changes::MessageActions;
use crate::times::Row;
use crate::types::ChatMessage;

/// The history's rows: on the server the HTML of `keyed` (the keyed list of
/// `row_view`s) from the prepared rows.
#[cfg(feature = "ssr")]
pub fn history_rows<V: IntoView + 'static>(
    conversation: Conversation,
    actions: MessageActions,
    keyed: impl FnOnce() -> V + Send + 'static,
    row_view: impl Fn(Row<ChatMessage>) -> AnyView + Send + Sync + 'static,
) -> AnyView {
    server::history_rows(conversation, actions, move || keyed().into_any(), row_view)
}

/// The history's rows: in the browser, `keyed` itself.
#[cfg(not(feature = "ssr"))]
pub fn history_rows<V: IntoView>(
    _conversation: Conversation,
    _actions: MessageActions,
    keyed: impl FnOnce() -> V,
    _row_view: impl Fn(Row<ChatMessage>) -> AnyView,
) -> V {
    keyed()
}

#[cfg(feature = "ssr")]
mod server {
    use leptos::prelude::*;
    use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
    use leptos::tachys::hydration::Cursor;
    use leptos::tachys::view::any_view::AnyViewState;
    use leptos::tachys::view::{Position, PositionState};

    use crate::client::conversation::Conversation;
    use crate::client::message_changes::MessageActions;
    use crate::client::time_zone::{use_reader_time, ReaderTime};
    use crate::client::unread::Unread;
    use crate::server::messages::prepared::{
        BubbleRef, Key, KeyRef, Prepared, PreparedRows, Row, RowRef,
    };
    use crate::server::AppState;
    use crate::times::{self, with_day_dividers, Date};
    use crate::types::ChatMessage;

    type RowView = Box<dyn Fn(times::Row<ChatMessage>) -> AnyView + Send + Sync>;

    /// The list from the prepared rows, when the server keeps them.
    pub fn history_rows(
        conversation: Conversation,
        actions: MessageActions,
        keyed: impl FnOnce() -> AnyView + Send + 'static,
        row_view: impl Fn(times::Row<ChatMessage>) -> AnyView + Send + Sync + 'static,
    ) -> AnyView {
        let Some(state) = use_context::<AppState>().filter(|s| s.prepared_rows.enabled()) else {
            return keyed();
        };
        PreparedList {
            reader: Reader::new(conversation, actions),
            renderer: RowRenderer {
                row_view: Box::new(row_view),
                owner: Owner::current(),
            },
            keyed: Box::new(keyed),
            state,
        }
        .into_any()
    }

    /// What the history's rows show of this reader, read once per page.
    struct Reader {
        conversation: Conversation,
        time: ReaderTime,
        zone: Option<String>,
        today: Date,
        first_unread: Option<i64>,
        rendered_at: u64,
    }

    impl Reader {
        fn new(conversation: Conversation, actions: MessageActions) -> Self {
            let time = use_reader_time();
            Reader {
                conversation,
                time,
                zone: time.zone.get_untracked(),
                today: time.today.get_untracked(),
                first_unread: use_context::<Unread>().and_then(|u| u.first_unread.get_untracked()),
                rendered_at: actions.rendered_at_ms,
            }
        }

        /// One row of the history (a divider or a message) as this reader
        /// sees it.
        fn row<'a>(&'a self, row: &times::Row<&'a ChatMessage>) -> RowRef<'a> {
            let conversation = &self.conversation;
            match row {
                times::Row::Day(day) => RowRef::Day {
                    day: *day,
                    today: self.today,
                },
                times::Row::Item(message) => RowRef::Message(BubbleRef {
                    message,
                    own: conversation.me == message.user.id,
                    mentions_me: conversation.mentions_me(message),
                    first_unread: self.first_unread == Some(message.id),
                    edit_link: conversation.may_edit(message, self.rendered_at),
                    delete_link: conversation.may_delete(message),
                    zone: self.zone.as_deref(),
                }),
            }
        }

        /// Writes the prepared rows from the start of the history while they
        /// last, and returns the rows from the first unprepared one on. The
        /// lookups borrow the messages (under the signal's read lock), so
        /// rendering, which may read signals, waits for the rows returned.
        fn write_prepared(
            &self,
            rows: &PreparedRows,
            buf: &mut String,
            position: &mut Position,
            escape: bool,
        ) -> Vec<Row> {
            self.conversation.messages.with_untracked(|messages| {
                let listed = with_day_dividers(messages.iter(), |m| self.time.day_of(m));
                let mut listed = listed.iter().map(|row| self.row(row));
                let mut rest = Vec::new();
                for row in listed.by_ref() {
                    let key = KeyRef {
                        row,
                        escape,
                        mark_branches: false,
                        position: position_number(*position),
                    };
                    let Some(prepared) = rows.get(&key) else {
                        rest.push(row.to_row());
                        break;
                    };
                    buf.push_str(&prepared.html);
                    *position = number_position(prepared.position);
                }
                rest.extend(listed.map(RowRef::to_row));
                rest
            })
        }
    }

    /// The history's rows, written from the prepared rows.
    struct PreparedList {
        reader: Reader,
        renderer: RowRenderer,
        /// The keyed list itself, for a renderer that marks branches.
        keyed: Box<dyn FnOnce() -> AnyView + Send>,
        state: AppState,
    }

    /// Renders a row that is not prepared yet with its component.
    struct RowRenderer {
        row_view: RowView,
        /// The list's owner: a row rendered here gets an owner under it, as
        /// in the keyed list.
        owner: Option<Owner>,
    }

    impl RowRenderer {
        /// Row `key` rendered by its component, starting at `position`.
        fn render(&self, key: &Key, position: Position) -> Prepared {
            let source = match &key.row {
                Row::Day { day, .. } => times::Row::Day(*day),
                Row::Message(bubble) => times::Row::Item(bubble.message.clone()),
            };
            let row_owner = match &self.owner {
                Some(list) => list.with(Owner::new),
                None => Owner::new(),
            };
            let mut html = String::new();
            let mut at = position;
            row_owner.with(|| {
                (self.row_view)(source).to_html_with_buf(
                    &mut html,
                    &mut at,
                    key.escape,
                    key.mark_branches,
                    Vec::new(),
                )
            });
            Prepared {
                html: html.into(),
                position: position_number(at),
            }
        }
    }

    /// The renderer's position as a number, and back.
    fn position_number(position: Position) -> u8 {
        match position {
            Position::Current => 0,
            Position::FirstChild => 1,
            Position::NextChild => 2,
            Position::NextChildAfterText => 3,
            Position::OnlyChild => 4,
            Position::LastChild => 5,
        }
    }

    fn number_position(number: u8) -> Position {
        match number {
            0 => Position::Current,
            1 => Position::FirstChild,
            3 => Position::NextChildAfterText,
            4 => Position::OnlyChild,
            5 => Position::LastChild,
            _ => Position::NextChild,
        }
    }

    impl Render for PreparedList {
        type State = AnyViewState;

        fn build(self) -> Self::State {
            (self.keyed)().build()
        }

        fn rebuild(self, state: &mut Self::State) {
            (self.keyed)().rebuild(state)
        }
    }

    impl leptos::tachys::view::add_attr::AddAnyAttr for PreparedList {
        type Output<SomeNewAttr: leptos::attr::Attribute> = PreparedList;

        /// The rows are list items of their own: nothing spreads attributes
        /// onto the list.
        fn add_any_attr<NewAttr: leptos::attr::Attribute>(self, _attr: NewAttr) -> PreparedList {
            self
        }
    }

    impl RenderHtml for PreparedList {
        type AsyncOutput = Self;
        type Owned = Self;

        const MIN_LENGTH: usize = 0;

        fn dry_resolve(&mut self) {}

        async fn resolve(self) -> Self {
            self
        }

        /// What the keyed list writes once resolved: each row, then (when
        /// escaping) a marker.
        fn to_html_with_buf(
            self,
            buf: &mut String,
            position: &mut Position,
            escape: bool,
            mark_branches: bool,
            extra_attrs: Vec<AnyAttribute>,
        ) {
            let PreparedList {
                reader,
                renderer,
                keyed,
                state,
            } = self;
            if mark_branches {
                // Branch markers carry the keyed list's own keys: let it write them.
                return keyed().to_html_with_buf(buf, position, escape, mark_branches, extra_attrs);
            }
            let rest = reader.write_prepared(&state.prepared_rows, buf, position, escape);
            for row in rest {
                let key = Key {
                    row,
                    escape,
                    mark_branches,
                    position: position_number(*position),
                };
                let at = *position;
                let prepared = state
                    .prepared_rows
                    .get_or_render(key, |key| renderer.render(key, at));
                buf.push_str(&prepared.html);
                *position = number_position(prepared.position);
            }
            if escape {
                buf.push_str("<!>");
                *position = Position::NextChild;
            }
        }

        fn hydrate<const FROM_SERVER: bool>(
            self,
            cursor: &Cursor,
            position: &PositionState,
        ) -> Self::State {
            (self.keyed)().hydrate::<FROM_SERVER>(cursor, position)
        }

        fn into_owned(self) -> Self {
            self
        }
    }
}
