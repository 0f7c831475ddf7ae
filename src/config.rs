//! The user's config file, `$XDG_CONFIG_HOME/roster/config.toml`: named contexts (a
//! server, where its token comes from, an organisation) and which one is current, the
//! way kubeconfig names clusters:
//!
//! ```toml
//! current-context = "kb"
//!
//! [contexts.kb]
//! server = "https://roster.example.org"
//! token_env = "ROSTER_KB_TOKEN"     # or token_file = "~/.config/roster/kb.token"
//! org = "kb"                        # or token = "…" (then keep this file 0600)
//! ```
//!
//! The console reads its theme and keys from the same file (`tui::config`); this
//! reader ignores every section but its own, and `roster context use` rewrites only
//! `current-context`, keeping the rest of the file as it was, comments included.

use crate::backend::rest::Token;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// A token file larger than this is not a token.
const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// One named place to work: a server and how to sign in to it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    pub server: String,
    /// The organisation to work in (default: the token's own).
    #[serde(default)]
    pub org: Option<String>,
    /// The token is in this environment variable.
    #[serde(default)]
    pub token_env: Option<String>,
    /// The token is in this file (`~/` and paths relative to the config file work).
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// The token itself. Works, but a file of its own is easier to keep private.
    #[serde(default)]
    pub token: Option<Token>,
}

/// Where a context's token comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
    Env(String),
    File(PathBuf),
    Inline,
    Missing,
}

/// The part of the file this module reads; other sections (the console's) are ignored.
#[derive(Debug, Default, Deserialize)]
struct File {
    #[serde(rename = "current-context", default)]
    current: Option<String>,
    #[serde(default)]
    contexts: BTreeMap<String, Context>,
}

#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Where it was read from (or would be written to).
    pub path: PathBuf,
    pub current: Option<String>,
    pub contexts: BTreeMap<String, Context>,
    /// The file's permission bits, when it exists.
    mode: Option<u32>,
}

/// A context's token and anything the user should hear about it.
#[derive(Debug, Default)]
pub struct Resolved {
    pub token: Option<Token>,
    pub warnings: Vec<String>,
}

impl Config {
    /// `$XDG_CONFIG_HOME/roster/config.toml` (usually `~/.config/roster/config.toml`).
    pub fn default_path() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join("roster").join("config.toml"))
    }

    /// Reads the user's file; no file (or no home at all) is an empty config.
    pub fn load() -> Result<Config, String> {
        match Config::default_path() {
            Some(p) => Config::load_from(&p),
            None => Ok(Config::default()),
        }
    }

    pub fn load_from(path: &Path) -> Result<Config, String> {
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Config {
                    path: path.to_path_buf(),
                    ..Config::default()
                });
            }
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let mut config = Config::parse(&text, path)?;
        config.mode = fs::metadata(path).ok().map(|m| m.permissions().mode());
        Ok(config)
    }

    /// The config in `text`, as if read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Config, String> {
        let file: File = toml::from_str(text)
            .map_err(|e| format!("{} is not a valid config: {}", path.display(), e.message()))?;
        Ok(Config {
            path: path.to_path_buf(),
            current: file.current.filter(|c| !c.trim().is_empty()),
            contexts: file.contexts,
            mode: None,
        })
    }

    /// The context called `name`, or a sentence listing the ones there are.
    pub fn get(&self, name: &str) -> Result<&Context, String> {
        self.contexts.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.contexts.keys().map(String::as_str).collect();
            if known.is_empty() {
                format!(
                    "no context '{name}': {} defines none (see `roster context --help`)",
                    self.path.display()
                )
            } else {
                format!(
                    "no context '{name}' in {}: there is {}",
                    self.path.display(),
                    known.join(", ")
                )
            }
        })
    }

    /// Reads the token of context `name` from wherever it says.
    pub fn token(&self, name: &str, ctx: &Context) -> Result<Resolved, String> {
        let mut out = Resolved::default();
        match ctx.source().map_err(|e| format!("context '{name}': {e}"))? {
            TokenSource::Missing => {}
            TokenSource::Inline => {
                out.token = ctx.token.clone();
                if let Some(mode) = self.mode.filter(|m| m & 0o077 != 0) {
                    out.warnings.push(readable_warning(&self.path, mode));
                }
            }
            TokenSource::Env(var) => {
                let value = std::env::var(&var).unwrap_or_default();
                out.token = Some(Token::new(&value).ok_or_else(|| {
                    format!("context '{name}' takes its token from ${var}, which is not set")
                })?);
            }
            TokenSource::File(file) => {
                let path = self.resolve(&file);
                let (token, mode) =
                    read_token_file(&path).map_err(|e| format!("context '{name}': {e}"))?;
                out.token = Some(token);
                if mode & 0o077 != 0 {
                    out.warnings.push(readable_warning(&path, mode));
                }
            }
        }
        Ok(out)
    }

    /// `~/x` from the home folder, a relative path from the config file's folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if let Ok(rest) = path.strip_prefix("~")
            && let Some(home) = dirs::home_dir()
        {
            return home.join(rest);
        }
        if path.is_relative()
            && let Some(dir) = self.path.parent()
        {
            return dir.join(path);
        }
        path.to_path_buf()
    }
}

