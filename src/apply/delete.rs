//! Deleting a peering the way the API requires: only a `disabled` peering can be deleted, so
//! disable it, wait until the platform reports it disabled, then delete. A 404 at any step means
//! someone else deleted it meanwhile: converged, not failed.
//!
//! The plan that decided the delete may be minutes old (a person read it at the prompt, earlier
//! deletes waited for `disabled`), and another file may have taken the peering over since. So the
//! peering is read again first, and touched only while it is still the file's; each look while
//! waiting checks again. Between that read and the disable, a change by someone else can still
//! slip through: the API has no conditional requests.

use tokio::time::Instant;

use crate::http::ApiError;
use crate::model::{ConfiguredStatus, Peering, PeeringPatch, PeeringState};
use crate::plan::{FileOwner, Ownership};
use crate::stop::StopSignal;
use crate::upcloud::{Client, wire::codes};

use super::{ApplyOptions, ChangeError, Outcome};

/// Deletes `peering`, as the plan saw it, unless it is no longer the file's. Stops at its next
/// wait when `stop` is requested: before the disable, nothing happened; after it, the peering is
/// disabled and still there, which the error says.
pub(super) async fn disable_then_delete(
    client: &Client,
    peering: &Peering,
    options: &ApplyOptions,
    stop: &StopSignal,
) -> Result<Outcome, ChangeError> {
    let owner = FileOwner::of_owned(peering);
    let deadline = Instant::now() + options.wait_timeout;
    let gone = |error: &ApiError| error.is_not_found();
    let interrupted_after_disable = || ChangeError::InterruptedAfterDisable {
        name: peering.name.clone(),
    };
    let pause = || async {
        stop.sleep(options.poll_interval)
            .await
            .map_err(|_| interrupted_after_disable())
    };

    let now = match client.get_peering(peering.id, &peering.name).await {
        Ok(now) => now,
        Err(error) if gone(&error) => return Ok(Outcome::AlreadyGone),
        Err(error) => return Err(error.into()),
    };
    match owner.ownership_of(&now) {
        Ownership::Owned => {}
        elsewhere => return Ok(Outcome::LeftAlone(elsewhere)),
    }

    let mut state = now.state;
    if now.configured_status != ConfiguredStatus::Disabled {
        let disable = PeeringPatch {
            configured_status: Some(ConfiguredStatus::Disabled),
            ..PeeringPatch::default()
        };
        match client
            .modify_peering(peering.id, &peering.name, &disable)
            .await
        {
            Ok(disabled) => state = disabled.state,
            Err(error) if gone(&error) => return Ok(Outcome::AlreadyGone),
            Err(error) => return Err(error.into()),
        }
    }

    while state != PeeringState::Disabled {
        if Instant::now() >= deadline {
            return Err(not_disabled_in_time(peering, &state, options));
        }
        pause().await?;
        match client.get_peering(peering.id, &peering.name).await {
            Ok(current) => match owner.ownership_of(&current) {
                Ownership::Owned => state = current.state,
                elsewhere => {
                    return Err(ChangeError::TakenOverAfterDisable {
                        name: peering.name.clone(),
                        ownership: elsewhere,
                        status: current.configured_status,
                    });
                }
            },
            Err(error) if gone(&error) => return Ok(Outcome::AlreadyGone),
            Err(error) if error.is_interrupted() => return Err(interrupted_after_disable()),
            Err(error) => return Err(error.into()),
        }
    }

    loop {
        match client.delete_peering(peering.id, &peering.name).await {
            Ok(()) => return Ok(Outcome::Deleted),
            Err(error) if gone(&error) => return Ok(Outcome::AlreadyGone),
            Err(error) if error.is_interrupted() => return Err(interrupted_after_disable()),
            // The platform may report `disabled` a moment before it accepts the delete.
            Err(error) if error.code() == Some(codes::PEERING_NOT_DISABLED) => {
                if Instant::now() >= deadline {
                    return Err(error.into());
                }
                pause().await?;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

fn not_disabled_in_time(
    peering: &Peering,
    state: &PeeringState,
    options: &ApplyOptions,
) -> ChangeError {
    ChangeError::NotDisabledInTime {
        name: peering.name.clone(),
        state: state.to_string(),
        waited: options.wait_timeout,
    }
}
