//! Where things go on screen. The App uses `list_rows` to page by the same number of
//! rows the view draws, so PgDn moves exactly one screenful.

use ratatui::layout::{Constraint, Layout, Rect};

/// Below this the screen cannot show a list with its header, footer and status line;
/// a message asks for a bigger terminal instead of drawing garbage.
pub const MIN_W: u16 = 60;
pub const MIN_H: u16 = 15;

/// At least this wide, the approvals detail pane sits beside the list, not under it.
pub const WIDE: u16 = 120;

pub struct Areas {
    pub tabs: Rect,
    pub body: Rect,
    pub note: Rect,
    pub footer: Rect,
    pub status: Rect,
}

/// `note_rows`: 1, or up to 3 while a result too long for one line is shown.
pub fn split(area: Rect, note_rows: u16) -> Areas {
    let [tabs, body, note, footer, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(note_rows.clamp(1, 3)),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas {
        tabs,
        body,
        note,
        footer,
        status,
    }
}

/// The list part of a body that also shows a detail pane (Approvals).
pub fn list_and_pane(body: Rect) -> (Rect, Rect) {
    if body.width >= WIDE {
        let [l, r] = Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
            .areas(body);
        (l, r)
    } else {
        let pane = (body.height * 2 / 5).clamp(5, 10);
        let [l, r] = Layout::vertical([Constraint::Min(4), Constraint::Length(pane)]).areas(body);
        (l, r)
    }
}

/// Rows of the body (between the tab bar and the result line).
pub fn body_rows(size: (u16, u16), note_rows: u16) -> u16 {
    split(Rect::new(0, 0, size.0, size.1), note_rows)
        .body
        .height
}

/// Data rows a list shows: the block's borders and the header row come off.
pub fn list_rows(size: (u16, u16), with_pane: bool, note_rows: u16) -> usize {
    let area = Rect::new(0, 0, size.0, size.1);
    let mut body = split(area, note_rows).body;
    if with_pane {
        body = list_and_pane(body).0;
    }
    body.height.saturating_sub(3) as usize
}

/// A box of at most `w`×`h` in the middle of `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_80x24_screen_shows_17_rows() {
        assert_eq!(list_rows((80, 24), false, 1), 17);
        assert_eq!(
            list_rows((80, 24), false, 2),
            16,
            "a long result takes a row"
        );
        assert!(list_rows((80, 24), true, 1) >= 8);
        assert_eq!(list_rows((120, 40), true, 1), 33);
    }
}
