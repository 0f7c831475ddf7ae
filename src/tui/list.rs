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

/// The first 24 bytes of a row's sort key, packed so two integer comparisons order
/// most pairs of rows. The key's bytes must order as `Item::compare` does (lowercase
/// UTF-8 orders as lowercase chars, and zero padding sorts a key cut short no later
/// than the longer one); `whole` says the key ended inside the 24 bytes, so two
/// equal whole prefixes are decided by `tie` alone (what `compare` falls back to last,
/// the record's id). 24 bytes hold most names of a large tenant whole, Cyrillic and
/// accented ones included (two bytes a letter), and the rows left over are few.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortPrefix {
    pub head: u128,
    pub next: u64,
    pub whole: bool,
    pub tie: u64,
}

impl SortPrefix {
    /// The first 24 bytes of `encode(parts)`, with `tie` deciding between equal whole keys.
    pub fn lowercase(parts: &[&str], tie: u64) -> SortPrefix {
        let mut buf = [0u8; 24];
        let mut len = 0;
        let whole = encode(parts, |b| {
            if len == buf.len() {
                return false;
            }
            buf[len] = b;
            len += 1;
            true
        });
        let (head, next) = buf.split_at(16);
        SortPrefix {
            head: u128::from_be_bytes(head.try_into().unwrap_or_default()),
            next: u64::from_be_bytes(next.try_into().unwrap_or_default()),
            whole,
            tie,
        }
    }

    /// The whole key the prefix starts: `encode(parts)`, then `tie`.
    pub fn lowercase_key(parts: &[&str], tie: u64) -> Vec<u8> {
        let mut key = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum::<usize>() + 8);
        encode(parts, |b| {
            key.push(b);
            true
        });
        key.extend(tie.to_be_bytes());
        key
    }

    /// What the first pass sorts by.
    fn order(&self) -> (u128, u64, u64) {
        (self.head, self.next, self.tie)
    }

    /// Whether two prefixes hold the same bytes (whole or not).
    fn same_bytes(&self, other: &SortPrefix) -> bool {
        (self.head, self.next) == (other.head, other.next)
    }
}

/// Feeds `sink` the sort key of `parts`: each lowercased char by char (as
/// `query::cmp_lower` compares), followed by a separator that sorts before every
/// character, so a shorter part sorts first as it does when parts are compared one by
/// one. Each UTF-8 byte is given plus one (UTF-8 never uses 0xFF), which keeps byte
/// order and leaves 0 to the separator and the padding alone: a NUL typed into a name
/// cannot pass for either. Stops when `sink` says so; true when every byte was taken.
fn encode(parts: &[&str], mut sink: impl FnMut(u8) -> bool) -> bool {
    for part in parts {
        let bytes = part.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii() {
                // Most names and nearly every email: no char decoding, no tables.
                if !sink(b.to_ascii_lowercase() + 1) {
                    return false;
                }
                i += 1;
                continue;
            }
            let Some(c) = part[i..].chars().next() else {
                break;
            };
            i += c.len_utf8();
            for lower in c.to_lowercase() {
                let mut tmp = [0u8; 4];
                for &b in lower.encode_utf8(&mut tmp).as_bytes() {
                    if !sink(b + 1) {
                        return false;
                    }
                }
            }
        }
        if !sink(0) {
            return false;
        }
    }
    true
}

/// Lists from this many rows sort their prefixes on two threads: at a million rows
/// the sort is a third of the console's first frame.
const PARALLEL_SORT_ROWS: usize = 50_000;

