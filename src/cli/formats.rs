//! The machine-readable shapes a read can print (`--format json|ndjson|csv`), rendered
//! from the JSON every read already builds: one source of truth per read, three shapes.
//! NDJSON is one compact object per line (an array's items, else the value itself); CSV
//! is one row per item with a header of every key met, quoted per RFC 4180.

use serde_json::Value;

/// How reads print: chosen once per process from `--format` (or `--json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    #[default]
    Table,
    /// One pretty JSON document.
    Json,
    /// One compact JSON object per line (the items of a list).
    Ndjson,
    /// Comma-separated values with a header row (nested values as JSON).
    Csv,
}

/// The items a list-shaped value holds: an array's elements, a page's `items`
/// (`{"items": [...], "offset", "total"}`), a change report's `results`
/// (`{"dry_run", "results": [...]}`), else the value alone.
fn items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(map) => {
            let listed = if map.contains_key("dry_run") {
                map.get("results")
            } else if map.contains_key("total") {
                map.get("items")
            } else {
                None
            };
            match listed {
                Some(Value::Array(items)) => items.iter().collect(),
                _ => vec![value],
            }
        }
        _ => vec![value],
    }
}

/// One line per item, each compact JSON.
pub fn ndjson(value: &Value) -> Vec<String> {
    items(value).into_iter().map(Value::to_string).collect()
}

/// A header and one row per item. Keys are the union over all items, in the order first
/// met; a missing key is an empty cell; a scalar that is not an object is a `value` column.
pub fn csv(value: &Value) -> Vec<String> {
    let items = items(value);
    let mut header: Vec<String> = vec![];
    for item in &items {
        match item {
            Value::Object(map) => {
                for k in map.keys() {
                    if !header.contains(k) {
                        header.push(k.clone());
                    }
                }
            }
            _ => {
                if !header.iter().any(|h| h == "value") {
                    header.push("value".into());
                }
            }
        }
    }
    let mut out = vec![row(header.iter().map(String::as_str))];
    for item in items {
        let cells: Vec<String> = header
            .iter()
            .map(|h| match item {
                Value::Object(map) => map.get(h).map(cell).unwrap_or_default(),
                other if h == "value" => cell(other),
                _ => String::new(),
            })
            .collect();
        out.push(row(cells.iter().map(String::as_str)));
    }
    out
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        // Text starting with `= + - @` gets a `'` so spreadsheets do not run it as a formula.
        Value::String(s) if s.starts_with(['=', '+', '-', '@']) => format!("'{s}"),
        Value::String(s) => s.clone(),
        Value::Bool(_) | Value::Number(_) => v.to_string(),
        Value::Array(_) | Value::Object(_) => v.to_string(),
    }
}

fn row<'a>(cells: impl Iterator<Item = &'a str>) -> String {
    cells.map(quote).collect::<Vec<_>>().join(",")
}

/// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let v = json!([
            {"email": "a@x", "name": "Smith, \"Al\"", "roles": ["r1", "r2"]},
            {"email": "b@x", "name": "line\nbreak", "extra": null},
        ]);
        assert_eq!(
            csv(&v),
            vec![
                "email,name,roles,extra".to_string(),
                "a@x,\"Smith, \"\"Al\"\"\",\"[\"\"r1\"\",\"\"r2\"\"]\",".into(),
                "b@x,\"line\nbreak\",,".into(),
            ]
        );
    }

    #[test]
    fn csv_defuses_spreadsheet_formulas() {
        assert_eq!(cell(&json!("=cmd()")), "'=cmd()");
        assert_eq!(cell(&json!(-1)), "-1");
    }

    #[test]
    fn ndjson_is_one_object_per_line() {
        let v = json!([{"a": 1}, {"a": 2}]);
        assert_eq!(ndjson(&v), vec!["{\"a\":1}", "{\"a\":2}"]);
        let report = json!({"dry_run": false, "results": [{"ok": true}]});
        assert_eq!(ndjson(&report), vec!["{\"ok\":true}"]);
        assert_eq!(ndjson(&json!({"k": "v"})), vec!["{\"k\":\"v\"}"]);
        let page = json!({"items": [{"a": 1}], "offset": 0, "total": 1});
        assert_eq!(ndjson(&page), vec!["{\"a\":1}"]);
    }
}
