//! Pagination cursors: opaque to clients, they carry where the next page starts and the
//! store's position when the first page was read (so a client can tell that the list
//! changed underneath it: the reply's `seq` differs from the cursor's).

use super::problem::{Problem, Reply};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub offset: usize,
    pub seq: u64,
}

const TAG: &str = "c1";

impl Cursor {
    pub fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{TAG}:{}:{}", self.offset, self.seq))
    }

    pub fn decode(text: &str) -> Reply<Cursor> {
        let bad = || {
            Problem::unprocessable(
                "the cursor is not one this server handed out: start again from the first page",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| bad())?;
        let plain = String::from_utf8(bytes).map_err(|_| bad())?;
        let mut parts = plain.split(':');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(TAG), Some(offset), Some(seq), None) => Ok(Cursor {
                offset: offset.parse().map_err(|_| bad())?,
                seq: seq.parse().map_err(|_| bad())?,
            }),
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_garbage_is_refused() {
        let c = Cursor {
            offset: 150,
            seq: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        for bad in [
            "",
            "xyz",
            "!!",
            &URL_SAFE_NO_PAD.encode("c1:a:1"),
            &URL_SAFE_NO_PAD.encode("c9:1:1"),
        ] {
            let p = Cursor::decode(bad).unwrap_err();
            assert_eq!(p.status, 422, "{bad}");
        }
    }
}
