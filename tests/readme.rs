//! README.md is the manual: what it shows must work as written.

use clap::CommandFactory;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md")
}

/// Every command and subcommand of the CLI is in the README's command tables.
#[test]
fn every_cli_command_is_documented() {
    let doc = readme();
    let cli = roster::cli::args::Cli::command();
    let mut missing = vec![];
    for top in cli.get_subcommands() {
        let name = top.get_name();
        let subs: Vec<_> = top
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        if subs.is_empty() && !doc.contains(&format!("| `{name}")) {
            missing.push(name.to_string());
        }
        for sub in subs {
            if !doc.contains(&format!("| `{name} {sub}")) {
                missing.push(format!("{name} {sub}"));
            }
        }
    }
    assert!(missing.is_empty(), "README.md lacks: {missing:?}");
}

/// The configuration example parses, for the console and for the contexts alike.
#[test]
fn the_configuration_example_is_valid() {
    let doc = readme();
    let start = doc.find("```toml\ntheme").expect("a config example") + "```toml\n".len();
    let end = start + doc[start..].find("```").expect("end of the example");
    let text = &doc[start..end];
    let (_, warnings) = roster::tui::config::Config::from_toml(text, false);
    assert!(warnings.is_empty(), "console config: {warnings:?}");
    let contexts = roster::config::Config::parse(text, std::path::Path::new("config.toml"))
        .expect("contexts parse");
    assert!(contexts.get("kb").is_ok());
}

/// The mail settings example (roster.toml in the store's folder) is valid as written.
#[test]
fn the_mail_settings_example_is_valid() {
    let doc = readme();
    let start = doc.find("```toml\n[mail]").expect("a mail example") + "```toml\n".len();
    let end = start + doc[start..].find("```").expect("end of the example");
    let config = roster::mail::MailConfig::parse(&doc[start..end]).expect("the example parses");
    let smtp = config.smtp.expect("the example configures SMTP");
    assert_eq!(smtp.port(), 587);
    assert_eq!(config.base_url, "https://roster.example.org");
}
