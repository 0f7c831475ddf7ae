//! Matching a large list's `/` filter off the UI thread, as fzf, helix and nucleo's own
//! `Nucleo` do: no matcher scores a million rows within one frame, so for a list of
//! `ASYNC_ROWS` rows or more a filter change only starts a `MatchJob` (an effect); the
//! list keeps showing its previous rows, marked as matching, until the answer comes
//! back as a message, and an answer for a text no longer current is dropped.
//!
//! The job is the same search the synchronous path runs (`List::refilter`) made
//! faster: rows whose letter mask (`letter_mask`) lacks a letter of the pattern are
//! skipped before nucleo, and the rows are split between the cores. A newer keystroke
//! sets the job's cancel flag, checked between chunks of rows.

use super::filter::Fuzzy;
use super::item::Item;
use super::letter_mask;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// Rows from which a filter change is matched by the runtime instead of in `update`.
/// Below this a synchronous match fits well inside a frame.
pub const ASYNC_ROWS: usize = 20_000;

/// Rows searched between two looks at the cancel flag.
const CHUNK: usize = 16_384;

/// (row index, score) of the rows a filter text matches — and, without a score, of
/// those it matches but for the tight-match rule (`Fuzzy::score_loosely`), which a
/// longer text may still match — in the list's sort order, shared between the list's
/// cache and the jobs that narrow them further.
pub type Hits = Arc<Vec<(usize, Option<u32>)>>;

/// The letter masks of a row set, computed once (by the first job that needs them)
/// and shared by every later job until the rows are replaced.
pub type Masks = Arc<OnceLock<Vec<u64>>>;

/// What a job found.
#[derive(Clone)]
pub struct MatchAnswer {
    pub text: String,
    /// The fuzzy matches before the tab's own predicate, for the list's cache; `None`
    /// for an empty pattern (every row).
    pub hits: Option<Hits>,
    /// The rows to show (indices into the list's rows), in the order to show them.
    pub view: Vec<usize>,
}

impl std::fmt::Debug for MatchAnswer {
    // A million indices are no help in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatchAnswer")
            .field("text", &self.text)
            .field("hits", &self.hits.as_ref().map(|h| h.len()))
            .field("view", &self.view.len())
            .finish()
    }
}

/// Whether to give up: read between chunks, from every thread of a job.
pub type Stop<'a> = dyn Fn() -> bool + Sync + 'a;

type Work = dyn Fn(&Stop<'_>) -> Option<MatchAnswer> + Send + Sync;

/// A filter match to run off the UI thread (the payload of `Effect::Match`).
#[derive(Clone)]
pub struct MatchJob {
    pub generation: u64,
    work: Arc<Work>,
    cancel: Arc<AtomicBool>,
}

impl MatchJob {
    /// Runs the match; `None` when it was cancelled (by a newer keystroke through the
    /// job's own flag, or by the caller's `stop`).
    pub fn run(&self, stop: &AtomicBool) -> Option<MatchAnswer> {
        let cancel = &self.cancel;
        (self.work)(&|| cancel.load(Ordering::Relaxed) || stop.load(Ordering::Relaxed))
    }
}

impl PartialEq for MatchJob {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation && Arc::ptr_eq(&self.cancel, &other.cancel)
    }
}

impl std::fmt::Debug for MatchJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MatchJob({})", self.generation)
    }
}

/// Everything a job reads, shared with the list (no row is copied).
pub struct Input<R: Item> {
    pub rows: Arc<Vec<R>>,
    /// Row indices in sort order.
    pub order: Arc<Vec<usize>>,
    pub text: String,
    /// The cached answer for exactly this text, if any: only the predicate and the
    /// ranking are left to do.
    pub exact: Option<Hits>,
    /// The matches of a shorter text this one narrows (`filter::narrows`): only these
    /// rows can match.
    pub base: Option<Hits>,
    pub masks: Masks,
    pub keep: Box<dyn Fn(&R) -> bool + Send + Sync>,
    /// Make the letter masks even if this text does not need them (the filter was
    /// just opened: the first letter typed will).
    pub prepare: bool,
    /// Cached matches the list let go of, freed with the job off the UI thread.
    pub retired: Vec<Hits>,
}

