//! What sign-in and sign-up attempts count against (the counting itself is
//! `server::limits`).
//!
//! Sign-in failures are counted three ways, all before the password is
//! checked (a success gives them back):
//! - per username and client address: the lockout, `--login-max-failures`
//!   (5) per `--throttle-window` (5 min). Only the address that failed is
//!   locked out, so a stranger cannot lock the owner out of their account;
//! - per client address over all usernames: `--login-max-failures-per-address`
//!   (20) per window, so one address cannot try one password on many names;
//! - per username over all addresses: `--login-max-failures-per-username`
//!   (100) per window, which slows a guess spread over many addresses.
//!
//! Sign-ups are counted per client address whatever their outcome
//! (`--register-max`, 5 per window): a taken name costs an attempt too, so
//! names cannot be listed at will.

use std::net::IpAddr;

use crate::server::limits::{address_key, Charge, Rule};
use crate::server::settings::Settings;

#[derive(Clone, Copy, Debug)]
pub struct AuthRules {
    login_pair: Rule,
    login_address: Rule,
    login_username: Rule,
    register_address: Rule,
}

impl AuthRules {
    pub fn new(settings: &Settings) -> Self {
        let window = settings.accounts.throttle_window;
        let per_window = |name, limit: usize| {
            Rule::per_window(name, u32::try_from(limit).unwrap_or(u32::MAX), window)
        };
        AuthRules {
            login_pair: per_window("login", settings.accounts.login_max_failures),
            login_address: per_window(
                "login-address",
                settings.accounts.login_max_failures_per_address,
            ),
            login_username: per_window(
                "login-username",
                settings.accounts.login_max_failures_per_username,
            ),
            register_address: per_window("register", settings.accounts.register_max),
        }
    }

    /// A sign-in attempt as `username` (already lower-cased) from `client`.
    pub fn login(&self, username: &str, client: Option<IpAddr>) -> Vec<Charge> {
        let address = client.map_or_else(|| "unknown".to_owned(), address_key);
        vec![
            Charge::new(self.login_pair, format!("{address}/{username}")),
            Charge::new(self.login_address, &address),
            Charge::new(self.login_username, username),
        ]
    }

    /// A sign-up attempt from `client`.
    pub fn register(&self, client: Option<IpAddr>) -> Vec<Charge> {
        let address = client.map_or_else(|| "unknown".to_owned(), address_key);
        vec![Charge::new(self.register_address, address)]
    }
}
