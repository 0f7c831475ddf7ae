//! The console's settings: a theme and key bindings from
//! `$XDG_CONFIG_HOME/roster/config.toml` (format documented in `assets/config.toml`).
//! A missing file means the defaults; a broken one is reported in the status line and
//! the defaults are used, because a typo in a config must never lock an administrator
//! out of the console.

use super::keymap::Keymap;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

const THEMES: &[(&str, &str)] = &[
    ("default", include_str!("../../assets/themes/default.toml")),
    ("light", include_str!("../../assets/themes/light.toml")),
    ("mono", include_str!("../../assets/themes/mono.toml")),
];

/// Colours by role. `None` means the terminal's own colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub accent: Option<Color>,
    pub muted: Option<Color>,
    pub ok: Option<Color>,
    pub error: Option<Color>,
    pub warn: Option<Color>,
    pub marked: Option<Color>,
    pub bar_fg: Option<Color>,
    pub bar_bg: Option<Color>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    accent: Option<String>,
    muted: Option<String>,
    ok: Option<String>,
    error: Option<String>,
    warn: Option<String>,
    marked: Option<String>,
    bar_fg: Option<String>,
    bar_bg: Option<String>,
}

fn fg(c: Option<Color>) -> Style {
    c.map(|c| Style::default().fg(c)).unwrap_or_default()
}

impl Theme {
    fn parse(text: &str, warnings: &mut Vec<String>) -> Theme {
        let file: ThemeFile = toml::from_str(text).unwrap_or_else(|e| {
            warnings.push(format!("theme: {e}"));
            ThemeFile::default()
        });
        let mut t = Theme::mono();
        t.apply(&file, warnings);
        t
    }

    fn apply(&mut self, f: &ThemeFile, warnings: &mut Vec<String>) {
        let mut set = |slot: &mut Option<Color>, v: &Option<String>| {
            if let Some(v) = v {
                match parse_color(v) {
                    Ok(c) => *slot = c,
                    Err(e) => warnings.push(e),
                }
            }
        };
        set(&mut self.accent, &f.accent);
        set(&mut self.muted, &f.muted);
        set(&mut self.ok, &f.ok);
        set(&mut self.error, &f.error);
        set(&mut self.warn, &f.warn);
        set(&mut self.marked, &f.marked);
        set(&mut self.bar_fg, &f.bar_fg);
        set(&mut self.bar_bg, &f.bar_bg);
    }

    /// No colours: everything is told apart by bold, underline and reverse video.
    pub fn mono() -> Theme {
        Theme {
            accent: None,
            muted: None,
            ok: None,
            error: None,
            warn: None,
            marked: None,
            bar_fg: None,
            bar_bg: None,
        }
    }

    pub fn builtin(name: &str) -> Option<Theme> {
        THEMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| Theme::parse(text, &mut vec![]))
    }

    pub fn accent(&self) -> Style {
        fg(self.accent).add_modifier(Modifier::BOLD)
    }
    pub fn muted(&self) -> Style {
        match self.muted {
            Some(c) => Style::default().fg(c),
            None => Style::default().add_modifier(Modifier::DIM),
        }
    }
    pub fn ok(&self) -> Style {
        fg(self.ok)
    }
    pub fn error(&self) -> Style {
        fg(self.error).add_modifier(Modifier::BOLD)
    }
    pub fn warn(&self) -> Style {
        fg(self.warn)
    }
    pub fn marked(&self) -> Style {
        fg(self.marked).add_modifier(Modifier::BOLD)
    }
    pub fn header(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub fn bar(&self) -> Style {
        match (self.bar_fg, self.bar_bg) {
            (Some(f), Some(b)) => Style::default().fg(f).bg(b),
            _ => Style::default().add_modifier(Modifier::REVERSED),
        }
    }
    /// The pending-approvals badge: loud on purpose (seed 002's red button).
    pub fn badge(&self) -> Style {
        match self.error {
            Some(c) => Style::default()
                .fg(Color::White)
                .bg(c)
                .add_modifier(Modifier::BOLD),
            None => Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        }
    }
    /// The connection's trouble in the status bar: it must stand out of the bar, which
    /// is drawn in reverse video when there are no colours.
    pub fn alert(&self) -> Style {
        let style = match self.error {
            Some(_) => self.badge(),
            None => Style::default().add_modifier(Modifier::BOLD),
        };
        // Drawn over the bar's style, which may reverse it.
        style.remove_modifier(Modifier::REVERSED)
    }
    pub fn tab_active(&self) -> Style {
        fg(self.accent).add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
}

/// Named ANSI colours (`red`, `lightblue`, `darkgray`, …), `reset`/`none` for the
/// terminal's own, or `#rrggbb` for terminals that have true colour.
fn parse_color(s: &str) -> Result<Option<Color>, String> {
    let v = s.trim().to_ascii_lowercase();
    if v == "reset" || v == "none" || v == "default" {
        return Ok(None);
    }
    Color::from_str(&v).map(Some).map_err(|_| {
        format!("theme: '{s}' is not a colour (try red, lightblue, darkgray or #rrggbb)")
    })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    theme: Option<String>,
    colors: Option<ThemeFile>,
    #[serde(default)]
    keys: BTreeMap<String, OneOrMany>,
    tick_ms: Option<u64>,
    /// The command line's named contexts share the file (`crate::config`): known here
    /// so they are not mistaken for typos, and left to their own reader.
    #[serde(default, rename = "current-context")]
    _current_context: Option<toml::Value>,
    #[serde(default, rename = "contexts")]
    _contexts: Option<toml::Value>,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub theme: Theme,
    pub keymap: Keymap,
    /// How often the console looks for changes made elsewhere.
    pub tick_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config::from_toml("", false).0
    }
}

