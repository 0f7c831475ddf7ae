//! Moments as people type them: `2027-01-31`, an RFC 3339 timestamp, or a duration from
//! now such as `30d` or `12h`. Dates are read in UTC, like everything roster shows, so a
//! script means the same moment on every machine.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

/// Which end of a bare date is meant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    /// `--start 2027-01-01`: from the beginning of that day.
    Start,
    /// `--until 2027-01-31`, `--end`, `--expires`: through that whole day, i.e. up to
    /// the beginning of the next one.
    End,
}

/// Parses a moment relative to `now`; the error says what forms are accepted.
pub fn parse(text: &str, now: Timestamp, edge: Edge) -> Result<Timestamp, String> {
    let t = text.trim();
    let bad = || {
        format!(
            "'{t}' is not a date: use 2027-01-31, an RFC 3339 time like 2027-01-31T09:00:00Z, or a duration from now like 30d or 12h"
        )
    };
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    // jiff reads a date-time as a date too (dropping the time), so the form decides.
    let has_time = t.contains(['T', 't', ' ']);
    if has_time {
        if let Ok(dt) = t.parse::<DateTime>() {
            return dt
                .to_zoned(TimeZone::UTC)
                .map(|z| z.timestamp())
                .map_err(|_| bad());
        }
    } else if let Ok(date) = t.parse::<Date>() {
        let day = match edge {
            Edge::Start => Some(date),
            Edge::End => date.tomorrow().ok(),
        };
        return day
            .and_then(|d| d.to_zoned(TimeZone::UTC).ok())
            .map(|z| z.timestamp())
            .ok_or_else(bad);
    }
    if let Ok(span) = t.parse::<Span>() {
        // Days and weeks are calendar units, so the arithmetic needs a time zone.
        return now
            .to_zoned(TimeZone::UTC)
            .checked_add(span)
            .map(|z| z.timestamp())
            .map_err(|_| format!("'{t}' from now is too far away"));
    }
    Err(bad())
}

/// Parses an optional moment.
pub fn parse_opt(
    text: Option<&str>,
    now: Timestamp,
    edge: Edge,
) -> Result<Option<Timestamp>, String> {
    text.map(|t| parse(t, now, edge)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-23T10:00:00Z".parse().unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_date_means_the_whole_day_for_an_end_and_its_start_for_a_start() {
        assert_eq!(
            parse("2027-01-31", now(), Edge::End),
            Ok(at("2027-02-01T00:00:00Z"))
        );
        assert_eq!(
            parse("2027-01-31", now(), Edge::Start),
            Ok(at("2027-01-31T00:00:00Z"))
        );
    }

    #[test]
    fn timestamps_and_durations() {
        assert_eq!(
            parse("2027-01-31T09:30:00+02:00", now(), Edge::End),
            Ok(at("2027-01-31T07:30:00Z"))
        );
        assert_eq!(
            parse("2027-01-31T09:30", now(), Edge::End),
            Ok(at("2027-01-31T09:30:00Z"))
        );
        assert_eq!(
            parse("30d", now(), Edge::End),
            Ok(at("2026-12-23T10:00:00Z"))
        );
        assert_eq!(
            parse("12h", now(), Edge::End),
            Ok(at("2026-11-23T22:00:00Z"))
        );
        assert_eq!(
            parse("2w", now(), Edge::End),
            Ok(at("2026-12-07T10:00:00Z"))
        );
    }

    #[test]
    fn nonsense_is_refused_with_the_accepted_forms() {
        for bad in ["tomorrow", "2027-13-01", "", "30 parsecs"] {
            let e = parse(bad, now(), Edge::End).unwrap_err();
            assert!(e.contains("2027-01-31"), "{bad}: {e}");
        }
    }
}
