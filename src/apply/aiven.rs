//! The Aiven half of apply: creating and deleting peering connections, and, before an UpCloud
//! half can be created, waiting until Aiven has built its own half and shows the Aiven network
//! ID. Every connection waiting on one VPC shares its reads: one request per VPC per round.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use futures::FutureExt;
use futures::future::{LocalBoxFuture, Shared};
use tokio::time::Instant;

use crate::aiven::{AivenClient, Created};
use crate::http::ApiError;
use crate::model::{AivenConnection, AivenVpc, ConnectionKey, ConnectionState, VpcRef};
use crate::plan::AivenChange;
use crate::stop::StopSignal;

use super::{ApplyOptions, ChangeError, Outcome};

/// One read of a VPC, shared by everyone waiting on that VPC in its round.
type Read<'a> = Shared<LocalBoxFuture<'a, Result<Rc<AivenVpc>, Rc<ApiError>>>>;

struct Round<'a> {
    number: u64,
    read: Read<'a>,
}

/// The rounds of reads of each VPC that connections wait on.
pub(super) struct VpcRounds<'a> {
    client: &'a AivenClient,
    interval: Duration,
    stop: &'a StopSignal,
    /// Borrowed only between awaits: the applier's futures all run on one task.
    rounds: RefCell<HashMap<VpcRef, Round<'a>>>,
}

impl<'a> VpcRounds<'a> {
    pub(super) fn new(client: &'a AivenClient, interval: Duration, stop: &'a StopSignal) -> Self {
        VpcRounds {
            client,
            interval,
            stop,
            rounds: RefCell::new(HashMap::new()),
        }
    }

    /// The number of the latest round of `vpc`'s reads, 0 before the first.
    fn latest(&self, vpc: &VpcRef) -> u64 {
        self.rounds
            .borrow()
            .get(vpc)
            .map_or(0, |round| round.number)
    }

    /// A round of `vpc` later than `seen`: the one under way if it is, else a new one, which
    /// reads at once when it is the first, and after `interval` otherwise.
    fn after(&self, vpc: &VpcRef, seen: u64) -> (u64, Read<'a>) {
        let mut rounds = self.rounds.borrow_mut();
        if let Some(round) = rounds.get(vpc).filter(|round| round.number > seen) {
            return (round.number, round.read.clone());
        }
        let number = rounds.get(vpc).map_or(0, |round| round.number).max(seen) + 1;
        let (client, stop, interval, at) = (self.client, self.stop, self.interval, vpc.clone());
        let read = async move {
            if number > 1 && stop.sleep(interval).await.is_err() {
                return Err(Rc::new(ApiError::Interrupted {
                    operation: format!("read Aiven VPC {at}"),
                    attempts: 0,
                    last_failure: None,
                }));
            }
            client.get_vpc(&at).await.map(Rc::new).map_err(Rc::new)
        }
        .boxed_local()
        .shared();
        rounds.insert(
            vpc.clone(),
            Round {
                number,
                read: read.clone(),
            },
        );
        (number, read)
    }

    /// Waits until Aiven has built its half of `key` (`PENDING_PEER` or later), reading its VPC
    /// in rounds shared with every other connection of the VPC, for at most
    /// `options.wait_timeout`. Only reads made after the call count.
    pub(super) async fn until_built(
        &self,
        key: &ConnectionKey,
        options: &ApplyOptions,
    ) -> Result<AivenConnection, ChangeError> {
        let deadline = Instant::now() + options.wait_timeout;
        let mut seen = self.latest(&key.vpc);
        loop {
            let (number, read) = self.after(&key.vpc, seen);
            seen = number;
            let vpc = match read.await {
                Ok(vpc) => vpc,
                Err(error) if error.is_interrupted() => {
                    return Err(ChangeError::InterruptedWaiting);
                }
                Err(error) => return Err(ChangeError::AivenRead(error.to_string())),
            };
            let connection = vpc.connection_to(key.network);
            match connection {
                Some(built)
                    if matches!(
                        built.state,
                        ConnectionState::PendingPeer | ConnectionState::Active
                    ) =>
                {
                    return Ok(built.clone());
                }
                Some(refused) if !refused.state.is_before_pending_peer() => {
                    return Err(ChangeError::AivenNotBuilt {
                        state: refused.state.clone(),
                        message: refused.message.clone(),
                    });
                }
                // `APPROVED`, or not listed (yet): a create answered but not shown yet is
                // waited for like `APPROVED`.
                _ => {}
            }
            if Instant::now() >= deadline {
                return Err(ChangeError::AivenNotBuiltInTime {
                    state: connection.map(|c| c.state.clone()),
                    waited: options.wait_timeout,
                });
            }
            if self.stop.is_requested() {
                return Err(ChangeError::InterruptedWaiting);
            }
        }
    }
}

/// Creates the connection; one that Aiven has already is converged, not created again. An
/// answer that does not show the connection is checked against the VPC, as an UpCloud create's
/// is against the account: only a connection seen is reported created.
pub(super) async fn create(
    client: &AivenClient,
    change: &AivenChange,
) -> Result<Outcome, ChangeError> {
    match client.create_connection(&change.key).await? {
        Created::New(Some(answered)) => Ok(Outcome::ConnectionCreated(answered)),
        Created::New(None) => {
            let vpc = client.get_vpc(&change.key.vpc).await?;
            match vpc.connection_to(change.key.network) {
                Some(found) => Ok(Outcome::ConnectionCreated(found.clone())),
                None => Err(ChangeError::ConnectionNotCreated),
            }
        }
        Created::AlreadyThere(_) => Ok(Outcome::AlreadyExists),
    }
}

/// Deletes the connection; Aiven then removes its own UpCloud half. One already gone is
/// converged.
pub(super) async fn delete(
    client: &AivenClient,
    change: &AivenChange,
) -> Result<Outcome, ChangeError> {
    match client.delete_connection(&change.key).await {
        Ok(answered) => Ok(Outcome::ConnectionDeleted(answered)),
        Err(error) if error.is_not_found() => Ok(Outcome::AlreadyGone),
        Err(error) => Err(error.into()),
    }
}
