//! Between Aiven's wire format and the program's own types. Answers are untrusted: a VPC that
//! does not fit is a clear [`ApiError::Malformed`], never a panic.

use crate::http::ApiError;
use crate::model::{
    AivenConnection, AivenVpc, ConnectionKey, ConnectionState, ConnectionWarning, NetworkId,
    VpcRef, VpcState,
};

use super::wire;

pub(super) fn vpc(operation: &str, at: &VpcRef, vpc: wire::Vpc) -> Result<AivenVpc, ApiError> {
    let answered = vpc.project_vpc_id.parse().ok();
    if answered != Some(at.vpc) {
        return Err(ApiError::Malformed {
            operation: operation.to_owned(),
            detail: format!(
                "asked for VPC {}, answered VPC {:?}",
                at.vpc, vpc.project_vpc_id
            ),
        });
    }
    Ok(AivenVpc {
        at: at.clone(),
        network_cidr: vpc.network_cidr.and_then(|cidr| cidr.parse().ok()),
        state: VpcState::from_api(&vpc.state),
        connections: vpc
            .peering_connections
            .into_iter()
            .filter_map(|connection| self::connection(at, connection))
            .collect(),
        cloud_name: vpc.cloud_name,
    })
}

/// A connection towards an UpCloud network; `None` for one towards another cloud, or whose
/// `peer_vpc` is not a network UUID, which cannot be one of the file's.
pub(super) fn connection(
    at: &VpcRef,
    connection: wire::PeeringConnection,
) -> Option<AivenConnection> {
    if connection.peer_cloud_account != wire::UPCLOUD {
        return None;
    }
    let network: NetworkId = connection.peer_vpc.parse().ok()?;
    let aiven_network = wire::aiven_network_id(&connection.state_info, &connection.peer_vpc)
        .map(NetworkId)
        .filter(|id| *id != network);
    let info = connection.state_info;
    Some(AivenConnection {
        key: ConnectionKey {
            vpc: at.clone(),
            network,
        },
        state: ConnectionState::from_api(&connection.state),
        aiven_network,
        message: info.message.filter(|message| !message.trim().is_empty()),
        warnings: info
            .warnings
            .into_iter()
            .map(|warning| ConnectionWarning {
                kind: warning.kind,
                message: warning.message,
            })
            .collect(),
    })
}

pub(super) fn create_request(key: &ConnectionKey) -> wire::CreatePeeringConnection {
    wire::CreatePeeringConnection {
        peer_cloud_account: wire::UPCLOUD.to_owned(),
        peer_vpc: key.network.to_string(),
        peer_region: None,
    }
}

/// The error code (an `error_code` of the `errors` list, if any) and the message of an error
/// answer; anything else by a short excerpt.
pub(super) fn decode_error_body(body: &[u8]) -> (Option<String>, String) {
    match serde_json::from_slice::<wire::ErrorBody>(body) {
        Ok(error) => {
            let code = error.errors.into_iter().find_map(|item| item.error_code);
            (code, error.message)
        }
        Err(_) => (None, crate::http::excerpt(body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_error_body_and_anything_else() {
        let body = br#"{"message": "Project does not exist", "errors": [{"message": "Project does not exist", "status": 404}]}"#;
        assert_eq!(
            decode_error_body(body),
            (None, "Project does not exist".into())
        );
        let coded = br#"{"message": "m", "errors": [{"message": "m", "status": 409, "error_code": "conflict"}]}"#;
        assert_eq!(
            decode_error_body(coded),
            (Some("conflict".into()), "m".into())
        );
        assert_eq!(
            decode_error_body(b"<html>502</html>"),
            (None, "<html>502</html>".into())
        );
    }
}
