//! Small pieces of English every refusal and summary shares: the article for an
//! organisation's own word ("an Admin", "a Management Contact"), counts with the right
//! plural ("1 seat", "2 seats"), and why an account cannot sign in, naming who can
//! change that in the organisation's words. Kept in one place so a refusal never says
//! "a IDaaS" or "1 seats". Uses only the model and the directory.

use super::directory::Directory;
use super::model::*;
use super::perms;

/// "an Admin", "a Management Contact", "a User", "an IDaaS": the article for a word.
pub fn an(word: &str) -> String {
    let first = word.chars().next().unwrap_or('x').to_ascii_lowercase();
    // "U" mostly sounds like "you" (User, Unit): those take "a", "un-" takes "an".
    let vowel = matches!(first, 'a' | 'e' | 'i' | 'o') || word.to_lowercase().starts_with("un");
    format!("{} {word}", if vowel { "an" } else { "a" })
}

/// "1 seat", "2 seats", "0 accounts": a count with its noun in the right number.
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Who may approve accounts in `org`, in its words: "an Admin of acme", with the
/// organisation roles carrying `members.approve` ("or anyone holding User management").
pub fn approvers(dir: &Directory, org: &Org) -> String {
    let mut roles: Vec<&str> = dir
        .roles
        .values()
        .filter(|r| r.org == org.id && r.scope == Scope::Org && r.gate.is_none())
        .filter(|r| r.permissions.contains(perms::MEMBERS_APPROVE))
        .map(|r| r.name.as_str())
        .collect();
    roles.sort_unstable();
    let admin = an(&org.settings.terminology.admin);
    if roles.is_empty() {
        format!("{admin} of {}", org.slug)
    } else {
        format!(
            "{admin} of {} (or anyone holding {})",
            org.slug,
            roles.join(" or ")
        )
    }
}

/// Why `a` cannot sign in, with the way forward, or `None` when it can.
pub fn cannot_sign_in(dir: &Directory, a: &Account) -> Option<String> {
    let org = dir.orgs.get(&a.org)?;
    let admin = an(&org.settings.terminology.admin);
    if !a.enabled {
        return Some(format!(
            "{} is disabled and cannot sign in: ask {admin} of {} to enable it",
            a.email, org.slug
        ));
    }
    match a.approval {
        Approval::Approved => None,
        Approval::Pending => Some(format!(
            "{} is waiting for approval and cannot sign in yet: {} approves new accounts",
            a.email,
            approvers(dir, org)
        )),
        Approval::Rejected => Some(format!(
            "{} was rejected and cannot sign in: {} can still approve it",
            a.email,
            approvers(dir, org)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_and_plurals() {
        assert_eq!(an("Admin"), "an Admin");
        assert_eq!(an("IDaaS"), "an IDaaS");
        assert_eq!(an("Management Contact"), "a Management Contact");
        assert_eq!(an("User"), "a User");
        assert_eq!(count(1u32, "seat"), "1 seat");
        assert_eq!(count(2u32, "seat"), "2 seats");
        assert_eq!(count(0u32, "account"), "0 accounts");
    }
}