impl Context {
    /// Where the token comes from; more than one place is a mistake worth naming.
    pub fn source(&self) -> Result<TokenSource, String> {
        let mut found = vec![];
        if let Some(v) = &self.token_env {
            found.push(TokenSource::Env(v.clone()));
        }
        if let Some(f) = &self.token_file {
            found.push(TokenSource::File(f.clone()));
        }
        if self.token.is_some() {
            found.push(TokenSource::Inline);
        }
        match found.len() {
            0 => Ok(TokenSource::Missing),
            1 => Ok(found.remove(0)),
            _ => Err("give only one of token_env, token_file and token".into()),
        }
    }
}

fn readable_warning(path: &Path, mode: u32) -> String {
    format!(
        "warning: {} holds a token and other users can read it (mode {:04o}): run chmod 600 {}",
        path.display(),
        mode & 0o7777,
        path.display()
    )
}

/// The token in `path` (surrounding whitespace dropped) and the file's permission bits.
fn read_token_file(path: &Path) -> Result<(Token, u32), String> {
    let meta = fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() || meta.len() > MAX_TOKEN_FILE {
        return Err(format!(
            "{} is not a token file (a token is one short line)",
            path.display()
        ));
    }
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let token =
        Token::new(&text).ok_or_else(|| format!("the token file {} is empty", path.display()))?;
    Ok((token, meta.permissions().mode()))
}

/// Sets (or with `None` removes) `current-context` in the file at `path`, keeping
/// everything else in it as it was. The file is replaced atomically and made 0600; a
/// missing folder is made 0700.
pub fn set_current(path: &Path, name: Option<&str>) -> Result<(), String> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        format!("{} is not a valid config: {}", path.display(), e.message())
    })?;
    match name {
        Some(n) => doc["current-context"] = toml_edit::value(n),
        None => {
            doc.remove("current-context");
        }
    }
    write_private(path, doc.to_string().as_bytes())
}

/// Removes the inline `token` of context `name` (after signing out), keeping the rest
/// of the context and of the file as it was. `Ok(false)`: it held none.
pub fn forget_token(path: &Path, name: &str) -> Result<bool, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        format!("{} is not a valid config: {}", path.display(), e.message())
    })?;
    let removed = doc
        .get_mut("contexts")
        .and_then(|c| c.get_mut(name))
        .and_then(|c| c.as_table_like_mut())
        .and_then(|c| c.remove("token"))
        .is_some();
    if removed {
        write_private(path, doc.to_string().as_bytes())?;
    }
    Ok(removed)
}

