//! The README's complete apps ("Use it in your app") are, line for line, the quick starts of the
//! adapters' crate docs, which `cargo test --doc` compiles: the README cannot drift into code
//! that does not build.

const README: &str = include_str!("../../README.md");

/// The quick starts, in the README's order.
const QUICK_STARTS: [(&str, &str); 4] = [
    ("axum", include_str!("../../adapters/axum/src/lib.rs")),
    ("actix", include_str!("../../adapters/actix/src/lib.rs")),
    ("rocket", include_str!("../../adapters/rocket/src/lib.rs")),
    ("poem", include_str!("../../adapters/poem/src/lib.rs")),
];

/// The Rust code blocks of the README's "Use it in your app" section.
fn readme_apps() -> Vec<String> {
    let start = README.find("## Use it in your app").expect("the section");
    let end = start + README[start..].find("\n## ").expect("a next section");
    let mut apps = Vec::new();
    let mut lines = README[start..end].lines();
    while let Some(line) = lines.next() {
        if line == "```rust" {
            let code: Vec<&str> = lines.by_ref().take_while(|line| *line != "```").collect();
            apps.push(code.join("\n"));
        }
    }
    apps
}

/// The first code block after `# Quick start` in a crate's `//!` docs.
fn quick_start(lib_rs: &str) -> String {
    let docs: Vec<&str> = lib_rs
        .lines()
        .map_while(|line| line.strip_prefix("//!"))
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect();
    let section = docs
        .iter()
        .position(|line| *line == "# Quick start")
        .expect("a quick start");
    let code = docs[section..]
        .iter()
        .skip_while(|line| !line.starts_with("```"))
        .skip(1)
        .take_while(|line| **line != "```")
        .copied()
        .collect::<Vec<_>>();
    code.join("\n")
}

#[test]
fn readme_apps_are_the_adapters_compiled_quick_starts() {
    let apps = readme_apps();
    assert_eq!(apps.len(), QUICK_STARTS.len(), "one app per framework");
    for (app, (framework, lib_rs)) in apps.iter().zip(QUICK_STARTS) {
        assert_eq!(app, &quick_start(lib_rs), "the README's {framework} app");
    }
}
