//! The state every tab's table shares: the rows (copied out of the directory), the
//! order they are shown in, which of them pass the filters, the cursor, the scroll
//! offset and the marks. Sorting and filtering happen here, on input; drawing only ever
//! reads `visible()` for the rows on screen, so a frame costs the same at 100 rows and
//! at 100,000.

use super::filter::Fuzzy;
use super::matching::{self, Hits, Masks, MatchAnswer, MatchJob};
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};

pub use super::item::{Item, SortPrefix};

use super::filter::narrows;
use super::sort_order::sort_order;

#[derive(Debug)]
pub struct List<R: Item> {
    /// Shared with a running match job (`matching`), never copied.
    rows: Arc<Vec<R>>,
    /// Indices into `rows` in sort order.
    order: Vec<usize>,
    /// Indices into `rows` that pass the filters, in sort order.
    view: Vec<usize>,
    pub cursor: usize,
    pub offset: usize,
    pub marks: BTreeSet<R::Key>,
    pub filter: String,
    pub sort: usize,
    pub descending: bool,
    /// The fuzzy matches of recent filter texts, each a prefix of the next (rows in
    /// sort order, with scores, before the tab's own predicate; with the rows only the
    /// tight-match rule turned away, see `Fuzzy::score_loosely`). Typing one more
    /// letter searches only the previous matches, and backspace finds its answer here,
    /// so a keystroke in a list of a million does not rescan the million.
    matches: MatchCache,
    /// The letter masks of `rows` (`letter_mask`), made by the first match job.
    masks: Masks,
}

/// The cache of recent matches (see `List::matches`), and what a match running off
/// the UI thread needs: which answer is awaited, and the sort order to share with it.
/// Emptied whenever the rows or their order change, which also turns away the answer
/// of a job started before.
#[derive(Debug, Default)]
struct MatchCache {
    entries: Vec<(String, Hits)>,
    /// `order` as shared with jobs, copied once per sort order.
    order: Option<Arc<Vec<usize>>>,
    /// Counts filter changes and row changes: an answer is taken only when it carries
    /// the generation of the match in flight.
    generation: u64,
    pending: Option<Pending>,
}

/// The match in flight.
#[derive(Debug)]
struct Pending {
    generation: u64,
    cancel: Arc<AtomicBool>,
    /// Put the cursor on the best match when the answer comes (typing, as in fzf),
    /// unless the cursor was moved meanwhile.
    to_top: bool,
}

impl MatchCache {
    fn clear(&mut self) {
        self.entries.clear();
        self.order = None;
        self.invalidate();
    }

    /// Turns away the answer of the match in flight and stops it.
    fn invalidate(&mut self) {
        self.generation += 1;
        if let Some(p) = self.pending.take() {
            p.cancel.store(true, AtomicOrdering::Relaxed);
        }
    }

    fn shared_order(&mut self, order: &[usize]) -> Arc<Vec<usize>> {
        self.order
            .get_or_insert_with(|| Arc::new(order.to_vec()))
            .clone()
    }
}

impl std::ops::Deref for MatchCache {
    type Target = Vec<(String, Hits)>;
    fn deref(&self) -> &Self::Target {
        &self.entries
    }
}

impl std::ops::DerefMut for MatchCache {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.entries
    }
}

impl<R: Item> Default for List<R> {
    fn default() -> Self {
        List {
            rows: Arc::new(Vec::new()),
            order: Vec::new(),
            view: Vec::new(),
            cursor: 0,
            offset: 0,
            marks: BTreeSet::new(),
            filter: String::new(),
            sort: 0,
            descending: false,
            matches: MatchCache::default(),
            masks: Masks::default(),
        }
    }
}

impl<R: Item> List<R> {
    /// Replaces the rows (after a reload), keeping the cursor on the same record when it
    /// is still there and dropping marks of records that are gone.
    pub fn set_rows(&mut self, rows: Vec<R>, keep: impl Fn(&R) -> bool) {
        let selected = self.selected().map(Item::key);
        let same_order =
            !self.order.is_empty() && self.same_records(&rows) && self.moves_none(&rows);
        self.rows = Arc::new(rows);
        self.masks = Masks::default();
        self.matches.clear();
        // Only when something is marked: a set of every key costs a million inserts
        // on each load of a large organisation, for nothing when no row is marked.
        if !self.marks.is_empty() {
            let present: BTreeSet<R::Key> = self.rows.iter().map(Item::key).collect();
            self.marks.retain(|k| present.contains(k));
        }
        if !same_order {
            self.resort();
        }
        self.refilter_keeping(selected, keep);
    }

