//! Everything the CLI prints goes through here: lines are sanitised (user-supplied text
//! must not steer the terminal), tables are aligned by display width (CJK and emoji take
//! two columns), JSON is stable and escaped. Write errors such as a closed pipe
//! (`roster user list | head`) end output quietly instead of panicking like `println!`.

use super::fail::{Failure, Outcome};
use super::formats::{self, Format};
use crate::core::validate::is_unsafe_char;
use crate::text::sanitize;
use jiff::Timestamp;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::OnceLock;
use unicode_width::UnicodeWidthStr;

/// Prints one line on stdout, sanitised.
pub fn say(line: impl AsRef<str>) {
    let _ = writeln!(std::io::stdout().lock(), "{}", sanitize(line.as_ref()));
}

/// Prints one line on stderr, sanitised.
pub fn warn(line: impl AsRef<str>) {
    let _ = writeln!(std::io::stderr().lock(), "{}", sanitize(line.as_ref()));
}

/// The output format of this process, chosen once from `--format` / `--json` before
/// any command runs (a process-wide setting, as every printer below must honour it).
static FORMAT: OnceLock<Format> = OnceLock::new();

/// Sets the format for the rest of the process (the first call wins).
pub fn set_format(format: Format) {
    let _ = FORMAT.set(format);
}

/// Prints a value in the chosen machine format: pretty JSON by default, NDJSON or CSV
/// when asked. serde_json escapes C0 controls; the other characters a terminal could act
/// on (C1 controls, DEL, bidi and zero-width marks) are escaped here as `\uXXXX`, which
/// is the same string to any JSON reader. CSV cells are sanitised like table cells.
pub fn json(value: &impl Serialize) -> Outcome {
    let unexpected = |e: serde_json::Error| Failure::Unexpected(e.into());
    let mut out = std::io::stdout().lock();
    match FORMAT.get().copied().unwrap_or_default() {
        Format::Table | Format::Json => {
            let text = serde_json::to_string_pretty(value).map_err(unexpected)?;
            let _ = writeln!(out, "{}", escape_json(&text));
        }
        Format::Ndjson => {
            let value = serde_json::to_value(value).map_err(unexpected)?;
            for line in formats::ndjson(&value) {
                let _ = writeln!(out, "{}", escape_json(&line));
            }
        }
        Format::Csv => {
            let value = serde_json::to_value(value).map_err(unexpected)?;
            for line in formats::csv(&value) {
                let _ = writeln!(out, "{}", sanitize_csv(&line));
            }
        }
    }
    Ok(())
}

/// A CSV line keeps its quoted line breaks; every other character a terminal would act
/// on goes, as in tables.
fn sanitize_csv(line: &str) -> String {
    line.split('\n')
        .map(|part| sanitize(part).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

fn escape_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe_char(c) && c != '\n' {
            // Every such character is in the Basic Multilingual Plane, so one \u escape
            // is exact. Writing to a String cannot fail.
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// A moment as shown to people: UTC to the minute, the same on every machine.
pub fn when(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// An optional moment, `-` when absent.
pub fn when_opt(t: Option<Timestamp>) -> String {
    t.map(when).unwrap_or_else(|| "-".into())
}

/// A table with a header row; columns are padded to the widest cell by display width.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: vec![],
        }
    }

    /// Adds a row; cells are sanitised now so widths are measured on what is printed.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|c| sanitize(&c).into_owned())
                .collect(),
        );
    }

    /// The table as text lines, without trailing spaces.
    pub fn render(&self) -> Vec<String> {
        let cols = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(cols) {
                widths[i] = widths[i].max(cell.width());
            }
        }
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, cell) in cells.iter().enumerate().take(cols) {
                s.push_str(cell);
                if i + 1 < cols {
                    let pad = widths[i].saturating_sub(cell.width()) + 2;
                    s.extend(std::iter::repeat_n(' ', pad));
                }
            }
            s.trim_end().to_string()
        };
        let mut out = vec![line(&self.header)];
        out.extend(self.rows.iter().map(|r| line(r)));
        out
    }

    /// The table's lines, or `empty` when it has no rows.
    pub fn lines(&self, empty: &str) -> Vec<String> {
        if self.rows.is_empty() {
            return vec![empty.to_string()];
        }
        self.render()
    }
}

/// What a read shows: JSON for scripts or lines for people. Built while the state is
/// read, printed after.
pub enum Shown {
    Json(serde_json::Value),
    Text(Vec<String>),
}

impl Shown {
    /// JSON of a serialisable value (errors here are bugs, reported as such).
    pub fn json(value: &impl Serialize) -> Result<Shown, String> {
        serde_json::to_value(value)
            .map(Shown::Json)
            .map_err(|e| format!("could not write JSON: {e}"))
    }

    pub fn print(&self) -> Outcome {
        match self {
            Shown::Json(v) => json(v),
            Shown::Text(lines) => {
                lines.iter().for_each(say);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_keep_columns_aligned() {
        let mut t = Table::new(&["NAME", "EMAIL"]);
        t.row(vec!["李 小龍".into(), "li@example.org".into()]);
        t.row(vec!["Zoë".into(), "zoe@example.org".into()]);
        t.row(vec!["🎉 Party".into(), "p@example.org".into()]);
        let lines = t.render();
        let emails = [
            "EMAIL",
            "li@example.org",
            "zoe@example.org",
            "p@example.org",
        ];
        let starts: Vec<usize> = lines
            .iter()
            .zip(emails)
            .map(|(l, e)| l[..l.find(e).unwrap()].width())
            .collect();
        assert!(starts.windows(2).all(|w| w[0] == w[1]), "{lines:#?}");
    }

    #[test]
    fn cells_are_sanitised() {
        let mut t = Table::new(&["NAME"]);
        t.row(vec!["evil\u{1b}[2J".into()]);
        assert!(!t.render().concat().contains('\u{1b}'));
    }

    #[test]
    fn json_escapes_what_a_terminal_would_act_on() {
        let s = escape_json("\"a\u{202e}b\u{9b}c\"");
        assert_eq!(s, "\"a\\u202eb\\u009bc\"");
        let back: String = serde_json::from_str(&s).unwrap();
        assert_eq!(back, "a\u{202e}b\u{9b}c");
    }
}
