//! `decide`: given the state, who acts, what they ask and when, either the events that
//! happen or the reason it may not. Every rule of DESIGN.md §2 lives here, once.

use super::command::Command;
use super::directory::Directory;
use super::error::*;
use super::event::{Event, Origin, Recorded};
use super::ids::*;
use super::model::*;
use super::perms;
use super::policy::{self, ProgramAuthority};
use super::token::{self, Token};
use super::validate;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeSet;

mod credentials;

/// Decides a command and numbers its events, ready to append and apply.
pub fn execute(
    dir: &Directory,
    who: &Principal,
    cmd: &Command,
    now: Timestamp,
) -> Decision<Vec<Recorded>> {
    let (org, events) = decide_in(dir, who, cmd, now)?;
    let actor_label = label(dir, who);
    Ok(events
        .into_iter()
        .enumerate()
        .map(|(i, event)| Recorded {
            seq: dir.seq + 1 + i as u64,
            at: now,
            actor: who.clone(),
            actor_label: actor_label.clone(),
            org,
            event,
        })
        .collect())
}

/// The events a command produces, or why it is refused.
pub fn decide(
    dir: &Directory,
    who: &Principal,
    cmd: &Command,
    now: Timestamp,
) -> Decision<Vec<Event>> {
    decide_in(dir, who, cmd, now).map(|(_, events)| events)
}

/// How a principal is named in the audit trail.
pub fn label(dir: &Directory, who: &Principal) -> String {
    match who {
        Principal::Operator => "operator".into(),
        Principal::Anonymous => "anonymous".into(),
        Principal::Account { id } => dir
            .accounts
            .get(id)
            .map(|a| a.email.clone())
            .unwrap_or_else(|| id.to_string()),
    }
}

/// An invitee's name for a greeting.
fn name_of(i: &Invitation) -> String {
    format!("{} {}", i.first_name, i.last_name)
        .trim()
        .to_string()
}

/// Hands out fresh ids in order, starting from the directory's counter.
struct Ids(u64);
impl Ids {
    fn next(&mut self) -> u64 {
        let id = self.0;
        self.0 += 1;
        id
    }
}

/// The acting principal, checked to be allowed to act at all.
struct Actor<'a> {
    who: &'a Principal,
    account: Option<&'a Account>,
}

impl Actor<'_> {
    fn is_operator(&self) -> bool {
        matches!(self.who, Principal::Operator)
    }
    fn id(&self) -> Option<AccountId> {
        self.account.map(|a| a.id)
    }
    fn level(&self) -> Option<Level> {
        self.account.map(|a| a.level)
    }
    fn is_admin(&self) -> bool {
        self.is_operator() || self.level() >= Some(Level::Admin)
    }
}

struct Ctx<'a> {
    dir: &'a Directory,
    actor: Actor<'a>,
    now: Timestamp,
    ids: Ids,
}

fn decide_in(
    dir: &Directory,
    who: &Principal,
    cmd: &Command,
    now: Timestamp,
) -> Decision<(Option<OrgId>, Vec<Event>)> {
    let account = match who {
        Principal::Account { id } => {
            let Some(a) = dir.accounts.get(id) else {
                return forbidden("your account no longer exists");
            };
            // Giving up one's own access is always allowed (signing out while disabled).
            let exempt = credentials::ends_own_access(dir, a.id, cmd);
            if !a.enabled && !exempt {
                return forbidden(format!("{} is disabled and cannot act", a.email));
            }
            match a.approval {
                _ if exempt => {}
                Approval::Pending => {
                    return forbidden(format!(
                        "{} is waiting for approval and cannot act yet",
                        a.email
                    ));
                }
                Approval::Rejected => {
                    return forbidden(format!("{} was rejected and cannot act", a.email));
                }
                Approval::Approved => {}
            }
            Some(&**a)
        }
        _ => None,
    };
    let mut cx = Ctx {
        dir,
        actor: Actor { who, account },
        now,
        ids: Ids(dir.next_id.max(1)),
    };
    cx.run(cmd)
}

type Out = Decision<(Option<OrgId>, Vec<Event>)>;

fn done(org: OrgId, events: Vec<Event>) -> Out {
    Ok((Some(org), events))
}

impl<'a> Ctx<'a> {
    // ----- lookups that respect invariant 8: what you may not reach does not exist -----

    fn reaches(&self, org: OrgId) -> bool {
        match self.actor.who {
            Principal::Operator => true,
            Principal::Account { .. } => self.actor.account.map(|a| a.org) == Some(org),
            Principal::Anonymous => false,
        }
    }