    /// A reload of a large list with a filter active, when `rows` are the records on
    /// hand one for one (same keys, same places; an approval, a grant, an edit): the
    /// rows are replaced and sorted if a record moved, and the view keeps showing the
    /// same records, with their new data, instead of matching a million rows in
    /// `update`; the caller starts a match for the current text (`start_match`), whose
    /// answer replaces the view. `Err(rows)` hands the rows back when this does not
    /// apply: `set_rows` then.
    pub fn reload_matching_later(&mut self, rows: Vec<R>) -> Result<(), Vec<R>> {
        let same_records = rows.len() >= matching::ASYNC_ROWS
            && !Fuzzy::new(&self.filter).is_empty()
            && self.same_records(&rows);
        if !same_records {
            return Err(rows);
        }
        let same_order = self.moves_none(&rows);
        self.rows = Arc::new(rows);
        self.masks = Masks::default();
        self.matches.clear();
        if !same_order {
            self.resort();
        }
        // The view's indices still name the same records (same keys at the same
        // places), so the marks and the cursor stay as they are.
        Ok(())
    }

    /// Whether `rows` are the records on hand, one for one (same keys at the same
    /// places), so indices into the rows name the same records before and after.
    fn same_records(&self, rows: &[R]) -> bool {
        self.rows.len() == rows.len()
            && self.order.len() == rows.len()
            && self
                .rows
                .iter()
                .zip(rows)
                .all(|(old, new)| old.key() == new.key())
    }

    /// For the same records (`same_records`): whether each sorts exactly as its
    /// predecessor did (`compare` equal). Then every comparison a sort would make answers
    /// as before, and the order on hand is the order a sort would give. A reload after a
    /// change that moves no row (an approval, a grant, a disable) then costs one pass
    /// instead of sorting a million rows again.
    fn moves_none(&self, rows: &[R]) -> bool {
        self.rows
            .iter()
            .zip(rows)
            .all(|(old, new)| new.compare(old, self.sort) == Ordering::Equal)
    }

    /// Sorts by the current column and direction. Ties keep the loaded order, which the
    /// queries already made meaningful.
    fn resort(&mut self) {
        let (col, desc) = (self.sort, self.descending);
        self.matches.clear();
        self.order = sort_order(&self.rows, col, desc);
    }
    /// Recomputes which rows are visible (fuzzy filter plus the tab's own predicate).
    pub fn refilter(&mut self, keep: impl Fn(&R) -> bool) {
        let selected = self.selected().map(Item::key);
        self.refilter_keeping(selected, keep);
    }

    fn refilter_keeping(&mut self, selected: Option<R::Key>, keep: impl Fn(&R) -> bool) {
        // This answers for the current text at once: a match in flight is moot.
        self.matches.invalidate();
        let fuzzy = Fuzzy::new(&self.filter);
        if fuzzy.is_empty() {
            // No pattern: the sort order is the view (no scores, no cached matches of a
            // million rows to build on the way to the first frame).
            self.matches.clear();
            let rows = &self.rows;
            self.view = self
                .order
                .iter()
                .copied()
                .filter(|&i| keep(&rows[i]))
                .collect();
            self.follow(selected);
            return;
        }
        self.match_filter(fuzzy);
        let rows = &self.rows;
        let matched = self
            .matches
            .last()
            .map(|(_, m)| m.as_slice())
            .unwrap_or(&[]);
        let mut scored: Vec<(usize, u32)> = matched
            .iter()
            .filter_map(|&(i, s)| Some((i, s?)))
            .filter(|&(i, _)| keep(&rows[i]))
            .collect();
        if R::RANKED && !Fuzzy::new(&self.filter).is_empty() {
            // Stable: equally good matches stay in the tab's sort order.
            scored.sort_by_key(|&(_, s)| std::cmp::Reverse(s));
        }
        self.view = scored.into_iter().map(|(i, _)| i).collect();
        self.follow(selected);
    }

    /// Puts the cursor back on the record it was on, or keeps it inside the view.
    fn follow(&mut self, selected: Option<R::Key>) {
        match selected.and_then(|k| self.view.iter().position(|&i| self.rows[i].key() == k)) {
            Some(pos) => self.cursor = pos,
            None => self.cursor = self.cursor.min(self.view.len().saturating_sub(1)),
        }
    }

