//! What a person can do about a failed change, in terms of the peering and networks involved.

use crate::http::ApiError;
use crate::model::ConnectionKey;
use crate::plan::Change;
use crate::plan::NetworkNames;
use crate::upcloud::wire::codes;

use super::ChangeError;

/// What to do about an Aiven half that failed, or an UpCloud half that could not follow it.
pub(super) fn for_aiven_error(error: &ChangeError, key: &ConnectionKey) -> Option<String> {
    let vpc = &key.vpc;
    let api = match error {
        ChangeError::Api(api) => api,
        ChangeError::NoAivenClient => {
            return Some(
                "set the variable the file's [aiven] table names (AIVEN_TOKEN by default) to an \
                 Aiven API token, then run apply again"
                    .to_owned(),
            );
        }
        ChangeError::AivenNotBuilt { .. } => {
            return Some(format!(
                "look at the peering connection of VPC {} in project {} in the Aiven console: \
                 `peerings check` explains its state; once Aiven shows it PENDING_PEER, run \
                 apply again",
                vpc.vpc, vpc.project
            ));
        }
        ChangeError::AivenNotBuiltInTime { .. } => {
            return Some(
                "Aiven usually builds its half within minutes: run apply again later, or give \
                 it longer with --wait-timeout"
                    .to_owned(),
            );
        }
        ChangeError::AivenRead(_) => {
            return Some("run apply again: what was done is kept".to_owned());
        }
        ChangeError::ConnectionNotCreated => {
            return Some("run plan to see what the VPC holds, then apply again".to_owned());
        }
        _ => return None,
    };
    let advice = match (api, api.status()) {
        (ApiError::Transport { .. }, _) => {
            "check the network connection and Aiven's API root ([aiven] api_url, or \
             AIVEN_API_URL), then run apply again; changes that finished are kept"
                .to_owned()
        }
        (_, Some(401)) => "Aiven refused the token: check the variable the file's [aiven] \
                           table names (AIVEN_TOKEN by default)"
            .to_owned(),
        (_, Some(403)) => format!(
            "the Aiven token may not act on project {}: use the token of a user with access to \
             it",
            vpc.project
        ),
        (_, Some(404)) => format!(
            "Aiven has no VPC {} in project {}: check `project` and `vpc` in the file",
            vpc.vpc, vpc.project
        ),
        _ => return None,
    };
    Some(advice)
}

pub(super) fn for_error(
    error: &ChangeError,
    change: &Change,
    names: &NetworkNames,
) -> Option<String> {
    match error {
        ChangeError::Api(error) => for_api_error(error, change, names),
        // Not failures: an interrupted change is reported as such, without advice.
        ChangeError::NoClient(_) | ChangeError::InterruptedAfterDisable { .. } => None,
        ChangeError::NotCreated { .. } => {
            Some("run plan to see what the account holds, then apply again".to_owned())
        }
        ChangeError::NoAivenClient
        | ChangeError::ConnectionNotCreated
        | ChangeError::InterruptedWaiting
        | ChangeError::AivenRead(_)
        | ChangeError::AivenNotBuilt { .. }
        | ChangeError::AivenNotBuiltInTime { .. }
        | ChangeError::AivenNetworkUnknown { .. }
        | ChangeError::AivenHalfNotCreated
        | ChangeError::UpcloudHalfKept => None,
        ChangeError::TakenOverAfterDisable { .. } => Some(
            "it is the other file's now: its next apply sets the configured_status that file \
             asks for; if this file should own it instead, list it here and remove it from that \
             file"
                .to_owned(),
        ),
        ChangeError::NotDisabledInTime { .. } => Some(
            "run apply again later to finish the delete, or give it longer with --wait-timeout"
                .to_owned(),
        ),
    }
}

fn for_api_error(error: &ApiError, change: &Change, names: &NetworkNames) -> Option<String> {
    let network = names.describe(change.key.network);
    let peer_network = names.describe(change.key.peer_network);
    match error {
        ApiError::Transport { .. } => {
            return Some(
                "check the network connection and --api-url, then run apply again; changes that \
                 finished are kept"
                    .to_owned(),
            );
        }
        ApiError::Redirected { .. } => {
            return Some(
                "--api-url must be the API's own root (https://api.upcloud.com), not an address \
                 that redirects; run plan to see what the account holds"
                    .to_owned(),
            );
        }
        _ => {}
    }
    let advice = match (error.status(), error.code()) {
        (_, Some(codes::LOCAL_NETWORK_NO_ROUTER)) => {
            format!("attach a router to network {network}, then run apply again")
        }
        (_, Some(codes::NETWORK_NOT_FOUND)) => format!(
            "network {network} is not in the account these credentials belong to: check \
             `network` in the file, or use the credentials of the account that owns it"
        ),
        (_, Some(codes::PEER_NETWORK_NOT_FOUND)) => format!(
            "peer network {peer_network} does not exist: check `peer_network` in the file; for \
             Aiven, it is the Aiven network ID the Aiven console shows once the peering \
             connection is PENDING_PEER"
        ),
        (_, Some(codes::PEERING_NOT_FOUND)) => {
            "the peering was deleted after the plan was made: run plan again".to_owned()
        }
        (_, Some(codes::PEERING_NOT_DISABLED)) => {
            "the peering did not become deletable in time: run apply again later, or give it \
             longer with --wait-timeout"
                .to_owned()
        }
        (Some(401), _) | (_, Some(codes::AUTHENTICATION_FAILED)) => {
            "the API refused the credentials: check UPCLOUD_TOKEN, or UPCLOUD_USERNAME and \
             UPCLOUD_PASSWORD"
                .to_owned()
        }
        (Some(403), _) => {
            "the API user may not manage network peerings: grant it that permission in the \
             UpCloud control panel"
                .to_owned()
        }
        _ => return None,
    };
    Some(advice)
}
