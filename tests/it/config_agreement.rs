//! Cargo.toml holds cargo-leptos's build settings and Leptos.toml the built
//! server's runtime settings. Where they name the same key they must agree, or
//! the server would look for a bundle cargo-leptos never wrote.

use toml::{Table, Value};

fn leptos_table(file: &str) -> Table {
    let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    doc.get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("leptos"))
        .and_then(Value::as_table)
        .cloned()
        .unwrap_or_else(|| panic!("{path} has no [package.metadata.leptos]"))
}

#[test]
fn shared_keys_agree() {
    let build = leptos_table("Cargo.toml");
    let runtime = leptos_table("Leptos.toml");
    for key in [
        "output-name",
        "site-root",
        "site-pkg-dir",
        "site-addr",
        "hash-files",
    ] {
        assert!(build.contains_key(key), "Cargo.toml lacks {key}");
        assert!(runtime.contains_key(key), "Leptos.toml lacks {key}");
    }
    for (key, value) in &runtime {
        if let Some(other) = build.get(key) {
            assert_eq!(
                value, other,
                "{key} differs between Leptos.toml and Cargo.toml"
            );
        }
    }
}
