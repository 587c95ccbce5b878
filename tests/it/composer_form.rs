//! The composer's server function, as a browser without JavaScript posts it
//! (form post, redirect, inline errors) and as the WASM app calls it.

use serde_json::Value;

use crate::support::http::Response;
use crate::support::server::{client, register, TestServer};

const SEND: &str = "/api/chat/send";

/// A form post the way a browser without JavaScript sends it from /chat.
async fn browser_post(server: &TestServer, cookie: &str, pairs: &[(&str, &str)]) -> Response {
    client()
        .post(server.url(SEND))
        .header("cookie", cookie)
        .header("accept", "text/html,application/xhtml+xml")
        .header("origin", server.origin())
        .header("referer", server.url("/chat"))
        .form(pairs)
        .send()
        .await
        .unwrap()
}

async fn page(server: &TestServer, cookie: &str, path: &str) -> String {
    let res = client()
        .get(server.url(path))
        .header("cookie", cookie)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "GET {path}");
    res.text().await.unwrap()
}

fn location(res: &Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// The value of the composer's hidden client id in a rendered page.
fn form_client_id(html: &str) -> String {
    let at = html.find(r#"name="client_id""#).expect("hidden client id");
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
    let value = tag.split(r#"value=""#).nth(1).expect("a value");
    value[..value.find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn without_javascript_the_form_posts_and_the_page_comes_back_with_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;

    let before = page(&server, &alice, "/chat").await;
    assert!(
        before.contains(r#"action="/api/chat/send""#),
        "the composer posts to the server function"
    );
    assert!(before.contains(r#"method="post""#));
    let client_id = form_client_id(&before);
    assert!(client_id.len() >= 16, "{client_id}");
    let send_button = &before[before.find("composer-send").unwrap()..];
    let send_button = &send_button[..send_button.find('>').unwrap()];
    assert!(
        !send_button.contains("disabled"),
        "Send works without JavaScript: {send_button}"
    );

    let res = browser_post(
        &server,
        &alice,
        &[("content", "hello <b>world</b>"), ("client_id", &client_id)],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/chat");
    // The browser's "resend" of the same form stores nothing new.
    let res = browser_post(
        &server,
        &alice,
        &[("content", "hello <b>world</b>"), ("client_id", &client_id)],
    )
    .await;
    assert_eq!(res.status(), 303);

    let after = page(&server, &alice, "/chat").await;
    // Shown once, as text (the island's props carry it too, as JSON).
    assert_eq!(
        after.matches(">hello &lt;b&gt;world&lt;/b&gt;<").count(),
        1,
        "stored once, as text"
    );
    assert!(!after.contains("<b>world</b>"));
    assert_ne!(
        form_client_id(&after),
        client_id,
        "every page gets a fresh client id"
    );
    let textarea = &after[after.find("<textarea").unwrap()..];
    assert!(
        textarea[..textarea.find("</textarea>").unwrap()].ends_with('>'),
        "the input comes back empty"
    );
}

#[tokio::test]
async fn without_javascript_errors_show_inline_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &["--message-burst", "1", "--message-interval", "1h"]);
    let alice = register(&server, "alice", "correct horse").await;

    let res = browser_post(&server, &alice, &[("content", "   ")]).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let back = location(&res);
    assert!(
        back.starts_with("/chat") || back.contains("/chat?"),
        "{back}"
    );
    let path = back.trim_start_matches(&server.origin()).to_owned();
    let html = page(&server, &alice, &path).await;
    assert!(
        html.contains("This field may not be blank."),
        "the error is on the page"
    );
    assert!(
        html.contains("chat-window"),
        "inside the chat window, not an error page"
    );

    assert_eq!(
        browser_post(&server, &alice, &[("content", "first")])
            .await
            .status(),
        303
    );
    let res = browser_post(&server, &alice, &[("content", "second")]).await;
    let path = location(&res)
        .trim_start_matches(&server.origin())
        .to_owned();
    let html = page(&server, &alice, &path).await;
    assert!(
        html.contains("You are sending messages too fast."),
        "rate limit shown inline"
    );
    assert!(!html.contains(">second<"));
}

#[tokio::test]
async fn the_app_gets_json_answers_with_their_status() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;

    let call = |pairs: Vec<(&'static str, &'static str)>| {
        let cookie = alice.clone();
        let url = server.url(SEND);
        async move {
            client()
                .post(url)
                .header("cookie", cookie)
                .form(&pairs)
                .send()
                .await
                .unwrap()
        }
    };
    let res = call(vec![("content", "from the app"), ("client_id", "c-1")]).await;
    assert_eq!(res.status(), 200);
    let sent: Value = res.json().await.unwrap();
    assert_eq!(sent["content"], "from the app");
    assert_eq!(sent["client_id"], "c-1");
    assert_eq!(sent["user"]["username"], "alice");

    let res = call(vec![("content", "")]).await;
    assert_eq!(res.status(), 400);
    let error: Value = res.json().await.unwrap();
    assert_eq!(error["code"], "invalid");
    assert_eq!(
        error["fields"]["content"][0],
        "This field may not be blank."
    );

    // A missing field is the sender's mistake: 400, never a server error.
    let res = call(vec![("client_id", "c-2")]).await;
    assert_eq!(res.status(), 400);
    let error: Value = res.json().await.unwrap();
    assert_eq!(error["code"], "invalid");

    let res = client()
        .post(server.url(SEND))
        .form(&[("content", "anonymous")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let res = client()
        .get(server.url(&format!(
            "/api/chat/older?before={}",
            sent["id"].as_i64().unwrap() + 1
        )))
        .header("cookie", &alice)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let older: Vec<Value> = res.json().await.unwrap();
    assert_eq!(older.len(), 1);
    assert_eq!(older[0]["id"], sent["id"]);
}

#[tokio::test]
async fn markup_and_scripts_stay_text_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir, &[]);
    let alice = register(&server, "alice", "correct horse").await;
    let payloads = [
        "<script>alert('x')</script>",
        "<b>bold</b>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "<img src=x onerror=alert(1)>",
    ];
    for p in payloads {
        let res = client()
            .post(server.url("/api/chat/messages/"))
            .header("cookie", &alice)
            .json(&serde_json::json!({ "content": p }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let m: Value = res.json().await.unwrap();
        assert_eq!(m["content"], p, "JSON carries the text unchanged");
    }
    let html = page(&server, &alice, "/chat").await;
    for p in payloads {
        assert!(!html.contains(p), "{p} must not appear as markup");
        let escaped = p
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(html.contains(&escaped), "{p} is shown as text");
    }
    assert!(!html.contains("<a href=\"javascript:"));
}
