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

/// The README's settings table, `--help` and the `[chat]` table name the same
/// settings: each flag with its environment variable and key.
#[test]
fn the_readme_table_lists_every_flag_variable_and_key() {
    use clap::CommandFactory;

    let readme = std::fs::read_to_string(format!("{}/README.md", env!("CARGO_MANIFEST_DIR")))
        .expect("README.md");
    let rows: Vec<Vec<String>> = readme
        .lines()
        .skip_while(|l| !l.starts_with("| flag | environment |"))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.split('|')
                .map(|c| c.trim().trim_matches('`').to_owned())
                .collect()
        })
        .collect();
    assert!(rows.len() > 20, "the settings table was not found");
    let command = chat98::server::cli::Cli::command();
    for arg in command.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if matches!(long, "help" | "version") {
            continue;
        }
        let flag = format!("--{long}");
        let row = rows
            .iter()
            .find(|r| r.get(1) == Some(&flag))
            .unwrap_or_else(|| panic!("README's settings table lacks {flag}"));
        let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
        assert_eq!(row.get(2).cloned(), env, "{flag}: the environment variable");
    }
    for key in chat98::server::settings::chat_keys() {
        let in_table = format!("chat.{key}");
        assert!(
            rows.iter().any(|r| r.get(3) == Some(&in_table)),
            "README's settings table lacks {in_table}"
        );
        assert!(
            command
                .get_arguments()
                .any(|a| a.get_long() == Some(key.as_str())),
            "no flag for chat.{key}"
        );
    }
}
