//! Counters and histograms for `GET /metrics` (Prometheus text format).
//! Plain atomics: recording costs a few nanoseconds on the hot paths.

use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds (seconds) of the latency buckets.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A cumulative latency histogram.
#[derive(Debug, Default)]
pub struct Histogram {
    /// Per bucket (not cumulative); the last slot is +Inf.
    counts: [AtomicU64; BUCKETS.len() + 1],
    sum_micros: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        let slot = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        self.counts[slot].fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// Appends the `_bucket`, `_sum` and `_count` lines; `labels` is either
    /// empty or `key="value",` pairs ending in a comma.
    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&self.counts) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels}le=\"{bound}\"}} {cumulative}");
        }
        cumulative += self.counts[BUCKETS.len()].load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}le=\"+Inf\"}} {cumulative}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let plain = match labels.trim_end_matches(',') {
            "" => String::new(),
            pairs => format!("{{{pairs}}}"),
        };
        let _ = writeln!(out, "{name}_sum{plain} {sum}");
        let _ = writeln!(out, "{name}_count{plain} {cumulative}");
    }
}

/// HTTP requests of one route and method.
#[derive(Debug, Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    latency: Histogram,
}

#[derive(Debug, Default)]
pub struct Metrics {
    connections_open: AtomicU64,
    connections_refused: AtomicU64,
    messages_stored: AtomicU64,
    messages_delivered: AtomicU64,
    delivery_latency: Histogram,
    http: Mutex<BTreeMap<(String, String), RouteStats>>,
    moderator_actions: [AtomicU64; ModeratorAction::ALL.len()],
}

/// What a moderator did (a fixed set of label values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModeratorAction {
    /// Deleted someone else's message.
    Delete,
    Ban,
    Unban,
}

impl ModeratorAction {
    pub const ALL: [ModeratorAction; 3] = [
        ModeratorAction::Delete,
        ModeratorAction::Ban,
        ModeratorAction::Unban,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ModeratorAction::Delete => "delete",
            ModeratorAction::Ban => "ban",
            ModeratorAction::Unban => "unban",
        }
    }
}

/// The methods that get a label of their own; any other is `other` (clients
/// choose methods, and every distinct label value would be a new series).
const KNOWN_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
];

/// `method` as a metrics label: itself if standard, else `other`.
pub fn method_label(method: &str) -> &'static str {
    KNOWN_METHODS
        .iter()
        .find(|known| **known == method)
        .copied()
        .unwrap_or("other")
}

impl Metrics {
    pub fn connection_opened(&self) {
        self.connections_open.fetch_add(1, Ordering::Relaxed);
    }

    pub fn connection_closed(&self) {
        self.connections_open.fetch_sub(1, Ordering::Relaxed);
    }

    /// A connection was closed on arrival: the server was at its cap.
    pub fn connection_refused(&self) {
        self.connections_refused.fetch_add(1, Ordering::Relaxed);
    }

    pub fn message_stored(&self) {
        self.messages_stored.fetch_add(1, Ordering::Relaxed);
    }

    /// A message frame was written to a socket, `latency` after it was stored
    /// (`None` for history sent on catch-up).
    pub fn message_delivered(&self, latency: Option<Duration>) {
        self.messages_delivered.fetch_add(1, Ordering::Relaxed);
        if let Some(latency) = latency {
            self.delivery_latency.observe(latency);
        }
    }