/// Every row's prefix for `column` with its index, ordered by prefix, then the
/// tie-break: right wherever a prefix holds its whole key (the caller orders runs of
/// equal prefixes that do not). Unstable is safe: `compare` is total (it ends with the
/// record's id), so no two rows are equal. `None`: the column has no prefixes.
fn sorted_prefixes<R: Item>(rows: &[R], col: usize) -> Option<Vec<(SortPrefix, u32)>> {
    let half = |range: std::ops::Range<usize>| -> Option<Vec<(SortPrefix, u32)>> {
        let mut keys: Vec<(SortPrefix, u32)> = range
            .map(|i| rows[i].sort_prefix(col).map(|p| (p, i as u32)))
            .collect::<Option<_>>()?;
        keys.sort_unstable_by_key(|(p, _)| p.order());
        Some(keys)
    };
    if rows.len() < PARALLEL_SORT_ROWS {
        return half(0..rows.len());
    }
    let mid = rows.len() / 2;
    let (a, b) = std::thread::scope(|s| {
        let other = s.spawn(|| half(mid..rows.len()));
        let mine = half(0..mid);
        // A panic in `sort_prefix` would be a bug: sort on this thread instead.
        (mine, other.join().ok().flatten())
    });
    let (a, b) = (a?, b.or_else(|| half(mid..rows.len()))?);
    // Merge the two sorted halves.
    let mut out = Vec::with_capacity(rows.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].0.order() <= b[j].0.order() {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    Some(out)
}

/// A row type a `List` can hold (`Sync`: a large list is sorted and matched on
/// several threads).
pub trait Item: Sync {
    type Key: Copy + Ord + std::fmt::Debug;
    /// Identity across reloads: the cursor and marks follow this, not the position.
    fn key(&self) -> Self::Key;
    /// Sortable columns, in the order `s` cycles through them.
    fn sort_names() -> &'static [&'static str];
    fn compare(&self, other: &Self, column: usize) -> Ordering;
    /// The identifying fields the `/` filter looks in, one call of `field` each (a name,
    /// an email; never status words, which would make every row match).
    fn search(&self, field: &mut dyn FnMut(&str));
    /// The start of this row's sort key for `column`, for columns where comparing
    /// a 24-byte prefix once per pair beats comparing rows (names, emails) n·log n
    /// times; `None` sorts by `compare` alone.
    fn sort_prefix(&self, _column: usize) -> Option<SortPrefix> {
        None
    }
    /// The whole key `sort_prefix` starts (ending with the tie-break), for the rows
    /// whose prefixes are equal but not whole; `None` falls back to `compare`.
    fn sort_key(&self, _column: usize) -> Option<Vec<u8>> {
        None
    }
    /// Whether an active filter puts the best matches first (the sort order breaks
    /// ties). A list whose order is its meaning (the audit trail) keeps its order.
    const RANKED: bool = true;
}

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
        let rows = &self.rows;
        let (col, desc) = (self.sort, self.descending);
        self.matches.clear();
        let prefixes = u32::try_from(rows.len())
            .ok()
            .and_then(|_| sorted_prefixes(rows, col));
        match prefixes {
            Some(mut keys) if !keys.is_empty() => {
                // Rows whose prefixes are equal but cut short (long or non-Latin names)
                // are put in order among themselves by their whole keys, built only
                // for them: names repeat, so such runs are common, and comparing
                // rows char by char in them cost more than all the rest.
                let mut start = 0;
                while start < keys.len() {
                    let first = keys[start].0;
                    let end = start + keys[start..].partition_point(|(p, _)| p.same_bytes(&first));
                    let run = &mut keys[start..end];
                    if run.len() > 1 && run.iter().any(|(p, _)| !p.whole) {
                        let full: Option<Vec<Vec<u8>>> = run
                            .iter()
                            .map(|(_, i)| rows[*i as usize].sort_key(col))
                            .collect();
                        match full {
                            Some(full) => {
                                let mut by_key: Vec<(Vec<u8>, u32)> =
                                    full.into_iter().zip(run.iter().map(|(_, i)| *i)).collect();
                                by_key.sort_unstable();
                                for (slot, (_, i)) in run.iter_mut().zip(by_key) {
                                    slot.1 = i;
                                }
                            }
                            None => run.sort_by(|(_, i), (_, j)| {
                                rows[*i as usize].compare(&rows[*j as usize], col)
                            }),
                        }
                    }
                    start = end;
                }
                self.order = keys.into_iter().map(|(_, i)| i as usize).collect();
                if desc {
                    self.order.reverse();
                }
            }
            _ => {
                self.order = (0..rows.len()).collect();
                self.order.sort_by(|&a, &b| {
                    let o = rows[a].compare(&rows[b], col);
                    if desc { o.reverse() } else { o }
                });
            }
        }
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

/// Whether every row matching `longer` also matches `shorter`, so `longer` need only
/// search `shorter`'s matches: it only adds letters, digits and spaces to a pattern
/// that ends in one (no `!`, `'`, `^`, `$` or `\\` that would change how the words
/// before it are read).
fn narrows(shorter: &str, longer: &str) -> bool {
    let plain = |c: char| c.is_alphanumeric() || c == ' ' || c == '-' || c == '.' || c == '@';
    !shorter.trim().is_empty()
        && longer.len() > shorter.len()
        && longer.starts_with(shorter)
        && shorter.chars().all(plain)
        && longer[shorter.len()..].chars().all(plain)
}