    /// The rows (in sort order) the current filter text matches, with their scores:
    /// from the cache when this text was matched before, else by searching the matches
    /// of the longest cached text it safely extends, else every row.
    /// (Leaves them as the last entry of `matches`.)
    fn match_filter(&mut self, mut fuzzy: Fuzzy) {
        let text = self.filter.clone();
        // Keep only the texts this one extends (or is): the trail of the typing.
        self.matches.retain(|(t, _)| text.starts_with(t.as_str()));
        if self.matches.last().is_some_and(|(t, _)| *t == text) {
            return;
        }
        let rows = &self.rows;
        let hits: Vec<(usize, Option<u32>)> =
            match self.matches.iter().rev().find(|(t, _)| narrows(t, &text)) {
                Some((_, before)) => before
                    .iter()
                    .filter_map(|&(i, _)| {
                        fuzzy.score_loosely(|f| rows[i].search(f)).map(|s| (i, s))
                    })
                    .collect(),
                None => self
                    .order
                    .iter()
                    .filter_map(|&i| fuzzy.score_loosely(|f| rows[i].search(f)).map(|s| (i, s)))
                    .collect(),
            };
        self.matches.push((text, Arc::new(hits)));
    }

    /// For a list of `matching::ASYNC_ROWS` rows or more: starts matching the current
    /// filter text off the UI thread instead of refiltering now. The list keeps its
    /// view (marked as `matching`) until `accept_match` takes the job's answer. `None`
    /// for a smaller list: refilter it now, as before.
    pub fn start_match(
        &mut self,
        keep: impl Fn(&R) -> bool + Send + Sync + 'static,
        to_top: bool,
    ) -> Option<MatchJob>
    where
        R: Send + Sync + 'static,
    {
        self.start_job(keep, to_top, false)
    }

    /// The filter is opened (`/`) on a large list not yet searched: a job for the
    /// current text that also makes what the first letter's search needs (the letter
    /// masks, the shared sort order), while the user reaches for the first letter.
    /// `None` when there is nothing to prepare.
    pub fn prepare_match(
        &mut self,
        keep: impl Fn(&R) -> bool + Send + Sync + 'static,
    ) -> Option<MatchJob>
    where
        R: Send + Sync + 'static,
    {
        if self.masks.get().is_some() && self.matches.order.is_some() {
            return None;
        }
        self.start_job(keep, false, true)
    }

    fn start_job(
        &mut self,
        keep: impl Fn(&R) -> bool + Send + Sync + 'static,
        to_top: bool,
        prepare: bool,
    ) -> Option<MatchJob>
    where
        R: Send + Sync + 'static,
    {
        if self.rows.len() < matching::ASYNC_ROWS {
            return None;
        }
        self.matches.invalidate();
        let text = self.filter.clone();
        // Matches of texts no longer typed are freed by the job, not here: a million
        // entries take a while to give back, and this is the keystroke's own time.
        let (kept, retired) = std::mem::take(&mut self.matches.entries)
            .into_iter()
            .partition(|(t, _)| text.starts_with(t.as_str()));
        self.matches.entries = kept;
        let exact = self
            .matches
            .last()
            .filter(|(t, _)| *t == text)
            .map(|(_, h)| h.clone());
        let base = match exact {
            Some(_) => None,
            None => self
                .matches
                .iter()
                .rev()
                .find(|(t, _)| narrows(t, &text))
                .map(|(_, h)| h.clone()),
        };
        let cancel = Arc::new(AtomicBool::new(false));
        let generation = self.matches.generation;
        self.matches.pending = Some(Pending {
            generation,
            cancel: cancel.clone(),
            to_top,
        });
        let input = matching::Input {
            rows: self.rows.clone(),
            order: self.matches.shared_order(&self.order),
            text,
            exact,
            base,
            masks: self.masks.clone(),
            keep: Box::new(keep),
            prepare,
            retired: retired.into_iter().map(|(_, h)| h).collect(),
        };
        Some(MatchJob::new(generation, cancel, input))
    }

    /// Takes a match job's answer if it is the one awaited (`generation`, for the
    /// current text and rows); a stale answer changes nothing. The cursor goes to the
    /// best match after typing, else stays on its record when that is still shown.
    pub fn accept_match(&mut self, generation: u64, answer: MatchAnswer) -> bool {
        let Some(p) = &self.matches.pending else {
            return false;
        };
        if p.generation != generation || answer.text != self.filter {
            return false;
        }
        let to_top = p.to_top;
        self.matches.pending = None;
        if let Some(hits) = answer.hits {
            let text = answer.text;
            self.matches
                .retain(|(t, _)| text.starts_with(t.as_str()) && *t != text);
            self.matches.push((text, hits));
        }
        let selected = self.selected().map(Item::key);
        self.view = answer.view;
        match selected.filter(|_| !to_top) {
            _ if to_top => self.cursor = 0,
            Some(k) => match self.view.iter().position(|&i| self.rows[i].key() == k) {
                Some(pos) => self.cursor = pos,
                None => self.cursor = self.cursor.min(self.view.len().saturating_sub(1)),
            },
            None => self.cursor = self.cursor.min(self.view.len().saturating_sub(1)),
        }
        true
    }

