//! HTTP concerns around the app: security headers, cross-site refusal, JSON
//! bodies for the auth endpoints, how errors and redirects are answered, and
//! the reader's time zone cookie.

pub mod access_log;
pub mod api_error;
pub mod asset_caching;
pub mod body_limit;
pub mod client_address;
pub mod cross_site;
pub mod json_forms;
pub mod listener;
pub mod request_metrics;
pub mod request_timeout;
pub mod respond;
pub mod secure_cookies;
pub mod security_headers;
pub mod server_fn_status;
pub mod url_encoding;
pub mod zone_cookie;