impl MatchJob {
    pub fn new<R: Item + Send + Sync + 'static>(
        generation: u64,
        cancel: Arc<AtomicBool>,
        input: Input<R>,
    ) -> MatchJob {
        MatchJob {
            generation,
            work: Arc::new(move |stop: &Stop<'_>| search(&input, stop)),
            cancel,
        }
    }
}

/// The job itself: what `List::refilter` computes synchronously, in the same order
/// with the same scores.
pub fn search<R: Item + Sync>(input: &Input<R>, stop: &Stop<'_>) -> Option<MatchAnswer> {
    let rows = input.rows.as_slice();
    let keep = &input.keep;
    if input.prepare && input.masks.get().is_none() {
        let m = masks_of(rows, stop)?;
        input.masks.get_or_init(|| m);
    }
    let pattern = Fuzzy::new(&input.text);
    if pattern.is_empty() {
        let view = in_parallel(&input.order, stop, &|part: &[usize]| {
            part.iter().copied().filter(|&i| keep(&rows[i])).collect()
        })?;
        return Some(MatchAnswer {
            text: input.text.clone(),
            hits: None,
            view,
        });
    }
    let hits = match &input.exact {
        Some(h) => h.clone(),
        None => {
            let needs = pattern.needs();
            let masks = match input.masks.get() {
                Some(m) => m,
                None => {
                    let m = masks_of(rows, stop)?;
                    input.masks.get_or_init(|| m)
                }
            };
            let text = input.text.as_str();
            // Rows are scored in the order they are stored, not in sort order: the
            // accounts behind them lie in memory in that order, and a million random
            // visits cost more than the matching itself. The answer is then put in
            // sort order (or the order of the rows narrowed).
            let wanted: Option<Vec<bool>> = input.base.as_ref().map(|base| {
                let mut w = vec![false; rows.len()];
                for &(i, _) in base.iter() {
                    if let Some(x) = w.get_mut(i) {
                        *x = true;
                    }
                }
                w
            });
            let scores = in_parallel_range(rows.len(), stop, &|range| {
                let mut fuzzy = Fuzzy::new(text);
                range
                    .map(|i| {
                        let asked = wanted.as_ref().is_none_or(|w| w[i]);
                        let may = masks
                            .get(i)
                            .is_none_or(|&m| letter_mask::may_match(m, needs));
                        if asked && may {
                            fuzzy.score_loosely(|f| rows[i].search(f))
                        } else {
                            None
                        }
                    })
                    .collect()
            })?;
            let found: Vec<(usize, Option<u32>)> = match &input.base {
                Some(base) => base
                    .iter()
                    .filter_map(|&(i, _)| Some((i, (*scores.get(i)?)?)))
                    .collect(),
                None => input
                    .order
                    .iter()
                    .filter_map(|&i| Some((i, (*scores.get(i)?)?)))
                    .collect(),
            };
            Arc::new(found)
        }
    };
    let scored = in_parallel(&hits, stop, &|part: &[(usize, Option<u32>)]| {
        part.iter()
            .filter_map(|&(i, s)| Some((i, s?)))
            .filter(|&(i, _)| keep(&rows[i]))
            .collect()
    })?;
    if stop() {
        return None;
    }
    let view = if R::RANKED {
        rank(scored)
    } else {
        scored.into_iter().map(|(i, _)| i).collect()
    };
    Some(MatchAnswer {
        text: input.text.clone(),
        hits: Some(hits),
        view,
    })
}

/// The rows best score first, equal scores in the order given (the tab's sort order):
/// what a stable sort by descending score gives, by counting when the scores span a
/// small range (they do: a few hundred values), as a sort of a million rows costs
/// tens of milliseconds.
fn rank(scored: Vec<(usize, u32)>) -> Vec<usize> {
    let (Some(lo), Some(hi)) = (
        scored.iter().map(|&(_, s)| s).min(),
        scored.iter().map(|&(_, s)| s).max(),
    ) else {
        return vec![];
    };
    let span = (hi - lo) as usize + 1;
    if span > 1 << 16 {
        let mut scored = scored;
        scored.sort_by_key(|&(_, s)| std::cmp::Reverse(s));
        return scored.into_iter().map(|(i, _)| i).collect();
    }
    // Slot of each score, best first: where its rows start in the answer.
    let mut start = vec![0usize; span];
    for &(_, s) in &scored {
        start[(hi - s) as usize] += 1;
    }
    let mut at = 0;
    for slot in start.iter_mut() {
        let n = *slot;
        *slot = at;
        at += n;
    }
    let mut view = vec![0usize; scored.len()];
    for (i, s) in scored {
        let slot = &mut start[(hi - s) as usize];
        view[*slot] = i;
        *slot += 1;
    }
    view
}