    fn org(&self, id: OrgId) -> Decision<&'a Org> {
        match self.dir.orgs.get(&id) {
            Some(o) if self.reaches(id) || matches!(self.actor.who, Principal::Anonymous) => Ok(o),
            _ => not_found(format!("no organisation {id}")),
        }
    }

    fn account(&self, id: AccountId) -> Decision<&'a Account> {
        match self.dir.accounts.get(&id) {
            Some(a) if self.reaches(a.org) => Ok(a),
            _ => not_found(format!("no account {id} in your organisation")),
        }
    }

    fn role(&self, id: RoleId) -> Decision<&'a Role> {
        match self.dir.roles.get(&id) {
            Some(r) if self.reaches(r.org) => Ok(r),
            _ => not_found(format!("no role {id} in your organisation")),
        }
    }

    fn group(&self, id: GroupId) -> Decision<&'a Group> {
        match self.dir.groups.get(&id) {
            Some(g) if self.reaches(g.org) => Ok(g),
            _ => not_found(format!("no group {id} in your organisation")),
        }
    }

    fn program(&self, id: ProgramId) -> Decision<&'a Program> {
        match self.dir.programs.get(&id) {
            Some(p) if self.reaches(p.org) => Ok(p),
            _ => not_found(format!("no program {id} in your organisation")),
        }
    }

    fn contract(&self, id: ContractId) -> Decision<&'a Contract> {
        match self.dir.contracts.get(&id) {
            Some(c) if self.reaches(c.org) => Ok(c),
            _ => not_found(format!("no contract {id}")),
        }
    }

    fn request(&self, id: RequestId) -> Decision<&'a ApprovalRequest> {
        match self.dir.requests.get(&id) {
            Some(r) if self.reaches(r.org) => Ok(r),
            _ => not_found(format!("no approval request {id} in your organisation")),
        }
    }

    fn invitation(&self, id: InvitationId) -> Decision<&'a Invitation> {
        match self.dir.invitations.get(&id) {
            Some(i) if self.reaches(i.org) || matches!(self.actor.who, Principal::Anonymous) => {
                Ok(i)
            }
            _ => not_found(format!("no invitation {id}")),
        }
    }

    fn words(&self, org: OrgId) -> &'a Terminology {
        &self.dir.orgs[&org].settings.terminology
    }

    // ----- permission checks -----

    fn has(&self, org: OrgId, perm: &str) -> bool {
        match self.actor.who {
            Principal::Operator => true,
            Principal::Anonymous => false,
            Principal::Account { .. } => {
                let a = self.actor.account.expect("account principal");
                a.org == org && policy::effective(self.dir, a, self.now).has(perm)
            }
        }
    }

    fn need(&self, org: OrgId, perm: &str, doing: &str) -> Decision<()> {
        if self.has(org, perm) {
            return Ok(());
        }
        if matches!(self.actor.who, Principal::Anonymous) {
            return forbidden(format!("sign in to {doing}"));
        }
        let admin = &self.words(org).admin;
        forbidden(format!(
            "you need the {perm} permission to {doing}: ask {}",
            an(admin)
        ))
    }

    fn need_admin(&self, org: OrgId, doing: &str) -> Decision<()> {
        if self.actor.is_admin() {
            return Ok(());
        }
        let admin = &self.words(org).admin;
        forbidden(format!("only {} can {doing}", an(admin)))
    }

    fn not_self(&self, target: &Account, what: &str) -> Decision<()> {
        if self.actor.id() == Some(target.id) {
            return forbidden(format!("you cannot {what} yourself"));
        }
        Ok(())
    }

    /// Delegation: admins manage members and admins but never the owner; holders of a
    /// management permission who are members manage only members.
    fn may_manage(&self, target: &Account, doing: &str) -> Decision<()> {
        let w = self.words(target.org);
        if target.level == Level::Owner && self.actor.id() != Some(target.id) {
            if self.actor.is_operator() {
                return Ok(());
            }
            return forbidden(format!(
                "{} is the {} and cannot be managed by others: only a platform operator can {doing} them",
                target.email, w.owner
            ));
        }
        if target.level == Level::Admin && !self.actor.is_admin() {
            return forbidden(format!(
                "only {} can {doing} {}, who is {}",
                an(&w.admin),
                target.email,
                an(&w.admin)
            ));
        }
        Ok(())
    }

    /// Anti-escalation: a non-admin may confer only permissions it holds itself.
    fn may_confer(&self, role: &Role) -> Decision<()> {
        if self.actor.is_admin() || role.scope == Scope::Program {
            return Ok(());
        }
        let mine = policy::org_permissions(self.dir, self.actor.who, role.org, self.now);
        let missing: Vec<&str> = role
            .permissions
            .iter()
            .filter(|p| !mine.contains(*p))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            forbidden(format!(
                "you cannot confer {}: it carries permissions you do not hold ({})",
                role.name,
                missing.join(", ")
            ))
        }
    }

    /// Invariant 7: a gated role needs a contract in force with a free seat.
    fn seat_for(&self, role: &Role, account: AccountId, extra: &[AccountId]) -> Decision<()> {
        let Some(product) = &role.gate else {
            return Ok(());
        };
        if !policy::product_active(self.dir, role.org, product, self.now) {
            return conflict(format!(
                "{} is available only with an active {product} contract: contact the platform operator",
                role.name
            ));
        }
        let seats = policy::product_seats(self.dir, role.org, product, self.now) as usize;
        let mut holders = policy::holders(self.dir, role, self.now);
        let before = holders.len();
        holders.insert(account);
        holders.extend(extra.iter().copied());
        if holders.len() > before && holders.len() > seats {
            return conflict(format!(
                "all {seats} seats of the {product} contract are taken for {}: revoke it from someone or add seats",
                role.name
            ));
        }
        Ok(())
    }

    fn future(&self, until: Option<Timestamp>, what: &str) -> Decision<()> {
        match until {
            Some(u) if u <= self.now => invalid(format!("{what} must end in the future, not {u}")),
            _ => Ok(()),
        }
    }

    fn email_free(&self, org: OrgId, email: &str, except: Option<AccountId>) -> Decision<()> {
        match self.dir.account_by_email(org, email) {
            Some(a) if Some(a.id) != except => conflict(format!(
                "{} already has an account in {}",
                a.email, self.dir.orgs[&org].slug
            )),
            _ => Ok(()),
        }
    }

    fn new_account(
        &mut self,
        org: OrgId,
        email: String,
        first: &str,
        last: &str,
    ) -> Decision<Account> {
        Ok(Account {
            id: AccountId(self.ids.next()),
            org,
            email,
            first_name: validate::line("first name", first, 100, true)?,
            last_name: validate::line("last name", last, 100, false)?,
            verified: false,
            enabled: true,
            approval: Approval::Approved,
            level: Level::Member,
            roles: vec![],
            created: self.now,
            version: 1,
        })
    }

    fn join_request(&mut self, account: &Account, note: &str) -> Event {
        Event::ApprovalRequested {
            request: ApprovalRequest {
                id: RequestId(self.ids.next()),
                org: account.org,
                account: account.id,
                kind: RequestKind::Join,
                note: note.into(),
                requested_at: self.now,
                status: RequestStatus::Pending,
                decided_by: None,
                decided_at: None,
                reason: String::new(),
            },
        }
    }

    fn owned_programs(&self, account: &Account) -> Vec<&'a Program> {
        self.dir
            .programs
            .values()
            .filter(|p| p.owner == account.id)
            .collect()
    }

    fn label(&self) -> String {
        label(self.dir, self.actor.who)
    }

    // ----- the commands -----

    fn run(&mut self, cmd: &Command) -> Out {
        use Command::*;
        match cmd {
            CreateOrg {
                slug,
                name,
                owner_email,
                owner_first_name,
                owner_last_name,
                settings,
            } => {
                if !self.actor.is_operator() {
                    return forbidden("only a platform operator can create organisations");
                }
                let slug = validate::slug(slug)?;
                if self.dir.org_by_slug(&slug).is_some() {
                    return conflict(format!("an organisation with slug '{slug}' already exists"));
                }
                let name = validate::line("organisation name", name, 120, true)?;
                let settings = settings.clone().unwrap_or_default();
                check_settings(&settings)?;
                let email = validate::email(owner_email)?;
                let org = Org {
                    id: OrgId(self.ids.next()),
                    slug,
                    name,
                    profile: Profile::default(),
                    settings,
                    created: self.now,
                    version: 1,
                };
                let builtin_roles =
                    builtin_program_roles(org.id, &org.settings.terminology, &mut self.ids);
                let mut owner =
                    self.new_account(org.id, email, owner_first_name, owner_last_name)?;
                owner.level = Level::Owner;
                owner.verified = true;
                let id = org.id;
                done(
                    id,
                    vec![
                        Event::OrgCreated { org, builtin_roles },
                        Event::AccountCreated {
                            account: owner,
                            origin: Origin::Founder,
                        },
                    ],
                )
            }
            UpdateOrgProfile { org, name, profile } => {
                let o = self.org(*org)?;
                let is_owner = self.actor.level() == Some(Level::Owner);
                if !(is_owner || self.actor.is_operator()) {
                    let w = &o.settings.terminology;
                    return forbidden(format!(
                        "only the {} changes organisation information",
                        w.owner
                    ));
                }
                let name = validate::line("organisation name", name, 120, true)?;
                let profile = Profile {
                    address: validate::message("address", &profile.address, 500)?,
                    website: validate::line("website", &profile.website, 200, false)?,
                    description: validate::message("description", &profile.description, 2000)?,
                };
                if name == o.name && profile == o.profile {
                    return conflict("nothing to change");
                }
                done(
                    *org,
                    vec![Event::OrgProfileUpdated {
                        org: *org,
                        name,
                        profile,
                    }],
                )
            }
            UpdateOrgSettings { org, settings } => {
                let o = self.org(*org)?;
                self.need(*org, perms::ORG_SETTINGS, "change organisation settings")?;
                check_settings(settings)?;
                // Renaming a built-in program role must not give it a custom role's name.
                let t = &settings.terminology;
                for word in [&t.program_owner, &t.program_contributor, &t.program_viewer] {
                    if let Some(r) = self
                        .dir
                        .roles_of(*org)
                        .find(|r| r.builtin.is_none() && same_name(&r.name, word))
                    {
                        return conflict(format!(
                            "a role named {} already exists: choose another word or rename that role first",
                            r.name
                        ));
                    }
                }
                if *settings == o.settings {
                    return conflict("nothing to change");
                }
                done(
                    *org,
                    vec![Event::OrgSettingsUpdated {
                        org: *org,
                        settings: settings.clone(),
                    }],
                )
            }
            TransferOwnership { org, to } => {
                let o = self.org(*org)?;
                let w = &o.settings.terminology;
                let is_owner = self.actor.level() == Some(Level::Owner)
                    && self.actor.account.map(|a| a.org) == Some(*org);
                if !(is_owner || self.actor.is_operator()) {
                    return forbidden(format!(
                        "only the {} or a platform operator can designate a new {}",
                        w.owner, w.owner
                    ));
                }
                let target = self.account(*to)?;
                if target.org != *org {
                    return not_found(format!("no account {to} in {}", o.slug));
                }
                let Some(current) = self.dir.owner_of(*org) else {
                    return conflict("the organisation has no owner");
                };
                if current.id == target.id {
                    return conflict(format!("{} is already the {}", target.email, w.owner));
                }
                if !target.verified {
                    return conflict(format!(
                        "only verified accounts can become {}: verify {} first",
                        w.owner, target.email
                    ));
                }
                if !target.active() {
                    return conflict(format!(
                        "{} must be enabled and approved to become {}",
                        target.email, w.owner
                    ));
                }
                done(
                    *org,
                    vec![Event::OwnershipTransferred {
                        org: *org,
                        from: current.id,
                        to: target.id,
                    }],
                )
            }

            // ----- accounts -----
            Register {
                org,
                email,
                first_name,
                last_name,
            } => {
                if self.actor.account.is_some() {
                    return forbidden(
                        "you already have an account: registration is for people who do not",
                    );
                }
                let o = match self.dir.orgs.get(org) {
                    Some(o) => o,
                    None => return not_found(format!("no organisation {org}")),
                };
                if !o.settings.open_registration && !self.actor.is_operator() {
                    let admin = &o.settings.terminology.admin;
                    return forbidden(format!(
                        "{} does not accept registrations: ask {} for an invitation",
                        o.slug,
                        an(admin)
                    ));
                }
                let email = validate::email(email)?;
                self.email_free(*org, &email, None)?;
                let mut account = self.new_account(*org, email, first_name, last_name)?;
                let mut events = vec![];
                if o.settings.approval_required {
                    account.approval = Approval::Pending;
                    let req = self.join_request(&account, "registered");
                    events.push(Event::AccountCreated {
                        account,
                        origin: Origin::Registered,
                    });
                    events.push(req);
                } else {
                    events.push(Event::AccountCreated {
                        account,
                        origin: Origin::Registered,
                    });
                }
                done(*org, events)
            }
            AddAccount {
                org,
                email,
                first_name,
                last_name,
                verified,
            } => {
                let o = self.org(*org)?;
                self.need(*org, perms::MEMBERS_INVITE, "add accounts")?;
                let email = validate::email(email)?;
                self.email_free(*org, &email, None)?;
                let mut account = self.new_account(*org, email, first_name, last_name)?;
                account.verified = *verified && self.has(*org, perms::MEMBERS_MANAGE);
                let mut events = vec![];
                let needs_approval =
                    o.settings.approval_required && !self.has(*org, perms::MEMBERS_APPROVE);
                if needs_approval {
                    account.approval = Approval::Pending;
                    let req = self.join_request(&account, &format!("added by {}", self.label()));
                    events.push(Event::AccountCreated {
                        account,
                        origin: Origin::Added,
                    });
                    events.push(req);
                } else {
                    events.push(Event::AccountCreated {
                        account,
                        origin: Origin::Added,
                    });
                }
                done(*org, events)
            }
            Invite {
                org,
                email,
                first_name,
                last_name,
                message,
                level,
                roles,
                programs,
                expires,
                secret_hash,
            } => {
                let o = self.org(*org)?;
                let w = &o.settings.terminology;
                let email = validate::email(email)?;
                let first_name = validate::line("first name", first_name, 100, false)?;
                let last_name = validate::line("last name", last_name, 100, false)?;
                let message = validate::message("message", message, 2000)?;
                // Program-only invitations may come from program contacts (seed 004);
                // anything at organisation level needs members.invite.
                let program_only =
                    roles.is_empty() && *level == Level::Member && !programs.is_empty();
                if !program_only || self.has(*org, perms::MEMBERS_INVITE) {
                    self.need(*org, perms::MEMBERS_INVITE, "invite people")?;
                }
                match level {
                    Level::Owner => {
                        return invalid(format!(
                            "nobody is invited as {}: invite them, then transfer ownership",
                            w.owner
                        ));
                    }
                    Level::Admin => self.need_admin(*org, &format!("invite {}", an(&w.admin)))?,
                    Level::Member => {}
                }
                let mut seen = BTreeSet::new();
                for r in roles {
                    let role = self.role(*r)?;
                    if role.org != *org || role.scope != Scope::Org {
                        return invalid(format!(
                            "{} is not an organisation role of {}",
                            role.name, o.slug
                        ));
                    }
                    if !seen.insert(*r) {
                        return invalid(format!("{} is listed twice", role.name));
                    }
                    self.need(*org, perms::ROLES_MANAGE, "invite people to roles")?;
                    self.may_confer(role)?;
                    if let Some(product) = &role.gate
                        && !policy::product_active(self.dir, *org, product, self.now)
                    {
                        return conflict(format!(
                            "{} is available only with an active {product} contract: contact the platform operator",
                            role.name
                        ));
                    }
                }
                for offer in programs {
                    let program = self.program(offer.program)?;
                    // The operator reaches every organisation: an offer must still be a
                    // program of the organisation the invitation joins (invariant 2).
                    if program.org != *org {
                        return not_found(format!(
                            "no {} {} in {}",
                            w.program.to_lowercase(),
                            program.id,
                            o.slug
                        ));
                    }
                    let role = self.role(offer.role)?;
                    self.check_program_grant(program, role, None)?;
                }
                if self.dir.account_by_email(*org, &email).is_some() {
                    return conflict(format!(
                        "{email} already has an account in {}: grant the roles instead",
                        o.slug
                    ));
                }
                if let Some(open) = self.dir.invitations.values().find(|i| {
                    i.org == *org
                        && i.email.eq_ignore_ascii_case(&email)
                        && i.status_at(self.now) == InvitationStatus::Pending
                }) {
                    return conflict(format!(
                        "an invitation to {email} is already pending ({}): resend or revoke it",
                        open.id
                    ));
                }
                let expires = expires.unwrap_or(self.now + hours(o.settings.invitation_ttl_hours));
                if expires <= self.now {
                    return invalid("the invitation must expire in the future");
                }
                let invitation = Invitation {
                    id: InvitationId(self.ids.next()),
                    org: *org,
                    email,
                    first_name,
                    last_name,
                    message,
                    level: *level,
                    roles: roles.clone(),
                    programs: programs.clone(),
                    sent_by: self.actor.id(),
                    sent_at: self.now,
                    expires,
                    status: InvitationStatus::Pending,
                    secret_hash: secret_hash.clone(),
                    account: None,
                };
                let kind = super::mail::MailKind::Invitation {
                    invitation: invitation.id,
                };
                let to = (invitation.email.clone(), name_of(&invitation));
                let mail = self.mail_with_link(secret_hash, kind, *org, (&to.0, &to.1));
                let mut events = vec![Event::InvitationSent { invitation }];
                events.extend(mail);
                done(*org, events)
            }
            AcceptInvitation {
                invitation,
                secret_hash,
            } => {
                let inv = self.invitation(*invitation)?;
                let o = &self.dir.orgs[&inv.org];
                match inv.status_at(self.now) {
                    InvitationStatus::Pending => {}
                    InvitationStatus::Accepted => {
                        return conflict(format!("invitation {} was already accepted", inv.id));
                    }
                    InvitationStatus::Revoked => {
                        return conflict(format!(
                            "invitation {} was revoked: ask for a new one",
                            inv.id
                        ));
                    }
                    InvitationStatus::Expired => {
                        return conflict(format!(
                            "invitation {} expired at {}: ask for a new one",
                            inv.id, inv.expires
                        ));
                    }
                }
                let by_link = match (&inv.secret_hash, secret_hash) {
                    (Some(stored), Some(given)) => {
                        if !constant_time_eq(stored.as_bytes(), given.as_bytes()) {
                            return forbidden("the invitation link is not valid");
                        }
                        true
                    }
                    _ => false,
                };
                if !by_link {
                    // Accepting on the invitee's behalf is an administrator's act.
                    if !self.reaches(inv.org) {
                        return forbidden("the invitation link is not valid");
                    }
                    self.need(
                        inv.org,
                        perms::MEMBERS_INVITE,
                        "accept an invitation on someone's behalf",
                    )?;
                    if inv.level == Level::Admin {
                        return forbidden(format!(
                            "an invitation to {} must be accepted by the invitee through the link: only verified accounts become {}",
                            o.settings.terminology.admin, o.settings.terminology.admin
                        ));
                    }
                }
                self.email_free(inv.org, &inv.email, None)?;
                let first = if inv.first_name.is_empty() {
                    inv.email.split('@').next().unwrap_or("")
                } else {
                    &inv.first_name
                };
                let mut account =
                    self.new_account(inv.org, inv.email.clone(), first, &inv.last_name)?;
                account.verified = by_link;
                account.level = inv.level;
                if o.settings.approval_required {
                    account.approval = Approval::Pending;
                }
                let mut events = vec![];
                let mut tail = vec![];
                for r in &inv.roles {
                    let Some(role) = self.dir.roles.get(r) else {
                        return conflict(format!(
                            "a role offered by invitation {} no longer exists: ask for a new invitation",
                            inv.id
                        ));
                    };
                    self.seat_for(role, account.id, &[])?;
                    tail.push(Event::RoleGranted {
                        account: account.id,
                        role: *r,
                        until: None,
                    });
                }
                for offer in &inv.programs {
                    let (Some(program), Some(role)) = (
                        self.dir.programs.get(&offer.program),
                        self.dir.roles.get(&offer.role),
                    ) else {
                        return conflict(format!(
                            "a program offered by invitation {} no longer exists: ask for a new invitation",
                            inv.id
                        ));
                    };
                    self.seat_for(role, account.id, &[])?;
                    if role.builtin == Some(Builtin::ProgramOwner) {
                        tail.push(Event::ProgramOwnerChanged {
                            program: program.id,
                            from: program.owner,
                            to: account.id,
                        });
                        if let Some(contrib) = self.dir.builtin_role(inv.org, Builtin::Contributor)
                        {
                            tail.push(Event::ProgramRoleGranted {
                                program: program.id,
                                account: program.owner,
                                role: contrib.id,
                                until: None,
                            });
                        }
                    } else {
                        tail.push(Event::ProgramRoleGranted {
                            program: program.id,
                            account: account.id,
                            role: role.id,
                            until: None,
                        });
                    }
                }
                let join = (account.approval == Approval::Pending).then(|| {
                    self.join_request(&account, &format!("accepted invitation {}", inv.id))
                });
                let id = account.id;
                events.push(Event::AccountCreated {
                    account,
                    origin: Origin::Invited { invitation: inv.id },
                });
                events.push(Event::InvitationAccepted {
                    invitation: inv.id,
                    account: id,
                });
                events.extend(tail);
                events.extend(join);
                done(inv.org, events)
            }
            RevokeInvitation { invitation } => {
                let inv = self.invitation(*invitation)?;
                if self.actor.id().is_none_or(|me| inv.sent_by != Some(me)) {
                    self.need(inv.org, perms::MEMBERS_INVITE, "revoke invitations")?;
                }
                if inv.status_at(self.now) != InvitationStatus::Pending {
                    return conflict(format!(
                        "invitation {} is {}, not pending",
                        inv.id,
                        inv.status_at(self.now).as_str()
                    ));
                }
                done(
                    inv.org,
                    vec![Event::InvitationRevoked { invitation: inv.id }],
                )
            }
            ResendInvitation {
                invitation,
                secret_hash,
            } => {
                let inv = self.invitation(*invitation)?;
                if self.actor.id().is_none_or(|me| inv.sent_by != Some(me)) {
                    self.need(inv.org, perms::MEMBERS_INVITE, "resend invitations")?;
                }
                let status = inv.status_at(self.now);
                if !matches!(
                    status,
                    InvitationStatus::Pending | InvitationStatus::Expired
                ) {
                    return conflict(format!(
                        "invitation {} is {}: send a new one",
                        inv.id,
                        status.as_str()
                    ));
                }
                if self.dir.account_by_email(inv.org, &inv.email).is_some() {
                    return conflict(format!("{} has an account now", inv.email));
                }
                let ttl = self.dir.orgs[&inv.org].settings.invitation_ttl_hours;
                let kind = super::mail::MailKind::Invitation { invitation: inv.id };
                let name = name_of(inv);
                let mail = self.mail_with_link(secret_hash, kind, inv.org, (&inv.email, &name));
                let mut events = vec![Event::InvitationResent {
                    invitation: inv.id,
                    expires: self.now + hours(ttl),
                    secret_hash: secret_hash.clone(),
                }];
                events.extend(mail);
                done(inv.org, events)
            }
            ExpireInvitations { org } => {
                self.org(*org)?;
                if !self.actor.is_operator() {
                    self.need(*org, perms::INVITATIONS_READ, "expire invitations")?;
                }
                let events = self
                    .dir
                    .invitations
                    .values()
                    .filter(|i| {
                        i.org == *org
                            && i.status == InvitationStatus::Pending
                            && i.expires <= self.now
                    })
                    .map(|i| Event::InvitationExpired { invitation: i.id })
                    .collect();
                done(*org, events)
            }
            EditAccount {
                account,
                expected_version,
                first_name,
                last_name,
                email,
            } => {
                let a = self.account(*account)?;
                if self.actor.id() != Some(a.id) {
                    self.need(a.org, perms::MEMBERS_MANAGE, "edit accounts")?;
                    self.may_manage(a, "edit")?;
                }
                if a.version != *expected_version {
                    return Err(DomainError::Stale(format!(
                        "{} was changed by someone else since you opened it (version {expected_version}, now {}): reload and edit again",
                        a.email, a.version
                    )));
                }
                let first_name = validate::line("first name", first_name, 100, true)?;
                let last_name = validate::line("last name", last_name, 100, false)?;
                let email = validate::email(email)?;
                self.email_free(a.org, &email, Some(a.id))?;
                if first_name == a.first_name && last_name == a.last_name && email == a.email {
                    return conflict("nothing to change");
                }
                done(
                    a.org,
                    vec![Event::AccountEdited {
                        account: a.id,
                        first_name,
                        last_name,
                        email,
                    }],
                )
            }
            Verify { account } => {
                let a = self.account(*account)?;
                self.need(a.org, perms::MEMBERS_MANAGE, "verify accounts")?;
                // Verification is someone else's word for who you are.
                self.not_self(a, "verify")?;
                self.may_manage(a, "verify")?;
                if a.verified {
                    return conflict(format!("{} is already verified", a.email));
                }
                done(a.org, vec![Event::AccountVerified { account: a.id }])
            }
            Enable { account } => {
                let a = self.account(*account)?;
                self.need(a.org, perms::MEMBERS_MANAGE, "enable accounts")?;
                self.not_self(a, "enable")?;
                self.may_manage(a, "enable")?;
                if a.enabled {
                    return conflict(format!("{} is already enabled", a.email));
                }
                done(a.org, vec![Event::AccountEnabled { account: a.id }])
            }
            Disable { account } => {
                let a = self.account(*account)?;
                self.need(a.org, perms::MEMBERS_MANAGE, "disable accounts")?;
                self.not_self(a, "disable")?;
                if a.level == Level::Owner {
                    return conflict(format!(
                        "{} is the {}: an organisation must keep exactly one enabled {}, so transfer ownership first",
                        a.email,
                        self.words(a.org).owner,
                        self.words(a.org).owner
                    ));
                }
                self.may_manage(a, "disable")?;
                if !a.enabled {
                    return conflict(format!("{} is already disabled", a.email));
                }
                if let Some(p) = self.owned_programs(a).first() {
                    return conflict(format!(
                        "{} is the {} of {}: name a new one first",
                        a.email,
                        self.words(a.org).program_owner,
                        p.name
                    ));
                }
                done(a.org, vec![Event::AccountDisabled { account: a.id }])
            }
            Approve { account } => {
                let a = self.account(*account)?;
                self.need(a.org, perms::MEMBERS_APPROVE, "approve accounts")?;
                self.not_self(a, "approve")?;
                self.may_manage(a, "approve")?;
                if a.approval == Approval::Approved {
                    return conflict(format!("{} is already approved", a.email));
                }
                let mut events = vec![Event::ApprovalChanged {
                    account: a.id,
                    approval: Approval::Approved,
                    reason: String::new(),
                }];
                events.extend(self.close_join_requests(a.id, true, ""));
                done(a.org, events)
            }
            Reject { account, reason } => {
                let a = self.account(*account)?;
                self.need(a.org, perms::MEMBERS_APPROVE, "reject accounts")?;
                self.not_self(a, "reject")?;
                if a.level == Level::Owner {
                    return conflict(format!(
                        "{} is the {} and cannot be rejected",
                        a.email,
                        self.words(a.org).owner
                    ));
                }
                self.may_manage(a, "reject")?;
                let reason = validate::message("reason", reason, 500)?;
                if a.approval == Approval::Rejected {
                    return conflict(format!("{} is already rejected", a.email));
                }
                let mut events = vec![Event::ApprovalChanged {
                    account: a.id,
                    approval: Approval::Rejected,
                    reason: reason.clone(),
                }];
                events.extend(self.close_join_requests(a.id, false, &reason));
                done(a.org, events)
            }
            Promote { account } => {
                let a = self.account(*account)?;
                let w = self.words(a.org);
                self.need_admin(a.org, &format!("make someone {}", an(&w.admin)))?;
                match a.level {
                    Level::Member => {}
                    Level::Admin => {
                        return conflict(format!("{} is already {}", a.email, an(&w.admin)));
                    }
                    Level::Owner => return conflict(format!("{} is the {}", a.email, w.owner)),
                }
                if !a.verified {
                    return conflict(format!(
                        "only verified accounts can be made {}: verify {} first",
                        w.admin, a.email
                    ));
                }
                if !a.active() {
                    return conflict(format!(
                        "{} must be enabled and approved to become {}",
                        a.email,
                        an(&w.admin)
                    ));
                }
                done(
                    a.org,
                    vec![Event::LevelChanged {
                        account: a.id,
                        level: Level::Admin,
                    }],
                )
            }
            Demote { account } => {
                let a = self.account(*account)?;
                let w = self.words(a.org);
                self.need_admin(a.org, &format!("make {} {}", an(&w.admin), an(&w.member)))?;
                if self.actor.id() == Some(a.id) {
                    return forbidden(format!(
                        "you cannot make yourself {}: ask another {} (every organisation keeps at least one)",
                        an(&w.member),
                        w.admin
                    ));
                }
                match a.level {
                    Level::Admin => {}
                    Level::Member => {
                        return conflict(format!("{} is already {}", a.email, an(&w.member)));
                    }
                    Level::Owner => {
                        return conflict(format!(
                            "{} is the {}: an organisation must keep exactly one {}, so transfer ownership first",
                            a.email, w.owner, w.owner
                        ));
                    }
                }
                done(
                    a.org,
                    vec![Event::LevelChanged {
                        account: a.id,
                        level: Level::Member,
                    }],
                )
            }
            DeleteAccount { account } => {
                let a = self.account(*account)?;
                self.need(a.org, perms::MEMBERS_MANAGE, "delete accounts")?;
                self.not_self(a, "delete")?;
                if a.level == Level::Owner {
                    return conflict(format!(
                        "{} is the {}: an organisation must keep exactly one owner, so transfer ownership first",
                        a.email,
                        self.words(a.org).owner
                    ));
                }
                self.may_manage(a, "delete")?;
                if a.enabled {
                    return conflict(format!(
                        "{} must be disabled before it can be deleted",
                        a.email
                    ));
                }
                if let Some(p) = self.owned_programs(a).first() {
                    return conflict(format!(
                        "{} owns {}: name a new owner first",
                        a.email, p.name
                    ));
                }
                done(
                    a.org,
                    vec![Event::AccountDeleted {
                        account: a.id,
                        email: a.email.clone(),
                    }],
                )
            }
            RequestPasswordReset {
                account,
                secret_hash,
            } => {
                let a = self.account(*account)?;
                if self.actor.id() != Some(a.id) {
                    self.need(a.org, perms::MEMBERS_MANAGE, "send password resets")?;
                    self.may_manage(a, "reset the password of")?;
                }
                if !a.enabled {
                    return conflict(format!(
                        "{} is disabled: enable it before sending a reset",
                        a.email
                    ));
                }
                let ttl = self.dir.orgs[&a.org].settings.reset_ttl_hours;
                let reset = ResetRequest {
                    id: ResetId(self.ids.next()),
                    org: a.org,
                    account: a.id,
                    requested_by: self.actor.id(),
                    requested_at: self.now,
                    expires: self.now + hours(ttl),
                    used: false,
                    secret_hash: secret_hash.clone(),
                };
                let kind = super::mail::MailKind::PasswordReset { reset: reset.id };
                let name = a.full_name();
                let mail = self.mail_with_link(secret_hash, kind, a.org, (&a.email, &name));
                let mut events = vec![Event::PasswordResetRequested { reset }];
                events.extend(mail);
                done(a.org, events)
            }

            // ----- roles -----
            CreateRole {
                org,
                name,
                description,
                scope,
                permissions,
                gate,
            } => {
                self.org(*org)?;
                self.need(*org, perms::ROLES_MANAGE, "create roles")?;
                let name = validate::line("role name", name, 60, true)?;
                let description = validate::line("description", description, 300, false)?;
                self.role_name_free(*org, &name, None)?;
                check_permissions(*scope, permissions)?;
                let gate = match gate {
                    Some(g) => {
                        if !self.actor.is_operator() {
                            return forbidden(
                                "only a platform operator can tie a role to a contract",
                            );
                        }
                        Some(validate::line("product", g, 40, true)?)
                    }
                    None => None,
                };
                let role = Role {
                    id: RoleId(self.ids.next()),
                    org: *org,
                    name,
                    description,
                    scope: *scope,
                    permissions: permissions.clone(),
                    builtin: None,
                    gate,
                    version: 1,
                };
                self.may_confer(&role)?;
                done(*org, vec![Event::RoleCreated { role }])
            }
            EditRole {
                role,
                name,
                description,
                permissions,
            } => {
                let r = self.role(*role)?;
                self.need(r.org, perms::ROLES_MANAGE, "edit roles")?;
                if r.builtin.is_some() {
                    return forbidden(format!(
                        "{} is built in and cannot be edited: rename it in the organisation's terminology",
                        r.name
                    ));
                }
                let name = validate::line("role name", name, 60, true)?;
                let description = validate::line("description", description, 300, false)?;
                self.role_name_free(r.org, &name, Some(r.id))?;
                check_permissions(r.scope, permissions)?;
                let mut edited = r.clone();
                edited.permissions = permissions.clone();
                self.may_confer(r)?;
                self.may_confer(&edited)?;
                if name == r.name && description == r.description && *permissions == r.permissions {
                    return conflict("nothing to change");
                }
                done(
                    r.org,
                    vec![Event::RoleEdited {
                        role: r.id,
                        name,
                        description,
                        permissions: permissions.clone(),
                    }],
                )
            }
            DeleteRole { role } => {
                let r = self.role(*role)?;
                self.need(r.org, perms::ROLES_MANAGE, "delete roles")?;
                if r.builtin.is_some() {
                    return forbidden(format!("{} is built in and cannot be deleted", r.name));
                }
                self.may_confer(r)?;
                let has = |gs: &[Grant]| gs.iter().any(|g| g.role == r.id);
                let accounts = self
                    .dir
                    .accounts_of(r.org)
                    .filter(|a| has(&a.roles))
                    .count()
                    + self
                        .dir
                        .programs
                        .values()
                        .filter(|p| p.org == r.org)
                        .map(|p| p.grants.values().filter(|g| has(g)).count())
                        .sum::<usize>();
                let groups = self
                    .dir
                    .groups
                    .values()
                    .filter(|g| g.org == r.org && has(&g.roles))
                    .count();
                let invitations = self
                    .dir
                    .invitations
                    .values()
                    .filter(|i| {
                        i.status_at(self.now) == InvitationStatus::Pending
                            && (i.roles.contains(&r.id)
                                || i.programs.iter().any(|o| o.role == r.id))
                    })
                    .count();
                if accounts + groups + invitations > 0 {
                    return conflict(format!(
                        "{} is held by {accounts} account(s) and {groups} group(s) and offered by {invitations} pending invitation(s): revoke it first",
                        r.name
                    ));
                }
                done(r.org, vec![Event::RoleDeleted { role: r.id }])
            }
            GrantRole {
                account,
                role,
                until,
            } => {
                let a = self.account(*account)?;
                let r = self.role(*role)?;
                self.need(a.org, perms::ROLES_MANAGE, "grant roles")?;
                if r.org != a.org || r.scope != Scope::Org {
                    return invalid(format!(
                        "{} is a program role: grant it in a program",
                        r.name
                    ));
                }
                self.may_manage(a, "grant roles to")?;
                self.may_confer(r)?;
                self.future(*until, "the grant")?;
                if a.roles.iter().any(|g| g.role == r.id && g.until == *until) {
                    return conflict(format!("{} already holds {}", a.email, r.name));
                }
                self.seat_for(r, a.id, &[])?;
                done(
                    a.org,
                    vec![Event::RoleGranted {
                        account: a.id,
                        role: r.id,
                        until: *until,
                    }],
                )
            }
            RevokeRole { account, role } => {
                let a = self.account(*account)?;
                let r = self.role(*role)?;
                self.need(a.org, perms::ROLES_MANAGE, "revoke roles")?;
                self.may_manage(a, "revoke roles from")?;
                self.may_confer(r)?;
                if !a.roles.iter().any(|g| g.role == r.id) {
                    return conflict(format!("{} does not hold {}", a.email, r.name));
                }
                done(
                    a.org,
                    vec![Event::RoleRevoked {
                        account: a.id,
                        role: r.id,
                    }],
                )
            }
            RequestRole {
                role,
                program,
                note,
            } => {
                let Some(me) = self.actor.account else {
                    return forbidden("only an account can ask for a role");
                };
                let r = self.role(*role)?;
                let note = validate::message("note", note, 500)?;
                match (r.scope, program) {
                    (Scope::Org, None) => {
                        if me.roles.iter().any(|g| g.role == r.id && g.live(self.now)) {
                            return conflict(format!("you already hold {}", r.name));
                        }
                    }
                    (Scope::Program, Some(p)) => {
                        let p = self.program(*p)?;
                        if p.grants
                            .get(&me.id)
                            .is_some_and(|gs| gs.iter().any(|g| g.role == r.id && g.live(self.now)))
                        {
                            return conflict(format!("you already hold {} in {}", r.name, p.name));
                        }
                        if r.builtin == Some(Builtin::ProgramOwner) {
                            return invalid("ownership of a program is transferred, not requested");
                        }
                    }
                    (Scope::Org, Some(_)) => {
                        return invalid(format!(
                            "{} is an organisation role, not a program role",
                            r.name
                        ));
                    }
                    (Scope::Program, None) => {
                        return invalid(format!("{} is a program role: name the program", r.name));
                    }
                }
                let kind = RequestKind::Role {
                    role: r.id,
                    program: *program,
                };
                if self
                    .dir
                    .requests_of(me.id)
                    .any(|q| q.kind == kind && q.status == RequestStatus::Pending)
                {
                    return conflict(
                        "you already asked for this: the request is waiting in the approval queue",
                    );
                }
                let request = ApprovalRequest {
                    id: RequestId(self.ids.next()),
                    org: me.org,
                    account: me.id,
                    kind,
                    note,
                    requested_at: self.now,
                    status: RequestStatus::Pending,
                    decided_by: None,
                    decided_at: None,
                    reason: String::new(),
                };
                done(me.org, vec![Event::ApprovalRequested { request }])
            }

            // ----- groups -----
            CreateGroup { org, name } => {
                self.org(*org)?;
                self.need(*org, perms::GROUPS_MANAGE, "create groups")?;
                let name = validate::line("group name", name, 80, true)?;
                self.group_name_free(*org, &name, None)?;
                let group = Group {
                    id: GroupId(self.ids.next()),
                    org: *org,
                    name,
                    members: BTreeSet::new(),
                    roles: vec![],
                    version: 1,
                };
                done(*org, vec![Event::GroupCreated { group }])
            }
            RenameGroup { group, name } => {
                let g = self.group(*group)?;
                self.need(g.org, perms::GROUPS_MANAGE, "rename groups")?;
                let name = validate::line("group name", name, 80, true)?;
                self.group_name_free(g.org, &name, Some(g.id))?;
                if name == g.name {
                    return conflict("nothing to change");
                }
                done(g.org, vec![Event::GroupRenamed { group: g.id, name }])
            }
            DeleteGroup { group } => {
                let g = self.group(*group)?;
                self.need(g.org, perms::GROUPS_MANAGE, "delete groups")?;
                for grant in &g.roles {
                    if let Some(r) = self.dir.roles.get(&grant.role) {
                        self.may_confer(r)?;
                    }
                }
                done(g.org, vec![Event::GroupDeleted { group: g.id }])
            }
            AddToGroup { group, account } => {
                let g = self.group(*group)?;
                let a = self.account(*account)?;
                self.need(g.org, perms::GROUPS_MANAGE, "change group members")?;
                if a.org != g.org {
                    return not_found(format!("no account {} in your organisation", a.id));
                }
                self.may_manage(a, "add to groups")?;
                if g.members.contains(&a.id) {
                    return conflict(format!("{} is already in {}", a.email, g.name));
                }
                for grant in g.roles.iter().filter(|x| x.live(self.now)) {
                    if let Some(r) = self.dir.roles.get(&grant.role) {
                        self.may_confer(r)?;
                        self.seat_for(r, a.id, &[])?;
                    }
                }
                done(
                    g.org,
                    vec![Event::GroupMemberAdded {
                        group: g.id,
                        account: a.id,
                    }],
                )
            }
            RemoveFromGroup { group, account } => {
                let g = self.group(*group)?;
                let a = self.account(*account)?;
                self.need(g.org, perms::GROUPS_MANAGE, "change group members")?;
                self.may_manage(a, "remove from groups")?;
                if !g.members.contains(&a.id) {
                    return conflict(format!("{} is not in {}", a.email, g.name));
                }
                done(
                    g.org,
                    vec![Event::GroupMemberRemoved {
                        group: g.id,
                        account: a.id,
                    }],
                )
            }
            GrantGroupRole { group, role, until } => {
                let g = self.group(*group)?;
                let r = self.role(*role)?;
                self.need(g.org, perms::ROLES_MANAGE, "grant roles to groups")?;
                if r.org != g.org || r.scope != Scope::Org {
                    return invalid(format!(
                        "{} is a program role: grant it in a program",
                        r.name
                    ));
                }
                self.may_confer(r)?;
                self.future(*until, "the grant")?;
                if g.roles.iter().any(|x| x.role == r.id && x.until == *until) {
                    return conflict(format!("{} already holds {}", g.name, r.name));
                }
                let members: Vec<AccountId> = g.members.iter().copied().collect();
                if let Some(first) = members.first() {
                    self.seat_for(r, *first, &members)?;
                } else if let Some(product) = &r.gate
                    && !policy::product_active(self.dir, r.org, product, self.now)
                {
                    return conflict(format!(
                        "{} is available only with an active {product} contract",
                        r.name
                    ));
                }
                done(
                    g.org,
                    vec![Event::GroupRoleGranted {
                        group: g.id,
                        role: r.id,
                        until: *until,
                    }],
                )
            }
            RevokeGroupRole { group, role } => {
                let g = self.group(*group)?;
                let r = self.role(*role)?;
                self.need(g.org, perms::ROLES_MANAGE, "revoke roles from groups")?;
                self.may_confer(r)?;
                if !g.roles.iter().any(|x| x.role == r.id) {
                    return conflict(format!("{} does not hold {}", g.name, r.name));
                }
                done(
                    g.org,
                    vec![Event::GroupRoleRevoked {
                        group: g.id,
                        role: r.id,
                    }],
                )
            }

            // ----- programs -----
            CreateProgram { org, name, owner } => {
                self.org(*org)?;
                self.need(*org, perms::PROGRAMS_CREATE, "create programs")?;
                let name = validate::line("program name", name, 100, true)?;
                self.program_name_free(*org, &name, None)?;
                let owner = match (owner, self.actor.id()) {
                    (Some(o), me) if Some(*o) != me => {
                        self.need(
                            *org,
                            perms::PROGRAMS_MANAGE,
                            "create a program for someone else",
                        )?;
                        *o
                    }
                    (Some(o), _) => *o,
                    (None, Some(me)) => me,
                    (None, None) => return invalid("name the program's owner"),
                };
                let o = self.account(owner)?;
                if o.org != *org {
                    return not_found(format!("no account {owner} in your organisation"));
                }
                if !o.enabled {
                    return conflict(format!("{} is disabled and cannot own a program", o.email));
                }
                let program = Program {
                    id: ProgramId(self.ids.next()),
                    org: *org,
                    name,
                    owner,
                    grants: Default::default(),
                    created: self.now,
                    version: 1,
                };
                done(*org, vec![Event::ProgramCreated { program }])
            }
            RenameProgram { program, name } => {
                let p = self.program(*program)?;
                if self.program_authority(p) < ProgramAuthority::Full {
                    return forbidden(format!(
                        "only the {} or {} can rename {}",
                        self.words(p.org).program_owner,
                        an(&self.words(p.org).admin),
                        p.name
                    ));
                }
                let name = validate::line("program name", name, 100, true)?;
                self.program_name_free(p.org, &name, Some(p.id))?;
                if name == p.name {
                    return conflict("nothing to change");
                }
                done(
                    p.org,
                    vec![Event::ProgramRenamed {
                        program: p.id,
                        name,
                    }],
                )
            }
            DeleteProgram { program } => {
                let p = self.program(*program)?;
                if self.program_authority(p) < ProgramAuthority::Full {
                    return forbidden(format!(
                        "only the {} or {} can delete {}",
                        self.words(p.org).program_owner,
                        an(&self.words(p.org).admin),
                        p.name
                    ));
                }
                done(p.org, vec![Event::ProgramDeleted { program: p.id }])
            }
            GrantProgramRole {
                program,
                account,
                role,
                until,
            } => {
                let p = self.program(*program)?;
                let a = self.account(*account)?;
                let r = self.role(*role)?;
                self.check_program_grant(p, r, Some(a))?;
                self.future(*until, "the grant")?;
                if p.grants
                    .get(&a.id)
                    .is_some_and(|gs| gs.iter().any(|g| g.role == r.id && g.until == *until))
                {
                    return conflict(format!(
                        "{} already holds {} in {}",
                        a.email, r.name, p.name
                    ));
                }
                self.seat_for(r, a.id, &[])?;
                done(
                    p.org,
                    vec![Event::ProgramRoleGranted {
                        program: p.id,
                        account: a.id,
                        role: r.id,
                        until: *until,
                    }],
                )
            }
            ChangeProgramRole {
                program,
                account,
                from,
                to,
            } => {
                let p = self.program(*program)?;
                let a = self.account(*account)?;
                let old = self.role(*from)?;
                let new = self.role(*to)?;
                let Some(grant) = p
                    .grants
                    .get(&a.id)
                    .and_then(|gs| gs.iter().find(|g| g.role == old.id))
                else {
                    return conflict(format!(
                        "{} does not hold {} in {}",
                        a.email, old.name, p.name
                    ));
                };
                if old.id == new.id {
                    return conflict("nothing to change");
                }
                self.check_program_revoke(p, old)?;
                self.check_program_grant(p, new, Some(a))?;
                self.seat_for(new, a.id, &[])?;
                done(
                    p.org,
                    vec![
                        Event::ProgramRoleRevoked {
                            program: p.id,
                            account: a.id,
                            role: old.id,
                        },
                        Event::ProgramRoleGranted {
                            program: p.id,
                            account: a.id,
                            role: new.id,
                            until: grant.until,
                        },
                    ],
                )
            }
            RevokeProgramRole {
                program,
                account,
                role,
            } => {
                let p = self.program(*program)?;
                let a = self.account(*account)?;
                let r = self.role(*role)?;
                if !p
                    .grants
                    .get(&a.id)
                    .is_some_and(|gs| gs.iter().any(|g| g.role == r.id))
                {
                    return conflict(format!(
                        "{} does not hold {} in {}",
                        a.email, r.name, p.name
                    ));
                }
                self.check_program_revoke(p, r)?;
                done(
                    p.org,
                    vec![Event::ProgramRoleRevoked {
                        program: p.id,
                        account: a.id,
                        role: r.id,
                    }],
                )
            }
            RemoveFromProgram { program, account } => {
                let p = self.program(*program)?;
                let a = self.account(*account)?;
                if p.owner == a.id {
                    return conflict(format!(
                        "{} is the {} of {}: name a new one first",
                        a.email,
                        self.words(p.org).program_owner,
                        p.name
                    ));
                }
                let Some(grants) = p.grants.get(&a.id) else {
                    return conflict(format!("{} has no role in {}", a.email, p.name));
                };
                let mut events = vec![];
                for g in grants {
                    if let Some(r) = self.dir.roles.get(&g.role) {
                        self.check_program_revoke(p, r)?;
                    }
                    events.push(Event::ProgramRoleRevoked {
                        program: p.id,
                        account: a.id,
                        role: g.role,
                    });
                }
                done(p.org, events)
            }
            TransferProgram { program, to } => {
                let p = self.program(*program)?;
                let w = self.words(p.org);
                if self.program_authority(p) < ProgramAuthority::Full {
                    return forbidden(format!(
                        "only the {} or a corporate-level contact ({}) can name a new {}",
                        w.program_owner, w.admin, w.program_owner
                    ));
                }
                let a = self.account(*to)?;
                if a.org != p.org {
                    return not_found(format!("no account {to} in your organisation"));
                }
                if p.owner == a.id {
                    return conflict(format!(
                        "{} is already the {} of {}",
                        a.email, w.program_owner, p.name
                    ));
                }
                if !a.enabled {
                    return conflict(format!("{} is disabled and cannot own a program", a.email));
                }
                let mut events = vec![Event::ProgramOwnerChanged {
                    program: p.id,
                    from: p.owner,
                    to: a.id,
                }];
                // The former owner stays on as a contributor (seed 004's secondary contact).
                if let Some(contrib) = self.dir.builtin_role(p.org, Builtin::Contributor)
                    && self.dir.accounts.contains_key(&p.owner)
                {
                    events.push(Event::ProgramRoleGranted {
                        program: p.id,
                        account: p.owner,
                        role: contrib.id,
                        until: None,
                    });
                }
                done(p.org, events)
            }

            // ----- contracts -----
            CreateContract {
                org,
                product,
                start,
                end,
                seats,
            } => {
                self.org(*org)?;
                self.operator_only()?;
                let product = validate::line("product", product, 40, true)?;
                if end.is_some_and(|e| e <= *start) {
                    return invalid("a contract must end after it starts");
                }
                let contract = Contract {
                    id: ContractId(self.ids.next()),
                    org: *org,
                    product,
                    status: ContractStatus::Active,
                    start: *start,
                    end: *end,
                    seats: *seats,
                    version: 1,
                };
                let created = Event::ContractCreated { contract };
                self.seats_hold_after(*org, &created)?;
                done(*org, vec![created])
            }
            SuspendContract { contract } => {
                let c = self.contract(*contract)?;
                self.operator_only()?;
                if c.status != ContractStatus::Active {
                    return conflict(format!(
                        "contract {} is {}, not active",
                        c.id,
                        c.status.as_str()
                    ));
                }
                let change = Event::ContractStatusChanged {
                    contract: c.id,
                    status: ContractStatus::Suspended,
                };
                self.seats_hold_after(c.org, &change)?;
                done(c.org, vec![change])
            }
            ResumeContract { contract } => {
                let c = self.contract(*contract)?;
                self.operator_only()?;
                if c.status != ContractStatus::Suspended {
                    return conflict(format!(
                        "contract {} is {}, not suspended",
                        c.id,
                        c.status.as_str()
                    ));
                }
                let change = Event::ContractStatusChanged {
                    contract: c.id,
                    status: ContractStatus::Active,
                };
                self.seats_hold_after(c.org, &change)?;
                done(c.org, vec![change])
            }
            EndContract { contract } => {
                let c = self.contract(*contract)?;
                self.operator_only()?;
                if c.status == ContractStatus::Ended {
                    return conflict(format!("contract {} has already ended", c.id));
                }
                let change = Event::ContractStatusChanged {
                    contract: c.id,
                    status: ContractStatus::Ended,
                };
                self.seats_hold_after(c.org, &change)?;
                done(c.org, vec![change])
            }
            ChangeSeats { contract, seats } => {
                let c = self.contract(*contract)?;
                self.operator_only()?;
                if c.seats == *seats {
                    return conflict("nothing to change");
                }
                for r in self.dir.roles_of(c.org).filter(|r| {
                    r.gate
                        .as_deref()
                        .is_some_and(|g| g.eq_ignore_ascii_case(&c.product))
                }) {
                    let held = policy::holders(self.dir, r, self.now).len();
                    if held > *seats as usize {
                        return conflict(format!(
                            "{} is held by {held} accounts: revoke {} before lowering the seats to {seats}",
                            r.name,
                            held - *seats as usize
                        ));
                    }
                }
                done(
                    c.org,
                    vec![Event::ContractSeatsChanged {
                        contract: c.id,
                        seats: *seats,
                    }],
                )
            }

            // ----- approvals -----
            Decide {
                request,
                approve,
                reason,
            } => {
                let q = self.request(*request)?;
                self.need(q.org, perms::MEMBERS_APPROVE, "decide approval requests")?;
                let a = self.account(q.account)?;
                if self.actor.id() == Some(a.id) {
                    return forbidden("you cannot decide your own request");
                }
                if q.status != RequestStatus::Pending {
                    return conflict(format!(
                        "request {} was already {} by {}",
                        q.id,
                        q.status.as_str(),
                        q.decided_by.as_deref().unwrap_or("someone")
                    ));
                }
                let reason = validate::message("reason", reason, 500)?;
                let by = self.label();
                match &q.kind {
                    RequestKind::Join => {
                        self.may_manage(a, "approve")?;
                        let approval = if *approve {
                            Approval::Approved
                        } else {
                            Approval::Rejected
                        };
                        let mut events = vec![];
                        if a.approval != approval {
                            events.push(Event::ApprovalChanged {
                                account: a.id,
                                approval,
                                reason: reason.clone(),
                            });
                        }
                        events.push(Event::RequestDecided {
                            request: q.id,
                            approved: *approve,
                            by,
                            reason,
                        });
                        done(q.org, events)
                    }
                    RequestKind::Role { role, program } => {
                        let decided = Event::RequestDecided {
                            request: q.id,
                            approved: *approve,
                            by,
                            reason,
                        };
                        if !*approve {
                            return done(q.org, vec![decided]);
                        }
                        let Some(r) = self.dir.roles.get(role) else {
                            return conflict(
                                "the requested role no longer exists: reject the request",
                            );
                        };
                        let grant = match program {
                            None => {
                                self.need(q.org, perms::ROLES_MANAGE, "grant roles")?;
                                self.may_manage(a, "grant roles to")?;
                                self.may_confer(r)?;
                                Event::RoleGranted {
                                    account: a.id,
                                    role: r.id,
                                    until: None,
                                }
                            }
                            Some(pid) => {
                                let Some(p) = self.dir.programs.get(pid) else {
                                    return conflict(
                                        "the program no longer exists: reject the request",
                                    );
                                };
                                self.check_program_grant(p, r, Some(a))?;
                                Event::ProgramRoleGranted {
                                    program: p.id,
                                    account: a.id,
                                    role: r.id,
                                    until: None,
                                }
                            }
                        };
                        self.seat_for(r, a.id, &[])?;
                        done(q.org, vec![grant, decided])
                    }
                }
            }

            // ----- API tokens -----
            IssueToken {
                principal,
                label,
                token_hash,
                expires,
            } => self.issue_token(principal, label, token_hash, *expires),
            RevokeToken { token } => self.revoke_token(*token),
            RecordMailDelivery {
                mail,
                attempts,
                error,
            } => self.record_mail_delivery(*mail, *attempts, error.as_deref()),
            RetryMail { mail } => self.retry_mail(*mail),

            // ----- credentials and sessions (decide/credentials.rs) -----
            CompletePasswordReset {
                secret_hash,
                password_hash,
            } => self.complete_password_reset(secret_hash, password_hash),
            AcceptInvitationLink {
                secret_hash,
                password_hash,
                first_name,
                last_name,
            } => self.accept_invitation_link(
                secret_hash,
                password_hash,
                first_name.as_deref(),
                last_name.as_deref(),
            ),
            StartSession {
                account,
                token_hash,
            } => self.start_session(*account, token_hash),
            RevokeSessions { account } => self.revoke_sessions(*account),
            RecordMailAttempt {
                mail,
                attempts,
                error,
            } => self.record_mail_attempt(*mail, *attempts, error),
        }
    }

    /// The queued message that goes with a link, when the command carries one (a
    /// secret hash): queued in the same step so the store never has one without the other.
    fn mail_with_link(
        &mut self,
        secret_hash: &Option<String>,
        kind: super::mail::MailKind,
        org: OrgId,
        to: (&str, &str),
    ) -> Option<Event> {
        secret_hash.as_ref()?;
        let o = self.dir.orgs.get(&org)?;
        let id = MailId(self.ids.next());
        let by = label(self.dir, self.actor.who);
        let mail = super::mail::queued(id, kind, o, to, &by, self.now);
        Some(Event::MailQueued { mail })
    }

    /// Only the mail sender (which runs as the platform operator: it is the store's own
    /// machinery) reports deliveries; a message is delivered or given up on once.
    fn record_mail_delivery(&mut self, id: MailId, attempts: u32, error: Option<&str>) -> Out {
        if !self.actor.is_operator() {
            return forbidden("only the mail sender records deliveries");
        }
        let Some(m) = self.dir.mails.get(&id) else {
            return not_found(format!("no mail {id}"));
        };
        if m.status != super::mail::MailStatus::Queued {
            return conflict(format!("mail {id} is {}, not queued", m.status.as_str()));
        }
        let event = match error {
            None => Event::MailSent { mail: id, attempts },
            Some(reason) => Event::MailFailed {
                mail: id,
                attempts,
                reason: super::mail::single_line(reason).chars().take(500).collect(),
            },
        };
        done(m.org, vec![event])
    }

    /// A failed attempt the sender will repeat: recorded by the sender alone, on a queued
    /// message (its time is when the backoff starts).
    fn record_mail_attempt(&mut self, id: MailId, attempts: u32, error: &str) -> Out {
        if !self.actor.is_operator() {
            return forbidden("only the mail sender records deliveries");
        }
        let Some(m) = self.dir.mails.get(&id) else {
            return not_found(format!("no mail {id}"));
        };
        if m.status != super::mail::MailStatus::Queued {
            return conflict(format!("mail {id} is {}, not queued", m.status.as_str()));
        }
        done(
            m.org,
            vec![Event::MailAttemptFailed {
                mail: id,
                attempts,
                reason: super::mail::single_line(error).chars().take(500).collect(),
            }],
        )
    }

    /// Those who send mail (members.invite or members.manage) may queue a failed one again.
    fn retry_mail(&mut self, id: MailId) -> Out {
        let m = match self.dir.mails.get(&id) {
            Some(m) if self.reaches(m.org) => m,
            _ => return not_found(format!("no mail {id} in your organisation")),
        };
        if !self.has(m.org, perms::MEMBERS_INVITE) {
            self.need(m.org, perms::MEMBERS_MANAGE, "retry mail")?;
        }
        if m.status != super::mail::MailStatus::Failed {
            return conflict(format!(
                "mail {id} is {}: only a failed message is retried",
                m.status.as_str()
            ));
        }
        done(m.org, vec![Event::MailRequeued { mail: id }])
    }

    /// An account issues tokens only for itself; the operator for anyone. A token for an
    /// account that may not sign in would be refused at every use, so it is not made.
    fn issue_token(
        &mut self,
        principal: &Principal,
        label: &str,
        token_hash: &str,
        expires: Option<Timestamp>,
    ) -> Out {
        let org = match (self.actor.who, principal) {
            (Principal::Anonymous, _) => return forbidden("sign in to issue API tokens"),
            (_, Principal::Anonymous) => {
                return invalid(
                    "a token acts as an account or as the platform operator, not as nobody",
                );
            }
            (Principal::Account { .. }, Principal::Operator) => {
                return forbidden("only the platform operator can issue operator tokens");
            }
            (Principal::Account { id: me }, Principal::Account { id }) if me != id => {
                return forbidden(
                    "you can issue API tokens only for yourself: the platform operator issues them for others",
                );
            }
            (_, Principal::Operator) => None,
            (_, Principal::Account { id }) => {
                let a = self.account(*id)?;
                if !a.active() {
                    return conflict(format!(
                        "{} is {} and cannot sign in, so a token for it would never work",
                        a.email,
                        super::query::status_word(a)
                    ));
                }
                Some(a.org)
            }
        };
        let label = validate::line("token label", label, 100, false)?;
        if !token::is_sha256_hex(token_hash) {
            return invalid(
                "a token hash must be the SHA-256 of the secret as 64 lowercase hex digits",
            );
        }
        if expires.is_some_and(|e| e <= self.now) {
            return invalid("the token must expire in the future");
        }
        if self
            .dir
            .tokens
            .values()
            .any(|t| constant_time_eq(t.hash.as_bytes(), token_hash.as_bytes()))
        {
            return conflict("a token with this secret already exists: make a new secret");
        }
        let token = Token {
            id: TokenId(self.ids.next()),
            principal: principal.clone(),
            org,
            label,
            hash: token_hash.to_string(),
            created: self.now,
            expires,
            revoked: false,
            session: false,
        };
        Ok((org, vec![Event::TokenIssued { token }]))
    }

    /// The operator, the token's own account, or an admin of that account's organisation
    /// (under the usual delegation: nobody but the owner and the operator touches the
    /// owner's tokens). Tokens of other organisations, and operator tokens, do not exist
    /// for an account.
    fn revoke_token(&mut self, id: TokenId) -> Out {
        let missing = || not_found(format!("no API token {id}"));
        let Some(t) = self.dir.tokens.get(&id) else {
            return missing();
        };
        match (self.actor.who, &t.principal) {
            (Principal::Operator, _) => {}
            (Principal::Account { id: me }, Principal::Account { id: holder }) => {
                let Some(org) = t.org.filter(|o| self.reaches(*o)) else {
                    return missing();
                };
                if me != holder {
                    self.need_admin(org, "revoke someone else's API token")?;
                    if let Some(h) = self.dir.accounts.get(holder) {
                        self.may_manage(h, "revoke the API tokens of")?;
                    }
                }
            }
            _ => return missing(),
        }
        if t.revoked {
            return conflict(format!("API token {id} is already revoked"));
        }
        Ok((t.org, vec![Event::TokenRevoked { token: id }]))
    }

    fn operator_only(&self) -> Decision<()> {
        if self.actor.is_operator() {
            Ok(())
        } else {
            forbidden("only the platform operator manages contracts: contact support")
        }
    }

    /// Invariant 7 across contract changes: after `change`, every gated role of `org`
    /// whose product is in force must still have a seat for each holder. A contract that
    /// stops being in force altogether is fine (the role then confers nothing); one that
    /// leaves a smaller contract in force, or starts with too few seats, is not.
    fn seats_hold_after(&self, org: OrgId, change: &Event) -> Decision<()> {
        let mut after = self.dir.clone();
        after.apply_event(change, self.now);
        for r in after.roles_of(org) {
            let Some(product) = &r.gate else { continue };
            if policy::seat_capacity(&after, org, product).is_none() {
                continue;
            }
            let held = policy::holders(&after, r, self.now).len();
            let seats = policy::product_seats(&after, org, product, self.now) as usize;
            if held > seats {
                return conflict(format!(
                    "{} is held by {held} accounts but only {seats} seats of {product} would remain: revoke it from {} of them first or keep more seats",
                    r.name,
                    held - seats
                ));
            }
        }
        Ok(())
    }

    fn program_authority(&self, p: &Program) -> ProgramAuthority {
        policy::program_authority(self.dir, self.actor.who, p, self.now)
    }

    /// Seed 004: contributors manage viewers and contributors; only the program owner or
    /// a corporate-level contact may touch other roles or name a new owner.
    fn check_program_grant(&self, p: &Program, r: &Role, target: Option<&Account>) -> Decision<()> {
        let w = self.words(p.org);
        if r.org != p.org || r.scope != Scope::Program {
            return invalid(format!(
                "{} is not a {} role",
                r.name,
                w.program.to_lowercase()
            ));
        }
        let authority = self.program_authority(p);
        let basic = matches!(r.builtin, Some(Builtin::Viewer | Builtin::Contributor));
        match authority {
            ProgramAuthority::Full => {}
            ProgramAuthority::Contacts if basic => {}
            ProgramAuthority::Contacts => {
                return forbidden(format!(
                    "only the {} or {} can give {} in {}",
                    w.program_owner,
                    an(&w.admin),
                    r.name,
                    p.name
                ));
            }
            ProgramAuthority::None => {
                return forbidden(format!("you cannot manage the contacts of {}", p.name));
            }
        }
        if let Some(a) = target {
            if a.org != p.org {
                return not_found(format!("no account {} in your organisation", a.id));
            }
            if r.builtin == Some(Builtin::ProgramOwner) {
                return invalid(format!(
                    "name a new {} with a transfer, not a grant",
                    w.program_owner
                ));
            }
            if p.owner == a.id {
                return conflict(format!(
                    "{} is the {} of {} and holds every program permission",
                    a.email, w.program_owner, p.name
                ));
            }
            if !a.enabled {
                return conflict(format!("{} is disabled", a.email));
            }
            if authority == ProgramAuthority::Contacts
                && p.grants.get(&a.id).is_some_and(|gs| {
                    gs.iter().any(|g| {
                        self.dir.roles.get(&g.role).is_some_and(|x| {
                            !matches!(x.builtin, Some(Builtin::Viewer | Builtin::Contributor))
                        })
                    })
                })
            {
                return forbidden(format!(
                    "{} holds roles in {} that only the {} can change",
                    a.email, p.name, w.program_owner
                ));
            }
        }
        Ok(())
    }

    fn check_program_revoke(&self, p: &Program, r: &Role) -> Decision<()> {
        let w = self.words(p.org);
        match self.program_authority(p) {
            ProgramAuthority::Full => Ok(()),
            ProgramAuthority::Contacts
                if matches!(r.builtin, Some(Builtin::Viewer | Builtin::Contributor)) =>
            {
                Ok(())
            }
            ProgramAuthority::Contacts => forbidden(format!(
                "only the {} or {} can remove {} in {}",
                w.program_owner,
                an(&w.admin),
                r.name,
                p.name
            )),
            ProgramAuthority::None => {
                forbidden(format!("you cannot manage the contacts of {}", p.name))
            }
        }
    }

    fn close_join_requests(&self, account: AccountId, approved: bool, reason: &str) -> Vec<Event> {
        self.dir
            .requests_of(account)
            .filter(|r| r.kind == RequestKind::Join && r.status == RequestStatus::Pending)
            .map(|r| Event::RequestDecided {
                request: r.id,
                approved,
                by: self.label(),
                reason: reason.into(),
            })
            .collect()
    }

    fn role_name_free(&self, org: OrgId, name: &str, except: Option<RoleId>) -> Decision<()> {
        if self
            .dir
            .roles_of(org)
            .any(|r| r.name.eq_ignore_ascii_case(name) && Some(r.id) != except)
        {
            return conflict(format!("a role named {name} already exists"));
        }
        Ok(())
    }

    fn group_name_free(&self, org: OrgId, name: &str, except: Option<GroupId>) -> Decision<()> {
        if self
            .dir
            .groups
            .values()
            .any(|g| g.org == org && g.name.eq_ignore_ascii_case(name) && Some(g.id) != except)
        {
            return conflict(format!("a group named {name} already exists"));
        }
        Ok(())
    }

    fn program_name_free(&self, org: OrgId, name: &str, except: Option<ProgramId>) -> Decision<()> {
        if self
            .dir
            .programs
            .values()
            .any(|p| p.org == org && p.name.eq_ignore_ascii_case(name) && Some(p.id) != except)
        {
            return conflict(format!("a program named {name} already exists"));
        }
        Ok(())
    }
}