    pub fn moderator_action(&self, action: ModeratorAction) {
        self.moderator_actions[action as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// One HTTP request answered; `route` is the matched route pattern (or
    /// one of a few fixed names) and `method` a [`method_label`], so the label
    /// set stays small whatever clients send.
    pub fn http_request(&self, route: &str, method: &'static str, status: u16, took: Duration) {
        let mut http = self.http.lock();
        let stats = http
            .entry((route.to_owned(), method.to_owned()))
            .or_default();
        *stats.by_status.entry(status).or_default() += 1;
        stats.latency.observe(took);
    }

    /// The counters and histograms, in Prometheus text format.
    pub fn render(&self, out: &mut String) {
        gauge(
            out,
            "chat98_connections_open",
            "Open client connections (HTTP and websocket) on this process.",
            self.connections_open.load(Ordering::Relaxed),
        );
        counter(
            out,
            "chat98_connections_refused_total",
            "Connections closed on arrival because the process was at --max-connections.",
            self.connections_refused.load(Ordering::Relaxed),
        );
        counter(
            out,
            "chat98_messages_stored_total",
            "Messages stored by this process.",
            self.messages_stored.load(Ordering::Relaxed),
        );
        counter(
            out,
            "chat98_messages_delivered_total",
            "Message frames written to websockets by this process (live and catch-up).",
            self.messages_delivered.load(Ordering::Relaxed),
        );
        header(
            out,
            "chat98_delivery_latency_seconds",
            "histogram",
            "From storing a message to writing it to a websocket (live deliveries).",
        );
        self.delivery_latency
            .render(out, "chat98_delivery_latency_seconds", "");

        header(
            out,
            "chat98_moderator_actions_total",
            "counter",
            "Moderator actions taken on this process, by action.",
        );
        for action in ModeratorAction::ALL {
            let n = self.moderator_actions[action as usize].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "chat98_moderator_actions_total{{action=\"{}\"}} {n}",
                action.as_str()
            );
        }

        let http = self.http.lock();
        header(
            out,
            "chat98_http_requests_total",
            "counter",
            "HTTP requests answered, by route, method and status.",
        );
        for ((route, method), stats) in http.iter() {
            for (status, n) in &stats.by_status {
                let _ = writeln!(
                    out,
                    "chat98_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                    escape(route),
                    escape(method)
                );
            }
        }
        header(
            out,
            "chat98_http_request_duration_seconds",
            "histogram",
            "Time to answer HTTP requests, by route and method.",
        );
        for ((route, method), stats) in http.iter() {
            let labels = format!("route=\"{}\",method=\"{}\",", escape(route), escape(method));
            stats
                .latency
                .render(out, "chat98_http_request_duration_seconds", &labels);
        }
    }
}

pub fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

pub fn counter(out: &mut String, name: &str, help: &str, value: u64) {
    header(out, name, "counter", help);
    let _ = writeln!(out, "{name} {value}");
}

pub fn gauge(out: &mut String, name: &str, help: &str, value: u64) {
    header(out, name, "gauge", help);
    let _ = writeln!(out, "{name} {value}");
}

/// A label value with `\`, `"` and newlines escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_standard_methods_get_a_label_of_their_own() {
        assert_eq!(method_label("GET"), "GET");
        assert_eq!(method_label("PATCH"), "PATCH");
        assert_eq!(method_label("get"), "other");
        assert_eq!(method_label(&"X".repeat(300_000)), "other");
    }

    #[test]
    fn histograms_are_cumulative_with_sum_and_count() {
        let metrics = Metrics::default();
        metrics.message_delivered(Some(Duration::from_micros(700)));
        metrics.message_delivered(Some(Duration::from_millis(20)));
        metrics.message_delivered(None);
        metrics.http_request("/chat", "GET", 200, Duration::from_millis(3));
        metrics.http_request("/chat", "GET", 303, Duration::from_secs(20));
        let mut out = String::new();
        metrics.render(&mut out);
        assert!(out.contains("chat98_messages_delivered_total 3\n"), "{out}");
        assert!(out.contains("chat98_delivery_latency_seconds_bucket{le=\"0.0005\"} 0\n"));
        assert!(out.contains("chat98_delivery_latency_seconds_bucket{le=\"0.001\"} 1\n"));
        assert!(out.contains("chat98_delivery_latency_seconds_bucket{le=\"0.025\"} 2\n"));
        assert!(out.contains("chat98_delivery_latency_seconds_bucket{le=\"+Inf\"} 2\n"));
        assert!(out.contains("chat98_delivery_latency_seconds_count 2\n"));
        assert!(out.contains(
            "chat98_http_requests_total{route=\"/chat\",method=\"GET\",status=\"303\"} 1\n"
        ));
        assert!(out.contains(
            "chat98_http_request_duration_seconds_bucket{route=\"/chat\",method=\"GET\",le=\"10\"} 1\n"
        ));
        assert!(out.contains(
            "chat98_http_request_duration_seconds_bucket{route=\"/chat\",method=\"GET\",le=\"+Inf\"} 2\n"
        ));
        assert!(out.contains(
            "chat98_http_request_duration_seconds_count{route=\"/chat\",method=\"GET\"} 2\n"
        ));
    }
}
