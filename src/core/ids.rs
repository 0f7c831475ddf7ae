//! Typed identifiers. Ids are plain counters handed out by the directory in the order
//! commands are decided, so a replayed log rebuilds exactly the same ids; an id is never
//! reused, which is what makes a re-added account "a completely new user" (seed 002).

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let digits = s.strip_prefix($prefix).unwrap_or(s);
                digits
                    .parse::<u64>()
                    .map($name)
                    .map_err(|_| format!("'{s}' is not an id like {}12", $prefix))
            }
        }
    };
}

id_type!(
    /// An organisation (a tenant: subscription, JCS account, company).
    OrgId, "o"
);
id_type!(
    /// An account, always of exactly one organisation.
    AccountId, "u"
);
id_type!(
    /// A role: a named permission set.
    RoleId, "r"
);
id_type!(
    /// A group of accounts.
    GroupId, "g"
);
id_type!(
    /// A program (application, service).
    ProgramId, "p"
);
id_type!(
    /// A contract between the platform and an organisation.
    ContractId, "c"
);
id_type!(
    /// An invitation to join an organisation or a program.
    InvitationId, "i"
);
id_type!(
    /// An approval request in the queue.
    RequestId, "a"
);
id_type!(
    /// A password-reset request.
    ResetId, "x"
);
id_type!(
    /// An API token (bearer secret for `roster serve`).
    TokenId, "t"
);
id_type!(
    /// A message in the outbox (an invitation or a password-reset mail).
    MailId, "m"
);