/// "an Admin", "a Management Contact", "a User": the article for an organisation's own word.
fn an(word: &str) -> String {
    let first = word.chars().next().unwrap_or('x').to_ascii_lowercase();
    // "U" mostly sounds like "you" (User, Unit): those take "a".
    let vowel = matches!(first, 'a' | 'e' | 'i' | 'o') || word.to_lowercase().starts_with("un");
    format!("{} {word}", if vowel { "an" } else { "a" })
}

fn hours(h: u32) -> SignedDuration {
    SignedDuration::from_hours(h as i64)
}

/// Compares secrets without leaking through timing where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn check_settings(s: &Settings) -> Decision<()> {
    for (what, h) in [
        ("invitation lifetime", s.invitation_ttl_hours),
        ("reset-link lifetime", s.reset_ttl_hours),
        ("session lifetime", s.session_ttl_hours),
    ] {
        if h == 0 || h > 24 * 90 {
            return invalid(format!("the {what} must be between 1 hour and 90 days"));
        }
    }
    let t = &s.terminology;
    for (field, v) in [
        ("owner", &t.owner),
        ("admin", &t.admin),
        ("member", &t.member),
        ("program", &t.program),
        ("program owner", &t.program_owner),
        ("program contributor", &t.program_contributor),
        ("program viewer", &t.program_viewer),
    ] {
        validate::line(&format!("the word for {field}"), v, 40, true)?;
    }
    // The program words name the built-in program roles, and role names are unique.
    let program_words = [&t.program_owner, &t.program_contributor, &t.program_viewer];
    for (i, a) in program_words.iter().enumerate() {
        if program_words[..i].iter().any(|b| same_name(a, b)) {
            return invalid(format!(
                "'{}' names two program roles: choose different words",
                a.trim()
            ));
        }
    }
    Ok(())
}