/// The letter mask of every row, split between the cores.
fn masks_of<R: Item + Sync>(rows: &[R], stop: &Stop<'_>) -> Option<Vec<u64>> {
    in_parallel(rows, stop, &|part: &[R]| {
        part.iter()
            .map(|r| letter_mask::of_row(|f| r.search(f)))
            .collect()
    })
}

/// Runs `f` over `items` in chunks, the chunks shared out between the available cores,
/// and concatenates the results in the order of `items`. `None` once `stop` says so.
fn in_parallel<T: Sync, U: Send>(
    items: &[T],
    stop: &Stop<'_>,
    f: &(dyn Fn(&[T]) -> Vec<U> + Sync),
) -> Option<Vec<U>> {
    in_parallel_range(items.len(), stop, &|range| f(&items[range]))
}

/// `in_parallel` over the indices `0..n`.
fn in_parallel_range<U: Send>(
    n: usize,
    stop: &Stop<'_>,
    f: &(dyn Fn(std::ops::Range<usize>) -> Vec<U> + Sync),
) -> Option<Vec<U>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let per = n.div_ceil(threads).max(1);
    let run = |part: std::ops::Range<usize>| -> Option<Vec<U>> {
        let mut out = Vec::new();
        let mut at = part.start;
        while at < part.end {
            if stop() {
                return None;
            }
            let end = (at + CHUNK).min(part.end);
            out.extend(f(at..end));
            at = end;
        }
        Some(out)
    };
    let parts: Vec<std::ops::Range<usize>> = (0..n)
        .step_by(per)
        .map(|start| start..(start + per).min(n))
        .collect();
    let results: Vec<Option<Vec<U>>> = match parts.split_first() {
        None => vec![],
        Some((first, [])) => vec![run(first.clone())],
        Some((first, rest)) => std::thread::scope(|s| {
            let handles: Vec<_> = rest
                .iter()
                .map(|p| {
                    let p = p.clone();
                    s.spawn(|| run(p))
                })
                .collect();
            let mut all = vec![run(first.clone())];
            for h in handles {
                // A panicking chunk would be a bug in the matcher: no answer, rather
                // than a console brought down.
                all.push(h.join().ok().flatten());
            }
            all
        }),
    };
    let mut out = Vec::with_capacity(results.iter().flatten().map(Vec::len).sum());
    for r in results {
        out.extend(r?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cmp::Ordering as Cmp;

    #[derive(Debug, Clone)]
    struct Row(usize, String, String);
    impl Item for Row {
        type Key = usize;
        fn key(&self) -> usize {
            self.0
        }
        fn sort_names() -> &'static [&'static str] {
            &["name"]
        }
        fn compare(&self, o: &Self, _: usize) -> Cmp {
            self.1.cmp(&o.1)
        }
        fn search(&self, field: &mut dyn FnMut(&str)) {
            field(&self.1);
            field(&self.2);
        }
    }

    /// Letters that fold into one another (case, accents, the Kelvin sign, dotted İ),
    /// CJK, emoji, digits and the separators words start after.
    const LETTERS: &[&str] = &[
        "a", "A", "á", "Á", "b", "e", "é", "É", "i", "í", "I", "İ", "ı", "l", "L", "u", "ú", "ü",
        "Ü", "o", "ö", "Ø", "ß", "s", "S", "k", "K", "\u{212A}", "ñ", "山", "田", "由", "紀", "王",
        "😀", "🎉", "1", "7", " ", ".", "-", "@", "e\u{301}",
    ];

    fn word() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(LETTERS), 0..9).prop_map(|v| v.concat())
    }

    /// A filter text in fzf's syntax: words with `'`, `^`, `!` in front or `$` behind.
    fn pattern() -> impl Strategy<Value = String> {
        let piece = (
            prop::sample::select(&["", "", "'", "^", "!", "!'", "!^"][..]),
            prop::collection::vec(prop::sample::select(LETTERS), 1..4),
            prop::sample::select(&["", "", "$"][..]),
        )
            .prop_map(|(pre, w, post)| format!("{pre}{}{post}", w.concat()));
        prop::collection::vec(piece, 1..3).prop_map(|v| v.join(" "))
    }

    /// The plain scan the fast path must agree with: every row, in sort order, through
    /// `Fuzzy::score`, then the predicate and a stable ranking.
    fn plain(rows: &[Row], order: &[usize], text: &str, keep: &dyn Fn(&Row) -> bool) -> Vec<usize> {
        let mut fuzzy = Fuzzy::new(text);
        let ranked = !fuzzy.is_empty();
        let mut hits: Vec<(usize, u32)> = order
            .iter()
            .filter_map(|&i| fuzzy.score(|f| rows[i].search(f)).map(|s| (i, s)))
            .filter(|&(i, _)| keep(&rows[i]))
            .collect();
        if ranked {
            hits.sort_by_key(|&(_, s)| std::cmp::Reverse(s));
        }
        hits.into_iter().map(|(i, _)| i).collect()
    }

    fn input(rows: &Arc<Vec<Row>>, order: &Arc<Vec<usize>>, text: &str) -> Input<Row> {
        Input {
            rows: rows.clone(),
            order: order.clone(),
            text: text.into(),
            exact: None,
            base: None,
            masks: Masks::default(),
            keep: Box::new(|r: &Row| r.0 % 5 != 3),
            prepare: false,
            retired: vec![],
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// The masked, parallel search finds exactly the rows, in exactly the order, of
        /// scoring every row with nucleo — and narrowing from a shorter text's matches
        /// gives the same as a fresh search.
        #[test]
        fn the_fast_path_agrees_with_the_plain_scan(
            names in prop::collection::vec((word(), word()), 0..120),
            text in pattern(),
            more in prop::sample::select(LETTERS),
        ) {
            let rows: Arc<Vec<Row>> = Arc::new(
                names.into_iter().enumerate().map(|(i, (n, e))| Row(i, n, e)).collect(),
            );
            let mut order: Vec<usize> = (0..rows.len()).collect();
            order.sort_by(|&a, &b| rows[a].compare(&rows[b], 0));
            let order = Arc::new(order);
            let keep = |r: &Row| r.0 % 5 != 3;
            let never = || false;
            let first = search(&input(&rows, &order, &text), &never).unwrap();
            prop_assert_eq!(&first.view, &plain(&rows, &order, &text, &keep), "{:?}", text);

            let longer = format!("{text}{more}");
            let mut narrowed = input(&rows, &order, &longer);
            if super::super::filter::narrows(&text, &longer) {
                narrowed.base = first.hits.clone();
            }
            let second = search(&narrowed, &never).unwrap();
            prop_assert_eq!(&second.view, &plain(&rows, &order, &longer, &keep), "{:?}", longer);
        }
    }

    proptest! {
        /// Ranking by counting gives what a stable sort by descending score gives.
        #[test]
        fn ranking_is_a_stable_sort_by_score(
            scores in prop::collection::vec(prop::sample::select(&[0u32, 1, 7, 8, 300, 70_000, 200_000][..]), 0..60),
        ) {
            let scored: Vec<(usize, u32)> = scores.into_iter().enumerate().collect();
            let mut sorted = scored.clone();
            sorted.sort_by_key(|&(_, s)| std::cmp::Reverse(s));
            let expected: Vec<usize> = sorted.into_iter().map(|(i, _)| i).collect();
            prop_assert_eq!(rank(scored), expected);
        }
    }

    #[test]
    fn a_cancelled_search_answers_nothing() {
        let rows = Arc::new(vec![Row(0, "Lucía".into(), "lucia@x.example".into())]);
        let order = Arc::new(vec![0]);
        assert!(search(&input(&rows, &order, "luc"), &|| true).is_none());
        assert!(search(&input(&rows, &order, "luc"), &|| false).is_some());
    }
}