impl Config {
    /// Builds the config from a file's text. `no_color` (the `NO_COLOR` convention)
    /// wins over any theme.
    pub fn from_toml(text: &str, no_color: bool) -> (Config, Vec<String>) {
        let mut warnings = vec![];
        let file: ConfigFile = toml::from_str(text).unwrap_or_else(|e| {
            warnings.push(format!("config: {}", e.message()));
            ConfigFile::default()
        });
        let name = file.theme.as_deref().unwrap_or("default");
        let mut theme = Theme::builtin(name).unwrap_or_else(|| {
            warnings.push(format!("config: no theme '{name}' (default, light, mono)"));
            Theme::builtin("default").unwrap_or_else(Theme::mono)
        });
        if let Some(c) = &file.colors {
            theme.apply(c, &mut warnings);
        }
        if no_color {
            theme = Theme::mono();
        }
        let keys: BTreeMap<String, Vec<String>> = file
            .keys
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    OneOrMany::One(s) => vec![s],
                    OneOrMany::Many(v) => v,
                };
                (k, v)
            })
            .collect();
        let (keymap, w) = Keymap::with_overrides(&keys);
        warnings.extend(w);
        let tick_ms = file.tick_ms.unwrap_or(500).clamp(100, 5_000);
        (
            Config {
                theme,
                keymap,
                tick_ms,
            },
            warnings,
        )
    }

    /// Where the config file lives.
    pub fn path() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join("roster").join("config.toml"))
    }

    /// Reads the user's config (if any) and the environment.
    pub fn load() -> (Config, Vec<String>) {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let text = match Config::path() {
            Some(p) => match std::fs::read_to_string(&p) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => {
                    let (c, mut w) = Config::from_toml("", no_color);
                    w.push(format!("config: cannot read {}: {e}", p.display()));
                    return (c, w);
                }
            },
            None => String::new(),
        };
        Config::from_toml(&text, no_color)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_config_and_themes_read_cleanly() {
        let (_, w) = Config::from_toml(include_str!("../../assets/config.toml"), false);
        assert!(w.is_empty(), "{w:?}");
        for (name, text) in THEMES {
            let mut w = vec![];
            Theme::parse(text, &mut w);
            assert!(w.is_empty(), "{name}: {w:?}");
        }
    }

    #[test]
    fn default_theme_uses_named_ansi_colours_only() {
        let t = Config::default().theme;
        for c in [
            t.accent, t.muted, t.ok, t.error, t.warn, t.marked, t.bar_fg, t.bar_bg,
        ]
        .into_iter()
        .flatten()
        {
            assert!(!matches!(c, Color::Rgb(..) | Color::Indexed(_)), "{c:?}");
        }
    }

    #[test]
    fn the_command_lines_contexts_in_the_same_file_are_not_mistakes() {
        let text = "current-context = \"kb\"\ntheme = \"light\"\n[contexts.kb]\nserver = \"https://roster.example.org\"\norg = \"kb\"\n";
        let (c, w) = Config::from_toml(text, false);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.theme.accent, Some(Color::Blue), "the theme still applies");
    }

    #[test]
    fn no_color_drops_every_colour() {
        let (c, _) = Config::from_toml("[colors]\naccent = \"red\"\n", true);
        assert_eq!(c.theme, Theme::mono());
    }

    #[test]
    fn overrides_and_mistakes() {
        let (c, w) = Config::from_toml(
            "theme = \"light\"\n[colors]\nwarn = \"purple-ish\"\n[keys]\nquit = [\"q\", \"ctrl-c\"]\n",
            false,
        );
        assert_eq!(c.theme.accent, Some(Color::Blue));
        assert_eq!(w.len(), 1, "{w:?}");
        let (_, w) = Config::from_toml("this is not toml", false);
        assert_eq!(w.len(), 1);
    }
}
