//! The order of a list's rows for one column: rows with packed prefixes are sorted by
//! two integer comparisons each (on two threads when large), runs of equal cut-short
//! prefixes by their whole keys, and the rest by `Item::compare`.

use super::item::{Item, SortPrefix};

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

/// The rows' indices sorted by column `col` (reversed when `desc`). Ties keep the
/// loaded order, which the queries already made meaningful.
pub fn sort_order<R: Item>(rows: &[R], col: usize, desc: bool) -> Vec<usize> {
    let mut order: Vec<usize>;
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
            order = keys.into_iter().map(|(_, i)| i as usize).collect();
            if desc {
                order.reverse();
            }
        }
        _ => {
            order = (0..rows.len()).collect();
            order.sort_by(|&a, &b| {
                let o = rows[a].compare(&rows[b], col);
                if desc { o.reverse() } else { o }
            });
        }
    }
    order
}
