//! `[aiven]`, how to reach Aiven's API, and `[[aiven_peering]]`: a peering of an Aiven project
//! VPC with a network of the file's accounts, both halves in one table.

use std::collections::HashMap;
use std::ops::Range;

use super::accounts::{UrlOwner, read_api_url, read_env_var, reject_secrets};
use super::desired::{AivenSpec, DesiredAivenPeering};
use super::labels::read_labels;
use super::networks::{looks_like_uuid, resolve, uuid_trouble};
use super::peerings::{
    AccountOf, Context, Draft, check_not_self_peered, missing, peering_account, read_name,
    read_status,
};
use super::problems::Problem;
use super::reader::{At, Field, Fields, show_char};
use crate::aiven::{DEFAULT_API_URL, TOKEN_VAR};
use crate::model::{ConfiguredStatus, Labels, NetworkId, VpcId, VpcRef};

const AIVEN_HELP: &str = "write `[aiven]` on a line of its own, followed by its keys (all optional), such as `token_env = \"AIVEN_TOKEN\"`";
const NAME_HELP: &str = "the name of the UpCloud half of the peering, 1 to 255 characters in quotes, e.g. `name = \"app-hel1 to aiven\"`";
const PROJECT_HELP: &str =
    "the name of the Aiven project the VPC belongs to, in quotes, e.g. `project = \"my-project\"`";
const VPC_HELP: &str =
    "the project VPC's ID, a UUID in quotes: the Aiven console shows it on the project's VPC page";

/// Keys that would put Aiven's token in the file: all of them name `token_env` instead.
const SECRET_KEYS: [(&str, &str, &str); 5] = [
    ("token", "token_env", "token"),
    ("api_token", "token_env", "token"),
    ("auth_token", "token_env", "token"),
    ("secret", "token_env", "token"),
    ("password", "token_env", "token"),
];

/// The keys of an `[[aiven_peering]]` that a `[[peering]]` does not have, for spotting them at
/// the top level.
pub(super) const AIVEN_PEERING_KEYS: [&str; 3] = ["project", "vpc", "aiven_network"];

/// The `[aiven]` table; `None` when it has a problem (reported).
pub(super) fn read_aiven(field: Field, problems: &mut Vec<Problem>) -> Option<AivenSpec> {
    let table = field.table(AIVEN_HELP, problems)?;
    let mut fields = Fields::new(table, "in `[aiven]`");
    let token_env = fields.get("token_env");
    let api_url = fields.get("api_url");
    let secret_given = reject_secrets(
        &mut fields,
        &SECRET_KEYS,
        |_| TOKEN_VAR.to_owned(),
        problems,
    );
    fields.finish(problems);
    let token_env = match token_env {
        None => Some(TOKEN_VAR.to_owned()),
        Some(field) => read_env_var(field, true, TOKEN_VAR, problems).map(str::to_owned),
    };
    let api_url = match api_url {
        None => Some(None),
        Some(field) => {
            let owner = UrlOwner {
                whose: "in `[aiven]`",
                root: DEFAULT_API_URL,
                credentials: "put the token in an environment variable and name it with `token_env`",
            };
            read_api_url(field, &owner, problems).map(Some)
        }
    };
    if secret_given {
        return None;
    }
    Some(AivenSpec {
        token_env: token_env?,
        api_url: api_url?,
    })
}

/// An `[[aiven_peering]]`, as far as it is valid.
pub(super) struct AivenDraft<'a> {
    /// The `[[aiven_peering]]` header.
    pub span: Range<usize>,
    pub name: Option<At<String>>,
    project: Option<At<String>>,
    vpc: Option<At<VpcId>>,
    network: Option<At<NetworkId>>,
    /// `Some(None)`: not given, to be discovered; `None`: given but wrong (reported).
    aiven_network: Option<Option<At<NetworkId>>>,
    /// How the file writes `network` and `aiven_network`, for messages.
    written: (String, String),
    account: AccountOf<'a>,
    configured_status: Option<ConfiguredStatus>,
    labels: Option<Labels>,
}

impl<'a> AivenDraft<'a> {
    /// Its UpCloud half, when its peer (the Aiven network ID) is in the file: for the checks
    /// every peering of an account must pass together.
    pub fn upcloud_half(&self) -> Option<Draft<'a>> {
        let peer = self.aiven_network.clone().flatten()?;
        Some(Draft {
            span: self.span.clone(),
            order: self.span.start,
            name: self.name.clone(),
            network: self.network.clone(),
            peer_network: Some(peer),
            written: self.written.clone(),
            account: self.account,
            link: None,
            configured_status: self.configured_status,
            labels: self.labels.clone(),
        })
    }

    /// The peering, if all of it is valid.
    pub fn finish(&self) -> Option<DesiredAivenPeering> {
        Some(DesiredAivenPeering {
            name: self.name.as_ref()?.value.clone(),
            vpc: VpcRef {
                project: self.project.as_ref()?.value.clone(),
                vpc: self.vpc.as_ref()?.value,
            },
            network: self.network.as_ref()?.value,
            aiven_network: self.aiven_network.clone()?.map(|at| at.value),
            account: self.account?.map(str::to_owned),
            configured_status: self.configured_status?,
            labels: self.labels.clone()?,
        })
    }
}

