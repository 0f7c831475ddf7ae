//! The modal stack's vocabulary: which dialog is open (`Modal`) and what it is for
//! (`PickFor`, `FormFor`), so a dialog's answer can be turned into commands later.

use super::cmdline::CmdLine;
use super::dialogs::{Confirm, Picker, Report};
use super::form::Form;
use super::msg::Job;
use super::wizard::Wizard;
use crate::core::*;

/// What a picked item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Account(AccountId),
    Group(GroupId),
    Role(RoleId),
    /// A contact's program role.
    Contact(AccountId, RoleId),
    Org(OrgId),
    /// "+ new organisation" in the organisation picker.
    NewOrg,
}

/// What a picker is for; some flows pick twice (who, then which role).
#[derive(Clone, Debug, PartialEq)]
pub enum PickFor {
    RoleGrant(RoleId),
    RoleRevoke(RoleId),
    GroupAdd(GroupId),
    GroupRemove(GroupId),
    GroupGrant(GroupId),
    GroupRevoke(GroupId),
    ProgramGrantWho(ProgramId),
    ProgramGrantRole(ProgramId, AccountId),
    ProgramChangeWho(ProgramId),
    ProgramChangeTo(ProgramId, AccountId, RoleId),
    ProgramRevoke(ProgramId),
    ProgramTransfer(ProgramId),
    ProgramOwner(String),
    /// Which organisation to open (`:org` with no slug).
    Org,
}

/// What a form is for.
#[derive(Clone, Debug, PartialEq)]
pub enum FormFor {
    EditAccount {
        id: AccountId,
        version: u64,
        before: AccountFields,
    },
    RejectAccounts(Vec<(AccountId, String)>),
    /// An account added directly by an administrator (seed 003).
    NewAccount,
    RejectRequests {
        requests: Vec<(RequestId, String)>,
        next: Option<RequestId>,
    },
    NewRole,
    EditRole(RoleId),
    NewGroup,
    RenameGroup(GroupId),
    NewProgram,
    RenameProgram(ProgramId),
    NewContract,
    Seats(ContractId),
    AuditFilter,
    /// The start screen's first organisation (creates the store too).
    NewOrg,
    /// The organisation's profile, with the values the form started from.
    OrgProfile {
        org: OrgId,
        name: String,
        profile: Profile,
    },
    OrgSettings {
        org: OrgId,
        before: Box<Settings>,
    },
    /// Another organisation in an existing store (platform operators).
    CreateOrg,
}

/// The edit form's starting values, to send only what changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountFields {
    pub first: String,
    pub last: String,
    pub email: String,
    pub enabled: bool,
    pub approved: bool,
}

#[derive(Clone, Debug)]
pub enum Modal {
    Help {
        scroll: u16,
    },
    Confirm {
        dialog: Confirm,
        title: String,
        jobs: Vec<Job>,
        /// Stop at the first refusal (a transfer of ownership among several steps).
        stop: bool,
    },
    Form {
        form: Form,
        purpose: FormFor,
    },
    Wizard(Box<Wizard>),
    Picker {
        picker: Picker<Pick>,
        purpose: PickFor,
    },
    Results(Report),
    Command(CmdLine),
    /// No store yet: offer the demo or a first organisation.
    Start,
    /// A server without a token: organisation, email, password.
    SignIn(Box<super::sign_in_form::SignIn>),
}
