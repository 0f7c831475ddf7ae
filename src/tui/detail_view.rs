//! The detail view open over a tab: what it is about, what was loaded, how far it is
//! scrolled. Kept apart from the loaded `Detail` itself, which is backend data.

use super::data::{Detail, Target};

#[derive(Clone, Debug)]
pub struct DetailView {
    pub target: Target,
    pub data: Option<Detail>,
    pub scroll: u16,
}

impl DetailView {
    /// Lines the view draws (the same count `view::widgets::sections` makes), so
    /// scrolling stops at the last screenful instead of running on past it.
    pub fn lines(&self) -> u16 {
        let Some(d) = &self.data else { return 1 };
        d.sections
            .iter()
            .enumerate()
            .map(|(i, s)| usize::from(i > 0) + usize::from(!s.title.is_empty()) + s.lines.len())
            .sum::<usize>()
            .min(u16::MAX as usize) as u16
    }
}