/// `narrows`, for the matcher's tests.
#[cfg(test)]
pub(super) fn narrows_for_test(shorter: &str, longer: &str) -> bool {
    narrows(shorter, longer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone)]
    struct Row(u32, &'static str);
    impl Item for Row {
        type Key = u32;
        fn key(&self) -> u32 {
            self.0
        }
        fn sort_names() -> &'static [&'static str] {
            &["name", "id"]
        }
        fn compare(&self, o: &Self, c: usize) -> Ordering {
            if c == 0 {
                self.1.cmp(o.1)
            } else {
                self.0.cmp(&o.0)
            }
        }
        fn search(&self, field: &mut dyn FnMut(&str)) {
            field(self.1);
        }
    }

    fn list() -> List<Row> {
        let mut l = List::default();
        l.set_rows(
            vec![Row(1, "carol"), Row(2, "alice"), Row(3, "bob")],
            |_| true,
        );
        l
    }

    #[test]
    fn rows_are_sorted_and_the_cursor_follows_the_record() {
        let mut l = list();
        assert_eq!(l.selected().map(|r| r.1), Some("alice"));
        l.move_by(1);
        assert_eq!(l.selected().map(|r| r.1), Some("bob"));
        l.reverse(|_| true);
        assert_eq!(l.selected().map(|r| r.1), Some("bob"));
        assert_eq!(l.get(0).map(|r| r.1), Some("carol"));
    }

    #[test]
    fn reload_keeps_the_selection_by_key() {
        let mut l = list();
        l.select(1);
        l.set_rows(
            vec![Row(0, "aaron"), Row(1, "carol"), Row(2, "alice")],
            |_| true,
        );
        assert_eq!(l.selected().map(|r| r.0), Some(1));
    }

    #[test]
    fn filter_narrows_and_marks_target_bulk_actions() {
        let mut l = list();
        l.filter = "o".into();
        l.refilter(|_| true);
        assert_eq!(l.len(), 2);
        // Ranked: "bob" (o at a word's second letter) and "carol"; both single-letter
        // matches score alike, so the sort order decides.
        assert_eq!(l.get(0).map(|r| r.1), Some("bob"));
        l.toggle_mark_all();
        let mut t: Vec<u32> = l.targets().iter().map(|r| r.0).collect();
        t.sort();
        assert_eq!(t, vec![1, 3]);
        l.toggle_mark_all();
        assert!(l.marks.is_empty());
    }

    #[test]
    fn an_active_filter_puts_the_best_match_first() {
        let mut l = List::default();
        l.set_rows(
            vec![Row(1, "natalia"), Row(2, "alice"), Row(3, "bob")],
            |_| true,
        );
        l.filter = "ali".into();
        l.refilter(|_| true);
        let shown: Vec<&str> = (0..l.len()).filter_map(|i| l.get(i)).map(|r| r.1).collect();
        assert_eq!(
            shown,
            vec!["alice", "natalia"],
            "a word start beats the middle"
        );
        assert!(l.ranked());
        l.filter.clear();
        l.refilter(|_| true);
        assert_eq!(
            l.get(0).map(|r| r.1),
            Some("alice"),
            "back to the sort order"
        );
        assert!(!l.ranked());
    }

    #[test]
    fn scrolling_keeps_the_cursor_on_screen() {
        let mut l = List::default();
        l.set_rows((0..100).map(|i| Row(i, "x")).collect(), |_| true);
        l.sort = 1;
        l.move_by(50);
        l.scroll_into_view(10);
        assert_eq!(l.offset, 41);
        l.top();
        l.scroll_into_view(10);
        assert_eq!(l.offset, 0);
    }

    /// Typing, correcting and retyping (served from earlier matches) shows exactly what
    /// a fresh search for the same text shows.
    #[test]
    fn incremental_filtering_agrees_with_a_fresh_search() {
        let names = [
            "alice",
            "alina",
            "natalia",
            "bob",
            "bobby",
            "carol",
            "caroline",
            "lucía",
            "lucas",
            "marie-hélène dubois",
            "al",
            "ali baba",
            "x",
        ];
        let rows = || -> Vec<Row> {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| Row(i as u32, n))
                .collect()
        };
        let mut typed = List::default();
        typed.set_rows(rows(), |_| true);
        let steps = [
            "a", "al", "ali", "alic", "ali", "al", "a", "", "c", "ca", "car", "caro", "caro ",
            "caro l", "lu", "luc", "lucí", "m", "mh", "mhd", "",
        ];
        for text in steps {
            typed.filter = text.into();
            typed.refilter(|r| r.0 != 7);
            let mut fresh = List::default();
            fresh.set_rows(rows(), |_| true);
            fresh.filter = text.into();
            fresh.refilter(|r| r.0 != 7);
            let shown = |l: &List<Row>| -> Vec<u32> {
                (0..l.len()).filter_map(|i| l.get(i)).map(|r| r.0).collect()
            };
            assert_eq!(shown(&typed), shown(&fresh), "after typing {text:?}");
        }
    }

    /// One more letter can make a match of a row the shorter text's tight-match rule
    /// turned away ("luc" plucks its c from inside "garcia", "luci" takes "ci"): the
    /// narrowed search still finds it.
    #[test]
    fn a_longer_text_finds_what_the_tight_rule_kept_from_the_shorter() {
        let mut l = List::default();
        l.set_rows(
            vec![Row(1, "lukasz.garcia@x.example"), Row(2, "lucia")],
            |_| true,
        );
        for text in ["l", "lu", "luc"] {
            l.filter = text.into();
            l.refilter(|_| true);
        }
        assert_eq!(keys(&l), vec![2], "the c of garcia alone is not a match");
        l.filter = "luci".into();
        l.refilter(|_| true);
        assert_eq!(keys(&l), vec![2, 1]);
    }

    /// A list large enough to be matched off the UI thread.
    fn large() -> List<Row> {
        const NAMES: [&str; 6] = ["alice", "alina", "bob", "carol", "lucía", "lucas"];
        let mut l = List::default();
        let rows = (0..matching::ASYNC_ROWS as u32)
            .map(|i| Row(i, NAMES[i as usize % NAMES.len()]))
            .collect();
        l.set_rows(rows, |_| true);
        l
    }

    fn keys(l: &List<Row>) -> Vec<u32> {
        (0..l.len()).filter_map(|i| l.get(i)).map(|r| r.0).collect()
    }

    fn run(job: &MatchJob) -> MatchAnswer {
        job.run(&AtomicBool::new(false)).expect("not cancelled")
    }

    #[test]
    fn a_large_list_keeps_its_view_while_matching_and_drops_stale_answers() {
        let mut l = large();
        let before = keys(&l);
        l.filter = "a".into();
        let first = l
            .start_match(|_| true, true)
            .expect("matched off the UI thread");
        assert!(l.matching());
        assert_eq!(keys(&l), before, "the previous rows stay until the answer");
        let stale = run(&first);
        l.filter = "al".into();
        let second = l.start_match(|_| true, true).expect("a job");
        assert!(
            first.run(&AtomicBool::new(false)).is_none(),
            "a newer keystroke cancels the job before"
        );
        assert!(!l.accept_match(first.generation, stale));
        assert!(l.matching());
        assert_eq!(keys(&l), before);
        assert!(l.accept_match(second.generation, run(&second)));
        assert!(!l.matching());
        let mut sync = large();
        sync.filter = "al".into();
        sync.refilter(|_| true);
        assert_eq!(keys(&l), keys(&sync));
        assert_eq!(l.cursor, 0);
    }

    #[test]
    fn an_answer_keeps_a_moved_cursor_on_its_record() {
        let mut l = large();
        l.filter = "lu".into();
        let job = l.start_match(|_| true, true).expect("a job");
        l.accept_match(job.generation, run(&job));
        l.move_by(3);
        let record = l.selected().map(|r| r.0);
        l.filter = "luc".into();
        let job = l.start_match(|r| r.0 != 0, true).expect("a job");
        l.keep_cursor();
        assert!(l.accept_match(job.generation, run(&job)));
        assert_eq!(l.selected().map(|r| r.0), record);
        // The same text again comes from the cache, through the job all the same.
        l.filter = "lu".into();
        let job = l.start_match(|_| true, false).expect("a job");
        assert!(l.accept_match(job.generation, run(&job)));
        assert_eq!(l.selected().map(|r| r.0), record);
    }

    #[test]
    fn a_reload_of_the_same_records_keeps_the_view_until_the_match_answers() {
        let mut l = large();
        l.filter = "bob".into();
        let job = l.start_match(|_| true, true).expect("a job");
        assert!(l.accept_match(job.generation, run(&job)));
        let shown = keys(&l);
        l.move_by(2);
        let record = l.selected().map(|r| r.0);
        // The same records, one renamed so that it no longer matches.
        let gone = shown[0];
        let rows: Vec<Row> = l
            .all()
            .iter()
            .map(|r| Row(r.0, if r.0 == gone { "zed" } else { r.1 }))
            .collect();
        assert!(l.reload_matching_later(rows).is_ok());
        assert_eq!(keys(&l), shown, "the same records until the answer");
        assert_eq!(l.selected().map(|r| r.0), record);
        let job = l.start_match(|_| true, false).expect("a job");
        assert!(l.accept_match(job.generation, run(&job)));
        assert!(!keys(&l).contains(&gone), "the answer is the new rows'");
        assert_eq!(
            l.selected().map(|r| r.0),
            record,
            "the cursor stays on its record"
        );
        // Other records (one more row): handed back for `set_rows`.
        let mut more: Vec<Row> = l.all().to_vec();
        more.push(Row(u32::MAX, "bob"));
        assert!(l.reload_matching_later(more).is_err());
    }

    #[test]
    fn new_rows_turn_away_the_answer_of_a_match_on_the_old_ones() {
        let mut l = large();
        l.filter = "bob".into();
        let job = l.start_match(|_| true, true).expect("a job");
        let answer = run(&job);
        l.set_rows(vec![Row(1, "bob")], |_| true);
        assert!(!l.accept_match(job.generation, answer));
        assert_eq!(keys(&l), vec![1]);
    }
}