pub(super) fn read_aiven_peering<'a>(
    table: &'a toml::de::DeTable<'a>,
    span: Range<usize>,
    context: &Context<'a, '_>,
    problems: &mut Vec<Problem>,
) -> AivenDraft<'a> {
    let mut fields = Fields::new(table, "in `[[aiven_peering]]`");
    let name = fields.get("name");
    let project = fields.get("project");
    let vpc = fields.get("vpc");
    let network = fields.get("network");
    let aiven_network = fields.get("aiven_network");
    let account = fields.get("account");
    let configured_status = fields.get("configured_status");
    let labels = fields.get("labels");
    fields.finish_with_hint(problems, |key| {
        (key == "peer_network").then(|| {
            "the peer of an Aiven peering is the VPC's network, the \"Aiven network ID\": write it as `aiven_network`, or leave it out to have it discovered".to_owned()
        })
    });

    let required = [
        (&name, "name", NAME_HELP),
        (&project, "project", PROJECT_HELP),
        (&vpc, "vpc", VPC_HELP),
        (
            &network,
            "network",
            "add `network = \"<alias or UUID>\"`: the network of yours that is peered with the VPC",
        ),
    ];
    for (field, key, help) in required {
        if field.is_none() {
            problems.push(missing(&span, "Aiven peering", key, help));
        }
    }

    let account = peering_account(account, &span, "Aiven peering", context, problems);
    let viewpoint = context.viewpoint(account);
    let written = |field: &Option<Field<'a, '_>>| {
        field
            .and_then(|f| f.value.get_ref().as_str())
            .unwrap_or("")
            .to_owned()
    };
    let draft = AivenDraft {
        span: span.clone(),
        name: name.and_then(|f| read_name(f, NAME_HELP, "Aiven peering", problems)),
        project: project.and_then(|f| read_project(f, problems)),
        vpc: vpc.and_then(|f| read_vpc(f, problems)),
        written: (written(&network), written(&aiven_network)),
        network: network.and_then(|f| resolve(f, context.aliases, viewpoint, problems)),
        aiven_network: match aiven_network {
            None => Some(None),
            Some(f) => resolve(f, context.aliases, viewpoint, problems).map(Some),
        },
        account,
        configured_status: configured_status.map_or(Some(ConfiguredStatus::default()), |f| {
            read_status(f, problems)
        }),
        labels: labels.map_or(Some(Labels::new()), |f| read_labels(f, problems)),
    };
    check_not_self_peered(
        &draft.network,
        &draft.aiven_network.clone().flatten(),
        "an Aiven peering cannot connect a network to itself",
        ("`network`", "the local network"),
        "`aiven_network` is the network of the Aiven project VPC, the \"Aiven network ID\"; leave it out to have it discovered",
        problems,
    );
    draft
}

/// An Aiven project's name: one segment of the API's paths.
fn read_project(field: Field, problems: &mut Vec<Problem>) -> Option<At<String>> {
    let project = field.string(PROJECT_HELP, problems)?;
    let trouble = if project.is_empty() {
        Some("empty".to_owned())
    } else {
        project
            .chars()
            .find(|c| c.is_whitespace() || c.is_control() || *c == '/')
            .map(|bad| format!("{} is not allowed in a project name", show_char(bad)))
    };
    if let Some(trouble) = trouble {
        problems.push(
            Problem::new("invalid Aiven project name", field.value_span(), trouble)
                .help(PROJECT_HELP),
        );
        return None;
    }
    Some(At {
        value: project.to_owned(),
        span: field.value_span(),
    })
}

fn read_vpc(field: Field, problems: &mut Vec<Problem>) -> Option<At<VpcId>> {
    let text = field.string(VPC_HELP, problems)?;
    match text.parse() {
        Ok(vpc) => Some(At {
            value: vpc,
            span: field.value_span(),
        }),
        Err(_) => {
            let trouble = if looks_like_uuid(text) {
                uuid_trouble(text)
            } else {
                "not a UUID".to_owned()
            };
            problems.push(
                Problem::new("malformed UUID in `vpc`", field.value_span(), trouble).help(VPC_HELP),
            );
            None
        }
    }
}

/// A VPC has one connection per UpCloud network, so the file may peer a network with a VPC once.
pub(super) fn check_unique_connections(drafts: &[AivenDraft], problems: &mut Vec<Problem>) {
    let mut first: HashMap<(&str, VpcId, NetworkId), &Range<usize>> = HashMap::new();
    for draft in drafts {
        let (Some(project), Some(vpc), Some(network)) =
            (&draft.project, &draft.vpc, &draft.network)
        else {
            continue;
        };
        let key = (project.value.as_str(), vpc.value, network.value);
        match first.get(&key) {
            Some(earlier) => problems.push(
                Problem::new(
                    format!(
                        "two Aiven peerings connect `{}` to VPC {} of project `{}`",
                        draft.written.0, vpc.value, project.value
                    ),
                    draft.span.clone(),
                    "the second Aiven peering",
                )
                .also((*earlier).clone(), "the first Aiven peering")
                .help("an Aiven project VPC has one peering connection per UpCloud network; remove one of the two"),
            ),
            None => {
                first.insert(key, &draft.span);
            }
        }
    }
}

/// `[[aiven_peering]]` needs `[aiven]`, which says how to reach Aiven and that the file manages
/// Aiven connections.
pub(super) fn check_aiven_table(
    drafts: &[AivenDraft],
    has_aiven: bool,
    problems: &mut Vec<Problem>,
) {
    let Some(first) = drafts.first() else {
        return;
    };
    if has_aiven {
        return;
    }
    problems.push(
        Problem::new(
            "the file has `[[aiven_peering]]` but no `[aiven]` table",
            first.span.clone(),
            "an Aiven peering",
        )
        .help(format!(
            "add `[aiven]` on a line of its own; its keys are optional: `token_env` names the variable holding Aiven's token (default {TOKEN_VAR}), `api_url` the API's root (default {DEFAULT_API_URL})"
        )),
    );
}
