//! Passwords and sign-in sessions. The core never sees a password: the caller hashes it
//! with argon2id and passes the PHC string, and verifies a password against the stored
//! string itself. What the core decides is *who may set* a password (only someone holding
//! a live reset or invitation secret) and what a session is worth.

use super::*;

/// A password hash must be roster's own kind (argon2id with its parameters), so a
/// plaintext password sent by mistake, or a hash made costly on purpose, is refused
/// rather than stored.
fn check_phc(hash: &str) -> Decision<()> {
    super::validate::password_hash(hash)
}

/// Whether `cmd` only takes access away from `account` itself: revoking one of its own
/// tokens or sessions. An inactive account may still do that (a disabled account's live
/// session may sign out), since it can never give anyone more.
pub(super) fn ends_own_access(dir: &Directory, account: AccountId, cmd: &Command) -> bool {
    match cmd {
        Command::RevokeToken { token } => dir
            .tokens
            .get(token)
            .is_some_and(|t| t.principal == Principal::Account { id: account }),
        Command::RevokeSessions { account: a } => *a == account,
        _ => false,
    }
}

impl Ctx<'_> {
    /// Seed 002: a reset link works once, until it expires, and only while the account
    /// may sign in at all.
    pub(super) fn complete_password_reset(
        &mut self,
        secret_hash: &str,
        password_hash: &str,
    ) -> Out {
        check_phc(password_hash)?;
        // Every stored hash is compared, in constant time, so timing says nothing.
        let mut found = None;
        for r in self.dir.resets.values() {
            if let Some(h) = &r.secret_hash
                && constant_time_eq(h.as_bytes(), secret_hash.as_bytes())
                && found.is_none()
            {
                found = Some(r);
            }
        }
        let Some(r) = found else {
            return forbidden(
                "this password-reset link is not valid: check it, or ask for a new one",
            );
        };
        if r.used {
            return conflict(
                "this password-reset link was already used (or replaced by a newer one): ask for a new one",
            );
        }
        if self.now >= r.expires {
            return conflict(format!(
                "this password-reset link expired at {}: ask for a new one",
                r.expires
            ));
        }
        let Some(a) = self.dir.accounts.get(&r.account) else {
            return conflict("the account of this password-reset link no longer exists");
        };
        if !a.enabled {
            return conflict(format!(
                "{} is disabled, so its password-reset link no longer works: ask an administrator",
                a.email
            ));
        }
        done(
            a.org,
            vec![Event::PasswordSet {
                account: a.id,
                password_hash: password_hash.to_string(),
                reset: Some(r.id),
            }],
        )
    }

    /// Accepting by the link's secret alone: the invitation is found by its secret, the
    /// account is made as `AcceptInvitation` makes it (pending when the organisation
    /// requires approval), and gets its password in the same step.
    pub(super) fn accept_invitation_link(
        &mut self,
        secret_hash: &str,
        password_hash: &str,
        first_name: Option<&str>,
        last_name: Option<&str>,
    ) -> Out {
        check_phc(password_hash)?;
        let mut found = None;
        for i in self.dir.invitations.values() {
            if let Some(h) = &i.secret_hash
                && constant_time_eq(h.as_bytes(), secret_hash.as_bytes())
                && found.is_none()
            {
                found = Some(i.id);
            }
        }
        let Some(invitation) = found else {
            return forbidden(
                "this invitation link is not valid: it was already used, withdrawn, or replaced by a newer one; ask for a new invitation",
            );
        };
        let (org, mut events) = self.run(&Command::AcceptInvitation {
            invitation,
            secret_hash: Some(secret_hash.to_string()),
        })?;
        let mut account = None;
        for e in &mut events {
            if let Event::AccountCreated { account: a, .. } = e {
                if let Some(f) = first_name.filter(|f| !f.trim().is_empty()) {
                    a.first_name = validate::line("first name", f, 100, true)?;
                }
                if let Some(l) = last_name {
                    a.last_name = validate::line("last name", l, 100, false)?;
                }
                account = Some(a.id);
            }
        }
        let Some(account) = account else {
            return conflict("accepting the invitation made no account");
        };
        events.push(Event::PasswordSet {
            account,
            password_hash: password_hash.to_string(),
            reset: None,
        });
        Ok((org, events))
    }

    /// A session is opened by the account itself once its password checked out; an
    /// inactive account never gets here (`decide_in` stops it acting).
    pub(super) fn start_session(&mut self, account: AccountId, token_hash: &str) -> Out {
        let Some(a) = self.actor.account.filter(|a| a.id == account) else {
            return forbidden("a session is opened only by the account itself, by signing in");
        };
        if !token::is_sha256_hex(token_hash) {
            return invalid(
                "a session token hash must be the SHA-256 of the secret as 64 lowercase hex digits",
            );
        }
        if self
            .dir
            .tokens
            .values()
            .any(|t| constant_time_eq(t.hash.as_bytes(), token_hash.as_bytes()))
        {
            return conflict("a token with this secret already exists: make a new secret");
        }
        let ttl = self.dir.orgs[&a.org].settings.session_ttl_hours;
        let token = Token {
            id: TokenId(self.ids.next()),
            principal: Principal::Account { id: a.id },
            org: Some(a.org),
            label: "sign-in session".into(),
            hash: token_hash.to_string(),
            created: self.now,
            expires: Some(self.now + hours(ttl)),
            revoked: false,
            session: true,
        };
        done(a.org, vec![Event::TokenIssued { token }])
    }

    /// Ends every live session of `account` now (its API tokens are left alone: they are
    /// revoked one by one).
    pub(super) fn revoke_sessions(&mut self, account: AccountId) -> Out {
        let a = self.account(account)?;
        if self.actor.id() != Some(a.id) {
            self.need(a.org, perms::SESSIONS_REVOKE, "end someone's sessions")?;
            self.may_manage(a, "end the sessions of")?;
        }
        let now = self.now;
        let events: Vec<Event> = self
            .dir
            .tokens
            .values()
            .filter(|t| {
                t.session
                    && !t.revoked
                    && t.expires.is_none_or(|e| now < e)
                    && t.principal == Principal::Account { id: a.id }
            })
            .map(|t| Event::TokenRevoked { token: t.id })
            .collect();
        if events.is_empty() {
            return conflict(format!("{} has no live sessions", a.email));
        }
        done(a.org, events)
    }
}