/// Names compare like `role_name_free` does: trimmed, ASCII case-insensitive.
fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn check_permissions(scope: Scope, permissions: &BTreeSet<String>) -> Decision<()> {
    for p in permissions {
        if !perms::valid_name(p) {
            // The refusal echoes the input, so it must not carry escape sequences to a screen.
            let shown: String = p
                .chars()
                .map(|c| {
                    if validate::is_unsafe_char(c) {
                        '\u{FFFD}'
                    } else {
                        c
                    }
                })
                .collect();
            return invalid(format!(
                "'{shown}' is not a permission name (lowercase letters, digits, . _ - :)"
            ));
        }
        let program = perms::is_program_permission(p);
        if program && scope == Scope::Org {
            return invalid(format!(
                "{p} is a program permission: put it in a program role"
            ));
        }
        let known = perms::CATALOGUE.iter().any(|(k, _)| k == p);
        if !program && known && scope == Scope::Program {
            return invalid(format!(
                "{p} is an organisation permission: put it in an organisation role"
            ));
        }
    }
    Ok(())
}

/// The built-in program roles every organisation starts with (seed 004).
fn builtin_program_roles(org: OrgId, words: &Terminology, ids: &mut Ids) -> Vec<Role> {
    let set = |ps: &[&str]| ps.iter().map(|p| p.to_string()).collect::<BTreeSet<_>>();
    let viewer = set(&[perms::PROGRAM_VIEW, perms::PROGRAM_PAY]);
    let contributor = set(&[
        perms::PROGRAM_VIEW,
        perms::PROGRAM_PAY,
        perms::PROGRAM_EDIT,
        perms::PROGRAM_SUBMIT,
        perms::PROGRAM_CONTACTS,
    ]);
    let owner: BTreeSet<String> = perms::CATALOGUE
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| perms::is_program_permission(p))
        .map(String::from)
        .collect();
    [
        (
            Builtin::Viewer,
            &words.program_viewer,
            "can view the program but not change it",
            viewer,
        ),
        (
            Builtin::Contributor,
            &words.program_contributor,
            "can change the program and manage its viewers and contributors",
            contributor,
        ),
        (
            Builtin::ProgramOwner,
            &words.program_owner,
            "the program's one main contact: everything in the program",
            owner,
        ),
    ]
    .into_iter()
    .map(|(b, name, description, permissions)| Role {
        id: RoleId(ids.next()),
        org,
        name: name.clone(),
        description: description.into(),
        scope: Scope::Program,
        permissions,
        builtin: Some(b),
        gate: None,
        version: 1,
    })
    .collect()
}