/// Writes (or replaces) context `name` with `server`, `org` and an inline `token`, and
/// makes it current, keeping the rest of the file as it was. The file is made 0600,
/// since it then holds a token (`roster login` stores its session this way).
pub fn save_context(
    path: &Path,
    name: &str,
    server: &str,
    org: &str,
    token: &str,
) -> Result<(), String> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        format!("{} is not a valid config: {}", path.display(), e.message())
    })?;
    let mut table = toml_edit::Table::new();
    table["server"] = toml_edit::value(server);
    table["org"] = toml_edit::value(org);
    table["token"] = toml_edit::value(token);
    if !doc.contains_key("contexts") {
        let mut contexts = toml_edit::Table::new();
        contexts.set_implicit(true);
        doc["contexts"] = toml_edit::Item::Table(contexts);
    }
    let Some(contexts) = doc["contexts"].as_table_mut() else {
        return Err(format!(
            "{}: `contexts` is not a table: fix the file first",
            path.display()
        ));
    };
    contexts.insert(name, toml_edit::Item::Table(table));
    doc["current-context"] = toml_edit::value(name);
    write_private(path, doc.to_string().as_bytes())
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a crash leaves the
/// old file or the new one, never half of one.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let fail =
        |what: &str, p: &Path, e: std::io::Error| format!("cannot {what} {}: {e}", p.display());
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| fail("create", dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.toml".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(fail("write", path, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("/home/ada/.config/roster/config.toml"))
    }

    #[test]
    fn contexts_are_read_and_the_consoles_sections_ignored() {
        let c = parse(
            r#"
theme = "light"
tick_ms = 250
current-context = "kb"

[keys]
quit = ["q"]

[contexts.kb]
server = "https://roster.example.org"
token_env = "ROSTER_KB_TOKEN"
org = "kb"

[contexts.lab]
server = "http://127.0.0.1:8080"
token_file = "lab.token"
"#,
        )
        .unwrap();
        assert_eq!(c.current.as_deref(), Some("kb"));
        let kb = c.get("kb").unwrap();
        assert_eq!(kb.org.as_deref(), Some("kb"));
        assert_eq!(
            kb.source().unwrap(),
            TokenSource::Env("ROSTER_KB_TOKEN".into())
        );
        let lab = c.get("lab").unwrap();
        assert_eq!(
            c.resolve(lab.token_file.as_deref().unwrap()),
            Path::new("/home/ada/.config/roster/lab.token")
        );
        let e = c.get("nope").unwrap_err();
        assert!(e.contains("kb, lab"), "{e}");
    }

    #[test]
    fn mistakes_in_a_context_are_named() {
        let e = parse("[contexts.kb]\nserver = \"https://x\"\ntokn_env = \"X\"\n").unwrap_err();
        assert!(e.contains("tokn_env"), "{e}");
        let e = parse("[contexts.kb]\norg = \"kb\"\n").unwrap_err();
        assert!(e.contains("server"), "{e}");
        let c =
            parse("[contexts.kb]\nserver = \"https://x\"\ntoken_env = \"A\"\ntoken = \"secret\"\n")
                .unwrap();
        let e = c.token("kb", c.get("kb").unwrap()).unwrap_err();
        assert!(e.contains("only one"), "{e}");
    }

    #[test]
    fn an_inline_token_is_never_printed() {
        let c = parse("[contexts.kb]\nserver = \"https://x\"\ntoken = \"s3cret-value\"\n").unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret-value"), "{shown}");
    }

    #[test]
    fn token_files_are_read_and_loose_permissions_warned_about() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("config.toml");
        fs::write(
            &path,
            "[contexts.lab]\nserver = \"https://x\"\ntoken_file = \"lab.token\"\n",
        )
        .unwrap();
        let token = tmp.path().join("lab.token");
        fs::write(&token, "  abc123\n").unwrap();
        fs::set_permissions(&token, fs::Permissions::from_mode(0o644)).unwrap();

        let c = Config::load_from(&path).unwrap();
        let r = c.token("lab", c.get("lab").unwrap()).unwrap();
        assert_eq!(r.token, Token::new("abc123"));
        assert_eq!(r.warnings.len(), 1);
        assert!(r.warnings[0].contains("chmod 600"), "{:?}", r.warnings);

        fs::set_permissions(&token, fs::Permissions::from_mode(0o600)).unwrap();
        let r = c.token("lab", c.get("lab").unwrap()).unwrap();
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);

        fs::write(&token, "\n").unwrap();
        let e = c.token("lab", c.get("lab").unwrap()).unwrap_err();
        assert!(e.contains("empty"), "{e}");
    }

    #[test]
    fn an_inline_token_in_a_readable_file_is_warned_about() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("config.toml");
        fs::write(
            &path,
            "[contexts.kb]\nserver = \"https://x\"\ntoken = \"t\"\n",
        )
        .unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let c = Config::load_from(&path).unwrap();
        let r = c.token("kb", c.get("kb").unwrap()).unwrap();
        assert_eq!(r.token, Token::new("t"));
        assert!(r.warnings[0].contains("0640"), "{:?}", r.warnings);
    }

    #[test]
    fn using_a_context_keeps_the_rest_of_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("roster").join("config.toml");
        set_current(&path, Some("kb")).unwrap();
        let meta = fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let folder = fs::metadata(path.parent().unwrap()).unwrap();
        assert_eq!(folder.permissions().mode() & 0o777, 0o700);

        let original =
            "# my console\ntheme = \"mono\"\n\n[contexts.kb]\nserver = \"https://x\" # prod\n";
        fs::write(&path, original).unwrap();
        set_current(&path, Some("kb")).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("# my console") && text.contains("# prod"),
            "{text}"
        );
        let c = Config::load_from(&path).unwrap();
        assert_eq!(c.current.as_deref(), Some("kb"));
        assert!(c.get("kb").is_ok());

        set_current(&path, None).unwrap();
        let c = Config::load_from(&path).unwrap();
        assert_eq!(c.current, None);
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .contains("theme = \"mono\"")
        );
    }
}
