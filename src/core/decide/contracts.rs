//! Contracts: the platform operator's side of gated roles (invariant 7): creating,
//! suspending, resuming and ending contracts and changing their seats, never leaving a
//! gated role with more holders than seats.

use super::context::{Ctx, Out, done};
use crate::core::policy;
use crate::core::wording::count;

use crate::core::command::Command;
use crate::core::error::*;
use crate::core::event::Event;
use crate::core::ids::*;
use crate::core::model::*;
use crate::core::validate;

/// Decides one command of this family (`decide` routes only these here).
pub(super) fn run(cx: &mut Ctx<'_>, cmd: &Command) -> Out {
    use Command::*;
    match cmd {
        CreateContract {
            org,
            product,
            start,
            end,
            seats,
        } => {
            cx.org(*org)?;
            operator_only(cx)?;
            let product = validate::line("product", product, 40, true)?;
            if end.is_some_and(|e| e <= *start) {
                return invalid("a contract must end after it starts");
            }
            let contract = Contract {
                id: ContractId(cx.ids.next()),
                org: *org,
                product,
                status: ContractStatus::Active,
                start: *start,
                end: *end,
                seats: *seats,
                version: 1,
            };
            let created = Event::ContractCreated { contract };
            seats_hold_after(cx, *org, &created)?;
            done(*org, vec![created])
        }
        SuspendContract { contract } => {
            let c = cx.contract(*contract)?;
            operator_only(cx)?;
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
            seats_hold_after(cx, c.org, &change)?;
            done(c.org, vec![change])
        }
        ResumeContract { contract } => {
            let c = cx.contract(*contract)?;
            operator_only(cx)?;
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
            seats_hold_after(cx, c.org, &change)?;
            done(c.org, vec![change])
        }
        EndContract { contract } => {
            let c = cx.contract(*contract)?;
            operator_only(cx)?;
            if c.status == ContractStatus::Ended {
                return conflict(format!("contract {} has already ended", c.id));
            }
            let change = Event::ContractStatusChanged {
                contract: c.id,
                status: ContractStatus::Ended,
            };
            seats_hold_after(cx, c.org, &change)?;
            done(c.org, vec![change])
        }
        ChangeSeats { contract, seats } => {
            let c = cx.contract(*contract)?;
            operator_only(cx)?;
            if c.seats == *seats {
                return conflict("nothing to change");
            }
            for r in cx.dir.roles_of(c.org).filter(|r| {
                r.gate
                    .as_deref()
                    .is_some_and(|g| g.eq_ignore_ascii_case(&c.product))
            }) {
                let held = policy::holders(cx.dir, r, cx.now).len();
                if held > *seats as usize {
                    return conflict(format!(
                        "{} is held by {}: revoke it from {} of them before lowering the seats to {seats}",
                        r.name,
                        count(held as u64, "account"),
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
        _ => unreachable!("{} is not a contract command", cmd.verb()),
    }
}

fn operator_only(cx: &Ctx<'_>) -> Decision<()> {
    if cx.actor.is_operator() {
        Ok(())
    } else {
        forbidden("only the platform operator manages contracts: contact support")
    }
}

/// Invariant 7 across contract changes: after `change`, every gated role of `org`
/// whose product is in force must still have a seat for each holder. A contract that
/// stops being in force altogether is fine (the role then confers nothing); one that
/// leaves a smaller contract in force, or starts with too few seats, is not.
fn seats_hold_after(cx: &Ctx<'_>, org: OrgId, change: &Event) -> Decision<()> {
    let mut after = cx.dir.clone();
    after.apply_event(change, cx.now);
    for r in after.roles_of(org) {
        let Some(product) = &r.gate else { continue };
        if policy::seat_capacity(&after, org, product).is_none() {
            continue;
        }
        let held = policy::holders(&after, r, cx.now).len();
        let seats = policy::product_seats(&after, org, product, cx.now) as usize;
        if held > seats {
            return conflict(format!(
                "{} is held by {} but only {} of {product} would remain: revoke it from {} of them first or keep more seats",
                r.name,
                count(held as u64, "account"),
                count(seats as u64, "seat"),
                held - seats
            ));
        }
    }
    Ok(())
}
