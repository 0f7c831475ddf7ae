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

pub fn split(area: Rect) -> Areas {
    let [tabs, body, note, footer, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
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

/// Data rows a list shows: the block's borders and the header row come off.
pub fn list_rows(size: (u16, u16), with_pane: bool) -> usize {
    let area = Rect::new(0, 0, size.0, size.1);
    let mut body = split(area).body;
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
        assert_eq!(list_rows((80, 24), false), 17);
        assert!(list_rows((80, 24), true) >= 8);
        assert_eq!(list_rows((120, 40), true), 33);
    }
}
