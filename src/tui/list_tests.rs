//! The list's tests: sorting, filtering, marks, scrolling and matching off the UI
//! thread, on a small row type of their own.

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