    /// Whether a match is in flight: the rows shown are those of the text before.
    pub fn matching(&self) -> bool {
        self.matches.pending.is_some()
    }

    /// The cursor was moved while matching: keep it on its record when the answer comes.
    pub fn keep_cursor(&mut self) {
        if let Some(p) = self.matches.pending.as_mut() {
            p.to_top = false;
        }
    }

    /// Moves to the next sort column (`s`), keeping the selection.
    pub fn cycle_sort(&mut self, keep: impl Fn(&R) -> bool) {
        self.sort = (self.sort + 1) % R::sort_names().len().max(1);
        self.resort_keeping(keep);
    }

    /// Reverses the sort direction (`S`).
    pub fn reverse(&mut self, keep: impl Fn(&R) -> bool) {
        self.descending = !self.descending;
        self.resort_keeping(keep);
    }

    fn resort_keeping(&mut self, keep: impl Fn(&R) -> bool) {
        let selected = self.selected().map(Item::key);
        self.resort();
        self.refilter_keeping(selected, keep);
    }

    /// Whether the visible order is by match quality (an active filter on a ranked list).
    pub fn ranked(&self) -> bool {
        R::RANKED && !Fuzzy::new(&self.filter).is_empty()
    }

    pub fn sort_name(&self) -> &'static str {
        R::sort_names().get(self.sort).copied().unwrap_or("")
    }

    pub fn all(&self) -> &[R] {
        self.rows.as_slice()
    }

    /// How many rows pass the filters.
    pub fn len(&self) -> usize {
        self.view.len()
    }

    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }

    /// The `i`-th visible row.
    pub fn get(&self, i: usize) -> Option<&R> {
        self.view.get(i).map(|&r| &self.rows[r])
    }

    pub fn selected(&self) -> Option<&R> {
        self.get(self.cursor)
    }

    /// The visible rows from `start`, at most `n` of them: what one frame draws.
    pub fn window(&self, start: usize, n: usize) -> impl Iterator<Item = &R> {
        self.view.iter().skip(start).take(n).map(|&i| &self.rows[i])
    }

    pub fn find(&self, key: R::Key) -> Option<&R> {
        self.rows.iter().find(|r| r.key() == key)
    }

    /// Puts the cursor on `key` if it is visible.
    pub fn select(&mut self, key: R::Key) -> bool {
        match self.view.iter().position(|&i| self.rows[i].key() == key) {
            Some(p) => {
                self.cursor = p;
                true
            }
            None => false,
        }
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.view.is_empty() {
            self.cursor = 0;
            return;
        }
        let last = self.view.len() - 1;
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }

    pub fn top(&mut self) {
        self.cursor = 0;
    }

    pub fn bottom(&mut self) {
        self.cursor = self.view.len().saturating_sub(1);
    }

    /// Keeps the cursor inside a viewport of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        let max_offset = self.view.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }

    pub fn toggle_mark(&mut self) {
        if let Some(k) = self.selected().map(Item::key)
            && !self.marks.remove(&k)
        {
            self.marks.insert(k);
        }
    }

    /// `*`: marks every visible row, or unmarks them all when they already are.
    pub fn toggle_mark_all(&mut self) {
        let keys: Vec<R::Key> = self.view.iter().map(|&i| self.rows[i].key()).collect();
        if !keys.is_empty() && keys.iter().all(|k| self.marks.contains(k)) {
            for k in keys {
                self.marks.remove(&k);
            }
        } else {
            self.marks.extend(keys);
        }
    }

    pub fn is_marked(&self, r: &R) -> bool {
        self.marks.contains(&r.key())
    }

    /// The targets of an action: the marked rows if any, else the selected one.
    pub fn targets(&self) -> Vec<&R> {
        if self.marks.is_empty() {
            self.selected().into_iter().collect()
        } else {
            self.rows
                .iter()
                .filter(|r| self.marks.contains(&r.key()))
                .collect()
        }
    }
}

#[cfg(test)]
#[path = "list_tests.rs"]
mod tests;
