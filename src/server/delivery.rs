//! Where the secret of a self-service password reset goes. The server never puts it in
//! the reply (that would let anyone reset anyone's password); it hands it to a
//! delivery, which mails it (the mail module) or, in tests, keeps it.

use std::fmt;
use std::sync::Arc;

/// One reset link to deliver to the address it belongs to.
#[derive(Clone, Debug)]
pub struct ResetNotice {
    pub org: String,
    pub email: String,
    /// The single-use secret; build the link with `credentials::links::reset_link`.
    pub secret: String,
    pub expires: jiff::Timestamp,
}

/// A function that delivers reset links; cheap to clone.
#[derive(Clone)]
pub struct ResetDelivery(pub Arc<dyn Fn(ResetNotice) + Send + Sync>);

impl ResetDelivery {
    pub fn new(f: impl Fn(ResetNotice) + Send + Sync + 'static) -> Self {
        ResetDelivery(Arc::new(f))
    }
}

impl fmt::Debug for ResetDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetDelivery(..)")
    }
}
