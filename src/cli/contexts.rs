//! `roster context list|use|unset|show`: the named contexts of the config file. A token
//! is never printed, only where it comes from and whether it is there.

use super::args::{ContextCmd, Global};
use super::fail::{Failure, Outcome, fail};
use super::output::{Shown, Table, say, warn};
use super::store;
use crate::config::{self, Config, Context, TokenSource};
use serde_json::json as j;

pub fn run(global: &Global, cmd: ContextCmd) -> Outcome {
    let config = Config::load().map_err(Failure::Message)?;
    match cmd {
        ContextCmd::List => list(global, &config),
        ContextCmd::Use { name } => {
            let ctx = config.get(&name).map_err(Failure::Message)?;
            let path = writable(&config)?;
            config::set_current(&path, Some(&name)).map_err(Failure::Message)?;
            say(format!(
                "✓ now using context {name}: commands work on {}",
                ctx.server
            ));
            Ok(())
        }
        ContextCmd::Unset => {
            let path = writable(&config)?;
            if config.current.is_none() {
                say("no context was in use: commands work on the local store");
                return Ok(());
            }
            config::set_current(&path, None).map_err(Failure::Message)?;
            say("✓ no context in use: commands work on the local store again");
            Ok(())
        }
        ContextCmd::Show { name } => show(global, &config, name),
    }
}

/// The config file to write; without a home folder there is none.
fn writable(config: &Config) -> Outcome<std::path::PathBuf> {
    if config.path.as_os_str().is_empty() {
        return fail("there is no config folder (no home directory): set XDG_CONFIG_HOME");
    }
    Ok(config.path.clone())
}

fn list(global: &Global, config: &Config) -> Outcome {
    if global.json {
        let items: Vec<_> = config
            .contexts
            .iter()
            .map(|(name, c)| {
                j!({
                    "name": name,
                    "current": config.current.as_deref() == Some(name),
                    "server": c.server,
                    "org": c.org,
                    "token": token_from(c),
                })
            })
            .collect();
        return Shown::json(&items).map_err(Failure::Message)?.print();
    }
    let mut t = Table::new(&["", "NAME", "SERVER", "ORG", "TOKEN"]);
    for (name, c) in &config.contexts {
        let mark = if config.current.as_deref() == Some(name) {
            "*"
        } else {
            ""
        };
        t.row(vec![
            mark.into(),
            name.clone(),
            c.server.clone(),
            c.org.clone().unwrap_or_else(|| "-".into()),
            token_from(c),
        ]);
    }
    let empty = format!(
        "no contexts in {}: add one as\n  [contexts.NAME]\n  server = \"https://host:port\"\n  token_env = \"VARIABLE\"   # or token_file = \"PATH\"\n  org = \"SLUG\"",
        config.path.display()
    );
    t.lines(&empty).iter().for_each(say);
    if let Some(current) = &config.current
        && !config.contexts.contains_key(current)
    {
        warn(format!(
            "warning: current-context '{current}' is not defined in {}",
            config.path.display()
        ));
    }
    Ok(())
}

/// Where a context's token comes from, in a few words.
fn token_from(c: &Context) -> String {
    match c.source() {
        Ok(TokenSource::Env(v)) => format!("${v}"),
        Ok(TokenSource::File(f)) => f.display().to_string(),
        Ok(TokenSource::Inline) => "in the config file".into(),
        Ok(TokenSource::Missing) => "none".into(),
        Err(e) => e,
    }
}

fn show(global: &Global, config: &Config, name: Option<String>) -> Outcome {
    let name = name
        .or_else(|| global.context.clone())
        .or_else(|| config.current.clone());
    let Some(name) = name else {
        let place = match store::target(global)? {
            store::Target::Remote(r) => format!("the server {}", r.connect.server),
            store::Target::Local(p) => format!("the local store at {}", p.display()),
        };
        say(format!("no context in use: commands work on {place}"));
        return Ok(());
    };
    let c = config.get(&name).map_err(Failure::Message)?;
    // Whether the token is there, without ever showing it.
    let status = match config.token(&name, c) {
        Ok(r) if r.token.is_some() => {
            r.warnings.iter().for_each(warn);
            "found".to_string()
        }
        Ok(_) => "none: pass --token or ROSTER_TOKEN".to_string(),
        Err(e) => e,
    };
    let current = config.current.as_deref() == Some(name.as_str());
    if global.json {
        return Shown::json(&j!({
            "name": name,
            "current": current,
            "server": c.server,
            "org": c.org,
            "token": token_from(c),
            "token_status": status,
            "config": config.path,
        }))
        .map_err(Failure::Message)?
        .print();
    }
    let mut lines = vec![
        format!("context  {name}{}", if current { " (current)" } else { "" }),
        format!("server   {}", c.server),
        format!("org      {}", c.org.as_deref().unwrap_or("the token's own")),
        format!("token    {} ({status})", token_from(c)),
        format!("config   {}", config.path.display()),
    ];
    if global.server.is_some() {
        lines.push(
            "note: --server / ROSTER_SERVER is set and takes precedence over contexts".into(),
        );
    }
    lines.iter().for_each(say);
    Ok(())
}
