//! `GET /api/openapi.json`: the OpenAPI 3 document of the REST API, generated
//! from the handlers and shared types.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{Modify, OpenApi};

use crate::error::{ChatError, ErrorCode};
use crate::server::auth::session::SESSION_COOKIE;
use crate::server::http::api_error::{BadRequest, Detail, FieldErrors};
use crate::server::messages::rest as messages;
use crate::server::messages::submission::{EditedMessage, NewMessage};
use crate::server::moderation::rest::{self as moderation, NewBan};
use crate::server::preferences::rest as preferences;
use crate::server::settings::Settings;
use crate::types::{Account, Alerts, Ban, ChatMessage, Preferences, Registration, Role, UserRef};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "chat98",
        description = "A temporary group chat room. Sign in (`/api/auth/login`) to get the \
                       session cookie; messages are deleted after the retention period. \
                       Requests that change something must come from the site itself \
                       (an `Origin` or `Referer` of another site is refused with 403)."
    ),
    paths(
        messages::list_messages,
        messages::create_message,
        messages::edit_message,
        messages::delete_message,
        moderation::list_bans,
        moderation::create_ban,
        moderation::lift_ban,
        preferences::get_preferences,
        preferences::put_preferences,
        accounts::register,
        accounts::login,
        accounts::logout,
        accounts::me,
        accounts::registration,
    ),
    components(schemas(
        ChatMessage, UserRef, NewMessage, EditedMessage, NewBan, Ban, Account, Role, Registration, Preferences, Alerts, Detail,
        FieldErrors, BadRequest, ChatError, ErrorCode
    )),
    modifiers(&SessionCookie),
    tags(
        (name = "messages", description = "Reading and sending messages"),
        (name = "moderation", description = "Bans (moderators only)"),
        (name = "preferences", description = "The signed-in user's preferences"),
        (name = "accounts", description = "Sign-up, sign-in and sign-out (server functions)"),
    )
)]
struct ApiDoc;

struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))),
        );
    }
}

/// The document, with the configured message length.
pub fn document(settings: &Settings) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    let new_message = doc
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut("NewMessage"));
    if let Some(RefOr::T(Schema::Object(object))) = new_message {
        if let Some(RefOr::T(Schema::Object(content))) = object.properties.get_mut("content") {
            content.max_length = Some(settings.messages.max_message_chars);
        }
    }
    doc
}

/// The auth server functions, described for the document (they are served by
/// leptos_axum; see `crate::auth`). Bodies may be JSON or a form.
#[allow(dead_code)]
mod accounts {
    use super::{Account, ChatError, Registration, UserRef};

    /// A user name and password (and where to go next, for browsers).
    #[derive(utoipa::ToSchema)]
    pub struct Credentials {
        /// 3 to 32 letters, digits, `_` or `-`; any letter case when signing in.
        #[schema(example = "alice", pattern = "^[A-Za-z0-9_-]{3,32}$")]
        username: String,
        /// At least 8 characters when registering.
        #[schema(example = "correct horse battery", min_length = 8, max_length = 128)]
        password: String,
        /// A path on this site to go to afterwards (browsers only).
        next: Option<String>,
        /// Sign-up only, when registration is by invitation: the invite code.
        invite_code: Option<String>,
    }

    /// Creates an account and signs it in (sets the session cookie).
    #[utoipa::path(
        post,
        path = "/api/auth/register",
        tag = "accounts",
        request_body(content(
            (Credentials = "application/json"),
            (Credentials = "application/x-www-form-urlencoded"),
        )),
        responses(
            (status = 200, description = "Registered and signed in", body = UserRef),
            (status = 400, description = "Invalid fields", body = ChatError),
            (status = 403, description = "Cross-site request refused, sign-up is closed, or the invite code is missing or wrong", body = ChatError),
            (status = 409, description = "The username, or one that reads the same, is taken", body = ChatError),
            (status = 413, description = "Body too large", body = ChatError),
            (status = 429, description = "Too many sign-up attempts from this address (whatever their outcome); see Retry-After", body = ChatError,
                headers(("Retry-After" = u64, description = "Seconds to wait"))),
            (status = 503, description = "Storage is unavailable, or every password check is busy (see Retry-After); nothing was stored", body = ChatError),
        )
    )]
    fn register() {}

    /// Signs in (sets the session cookie).
    #[utoipa::path(
        post,
        path = "/api/auth/login",
        tag = "accounts",
        request_body(content(
            (Credentials = "application/json"),
            (Credentials = "application/x-www-form-urlencoded"),
        )),
        responses(
            (status = 200, description = "Signed in", body = UserRef),
            (status = 400, description = "Missing fields", body = ChatError),
            (status = 401, description = "Wrong username or password", body = ChatError),
            (status = 403, description = "Cross-site request refused, or the account is banned (the error says until when)", body = ChatError),
            (status = 413, description = "Body too large", body = ChatError),
            (status = 429, description = "Too many failed attempts for this name from this address, from this address, or for this name; see Retry-After", body = ChatError,
                headers(("Retry-After" = u64, description = "Seconds to wait"))),
            (status = 503, description = "Storage is unavailable, or every password check is busy (see Retry-After)", body = ChatError),
        )
    )]
    fn login() {}

    /// Ends the session.
    #[utoipa::path(
        post,
        path = "/api/auth/logout",
        tag = "accounts",
        responses(
            (status = 204, description = "Signed out"),
            (status = 403, description = "Cross-site request refused", body = ChatError),
            (status = 503, description = "Storage is unavailable", body = ChatError),
        )
    )]
    fn logout() {}

    /// Who is signed in.
    #[utoipa::path(
        get,
        path = "/api/auth/me",
        tag = "accounts",
        security(("session_cookie" = [])),
        responses(
            (status = 200, description = "The signed-in user and their role", body = Account),
            (status = 401, description = "Not signed in", body = ChatError),
            (status = 503, description = "Storage is unavailable", body = ChatError),
        )
    )]
    fn me() {}

    /// Who may sign up: `open`, `invite` (sign-up needs `invite_code`) or `closed`.
    #[utoipa::path(
        get,
        path = "/api/auth/registration",
        tag = "accounts",
        responses(
            (status = 200, description = "The registration mode", body = Registration),
        )
    )]
    fn registration() {}
}
