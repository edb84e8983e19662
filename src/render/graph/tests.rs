//! The diagram on in-memory worlds: how pairs, states, the plan and the accounts are drawn, and
//! that no name, however hostile, breaks either language (both renderings parsed back, by a real
//! DOT parser and by a parser of Mermaid's flowchart rules).

use std::collections::BTreeMap;

use proptest::prelude::*;
use uuid::Uuid;

use super::label::{MAX_LINE_CHARS, label_line};
use super::*;
use crate::config::{DesiredAivenPeering, DesiredPeering};
use crate::model::{
    AIVEN_PROJECT_KEY, AIVEN_VPC_KEY, AivenConnection, AivenVpc, ConfiguredStatus, ConnectionKey,
    ConnectionState, ConnectionWarning, Labels, MANAGED_BY_KEY, MANAGED_BY_VALUE, Network,
    OWNER_KEY, Peering, PeeringId, PeeringKey, PeeringState, VpcId, VpcState,
};
use crate::plan::{VpcSeen, plan_accounts};

#[path = "../../../tests/common/diagrams.rs"]
mod diagrams;

use diagrams::{Diagram, DiagramEdge, DiagramNode, parse_dot, parse_mermaid};

/// Network `n`, whose UUID starts `100000nn`, as its short form shows.
fn net(n: u128) -> NetworkId {
    NetworkId(Uuid::from_u128((0x1000_0000 + n) << 96))
}

fn key(network: u128, peer: u128) -> PeeringKey {
    PeeringKey {
        network: net(network),
        peer_network: net(peer),
    }
}

fn network(n: u128, name: &str) -> Network {
    Network {
        id: net(n),
        name: name.into(),
        kind: NetworkType::Private,
        zone: "fi-hel1".into(),
        router: Some("0448a70f-0014-4e78-beef-870ab332ad9f".into()),
        ranges: vec![format!("10.0.{n}.0/24").parse().expect("a range")],
        servers: vec![],
    }
}

fn wanted(account: &str, name: &str, key: PeeringKey) -> DesiredPeering {
    DesiredPeering {
        name: name.into(),
        key,
        configured_status: ConfiguredStatus::Active,
        labels: Labels::new(),
        account: Some(account.into()),
        link: None,
    }
}

fn existing(
    account: &str,
    n: u128,
    name: &str,
    key: PeeringKey,
    state: &str,
    managed: bool,
) -> Peering {
    let mut labels = Labels::new();
    if managed {
        labels.insert(MANAGED_BY_KEY.into(), MANAGED_BY_VALUE.into());
    }
    Peering {
        account: Some(account.into()),
        id: PeeringId(Uuid::from_u128(0xaaaa_0000 + n)),
        name: name.into(),
        key,
        configured_status: ConfiguredStatus::Active,
        state: PeeringState::from_api(state),
        labels,
    }
}

/// What an account holds: these peerings and networks (and nothing else).
fn holding(peerings: Vec<Peering>, networks: Vec<Network>) -> Observed {
    Observed {
        peerings,
        networks,
        ..Observed::default()
    }
}

/// A file with two accounts, `a` and `b`, and what they hold.
struct World {
    desired: Desired,
    observed: BTreeMap<Option<String>, Observed>,
}

impl World {
    fn new(peerings: Vec<DesiredPeering>, a: Observed, b: Observed) -> World {
        let spec = crate::config::AccountSpec {
            credentials: crate::config::AccountCredentials::Token { env: "T".into() },
            api_url: None,
        };
        World {
            desired: Desired {
                prune: true,
                peerings,
                accounts: BTreeMap::from([("a".into(), spec.clone()), ("b".into(), spec)]),
                ..Desired::default()
            },
            observed: BTreeMap::from([(Some("a".into()), a), (Some("b".into()), b)]),
        }
    }

    fn graph(&self, view: View) -> Graph {
        let plan = Plan::merge(plan_accounts(&self.desired, &self.observed));
        let names = NetworkNames::across(&self.desired, self.observed.values());
        Graph::build(view, &plan, &self.observed, &self.desired, &names)
    }
}

/// Networks 1 and 2 in account `a`, 3 in `b`; network 9 in no account read.
fn two_accounts(peerings: Vec<DesiredPeering>, in_a: Vec<Peering>, in_b: Vec<Peering>) -> World {
    World::new(
        peerings,
        holding(in_a, vec![network(1, "app"), network(2, "backend")]),
        holding(in_b, vec![network(3, "shared")]),
    )
}

/// Project VPC `n` of `project`, in fi-hel1.
fn vpc_ref(project: &str, n: u128) -> VpcRef {
    VpcRef {
        project: project.into(),
        vpc: VpcId(Uuid::from_u128((0x7000_0000 + n) << 96)),
    }
}

/// An `[[aiven_peering]]` named `name` of network `network` (in account `a`) with `vpc`.
fn wanted_aiven(name: &str, vpc: &VpcRef, network: u128) -> DesiredAivenPeering {
    DesiredAivenPeering {
        name: name.into(),
        vpc: vpc.clone(),
        network: net(network),
        aiven_network: None,
        account: Some("a".into()),
        configured_status: ConfiguredStatus::Active,
        labels: Labels::new(),
    }
}

/// The VPC `at`, found, in `cloud`, its range 172.16.n.0/24, with connections to these networks
/// in these states; each shows network `network` as the Aiven network ID once Aiven built its
/// half.
fn vpc_found(
    at: &VpcRef,
    cloud: &str,
    network: u128,
    connections: &[(u128, ConnectionState)],
) -> VpcSeen {
    VpcSeen::Found(AivenVpc {
        at: at.clone(),
        cloud_name: cloud.into(),
        network_cidr: Some(format!("172.16.{network}.0/24").parse().expect("a range")),
        state: VpcState::Active,
        connections: connections
            .iter()
            .map(|(peer, state)| AivenConnection {
                key: ConnectionKey {
                    vpc: at.clone(),
                    network: net(*peer),
                },
                aiven_network: (!state.is_before_pending_peer()).then(|| net(network)),
                state: state.clone(),
                message: None,
                warnings: Vec::new(),
            })
            .collect(),
    })
}

/// The UpCloud half of an `[[aiven_peering]]`, in account `a`, towards `vpc`'s network.
fn upcloud_half(n: u128, name: &str, key: PeeringKey, vpc: &VpcRef, state: &str) -> Peering {
    let mut half = existing("a", n, name, key, state, true);
    half.labels
        .insert(AIVEN_PROJECT_KEY.into(), vpc.project.clone());
    half.labels
        .insert(AIVEN_VPC_KEY.into(), vpc.vpc.to_string());
    half
}

impl World {
    /// The file gains `[aiven]` and these `[[aiven_peering]]` tables; account `a` reads `vpcs`.
    fn with_aiven(
        mut self,
        peerings: Vec<DesiredAivenPeering>,
        vpcs: Vec<(VpcRef, VpcSeen)>,
    ) -> World {
        self.desired.aiven = crate::config::parse("[aiven]\n", "aiven.toml")
            .expect("a file with [aiven] only")
            .aiven;
        assert!(self.desired.aiven.is_some());
        self.desired.aiven_peerings = peerings;
        let a = self.observed.get_mut(&Some("a".into())).expect("account a");
        a.vpcs = vpcs.into_iter().collect();
        self
    }
}

/// The node whose first line is `name`.
fn node_named<'g>(graph: &'g Graph, name: &str) -> &'g Node {
    graph
        .nodes
        .iter()
        .find(|n| n.lines[0] == name)
        .unwrap_or_else(|| panic!("no node {name}: {graph:#?}"))
}

/// The edge between two networks, by their names.
fn edge_between<'g>(graph: &'g Graph, a: &str, b: &str) -> &'g Edge {
    let name = |i: usize| graph.nodes[i].lines[0].as_str();
    graph
        .edges
        .iter()
        .find(|e| {
            let ends = [name(e.from), name(e.to)];
            ends == [a, b] || ends == [b, a]
        })
        .unwrap_or_else(|| panic!("no edge between {a} and {b}: {graph:#?}"))
}

#[test]
fn both_halves_of_a_pair_are_one_edge_and_one_half_points_from_its_side() {
    let world = two_accounts(
        vec![
            wanted("a", "app to shared", key(1, 3)),
            wanted("b", "shared to app", key(3, 1)),
            wanted("a", "backend to outside", key(2, 9)),
            wanted("a", "backend to shared", key(2, 3)),
        ],
        vec![
            existing("a", 1, "app to shared", key(1, 3), "active", true),
            existing(
                "a",
                2,
                "backend to outside",
                key(2, 9),
                "pending-peer",
                true,
            ),
        ],
        vec![
            existing("b", 3, "shared to app", key(3, 1), "active", true),
            existing(
                "b",
                4,
                "shared to backend",
                key(3, 2),
                "pending-peer",
                false,
            ),
        ],
    );
    let graph = world.graph(View::Both);
    assert_eq!(graph.edges.len(), 3, "{graph:#?}");

    let pair = edge_between(&graph, "app", "shared");
    assert_eq!(pair.kind, EdgeKind::Active);
    assert!(!pair.directed && !pair.dashed());
    assert_eq!(pair.lines, ["app to shared", "shared to app"]);

    let pending = edge_between(&graph, "backend", "10000009…");
    assert_eq!(pending.kind, EdgeKind::Pending);
    assert!(pending.directed && pending.dashed());
    assert_eq!(
        graph.nodes[pending.from].lines[0], "backend",
        "from the side that has its half"
    );
    assert_eq!(pending.lines, ["backend to outside", "pending-peer"]);

    // One half waits while the plan creates the other: still from the side that has its half.
    let completed = edge_between(&graph, "backend", "shared");
    assert_eq!(
        completed.lines,
        ["+ backend to shared", "shared to backend", "pending-peer"]
    );
    assert!(completed.directed && completed.dashed(), "{completed:?}");
    assert_eq!(graph.nodes[completed.from].lines[0], "shared");
}

#[test]
fn networks_are_boxed_by_account_and_unseen_ones_are_dashed() {
    let world = two_accounts(
        vec![wanted("a", "to nowhere", key(8, 9))],
        Vec::new(),
        Vec::new(),
    );
    let graph = world.graph(View::Both);
    let titles: Vec<&str> = graph.groups.iter().map(|g| g.title.as_str()).collect();
    assert_eq!(titles, ["account a", "account b"]);
    let placed: Vec<(&str, Option<usize>, bool)> = graph
        .nodes
        .iter()
        .map(|n| (n.lines[0].as_str(), n.group, n.seen))
        .collect();
    assert_eq!(
        placed,
        [
            ("10000008…", Some(0), false),
            ("app", Some(0), true),
            ("backend", Some(0), true),
            ("shared", Some(1), true),
            ("10000009…", None, false),
        ],
        "the file puts network 8 in account a, which does not show it; 9 is nobody's"
    );
    assert_eq!(graph.nodes[1].lines, ["app", "10.0.1.0/24"]);
    assert_eq!(graph.nodes[0].lines[1], "not seen in any account");
}

#[test]
fn every_state_has_its_kind_and_the_gravest_half_wins() {
    let cases = [
        ("active", EdgeKind::Active),
        ("provisioning", EdgeKind::Provisioning),
        ("pending-peer", EdgeKind::Pending),
        ("disabled", EdgeKind::Disabled),
        ("peer-disabled", EdgeKind::Disabled),
        ("conflict-subnet", EdgeKind::NeedsPerson),
        ("missing-local-router", EdgeKind::NeedsPerson),
        ("missing-peer-router", EdgeKind::NeedsPerson),
        ("deleted-peer-network", EdgeKind::NeedsPerson),
        ("error", EdgeKind::NeedsPerson),
        ("half-moon", EdgeKind::NeedsPerson),
    ];
    for (state, kind) in cases {
        let world = two_accounts(
            vec![wanted("a", "p", key(1, 3)), wanted("b", "q", key(3, 1))],
            vec![existing("a", 1, "p", key(1, 3), state, true)],
            vec![existing("b", 2, "q", key(3, 1), "active", true)],
        );
        let graph = world.graph(View::Observed);
        let edge = edge_between(&graph, "app", "shared");
        assert_eq!(edge.kind, kind, "{state}");
        let stated = edge.lines.iter().any(|line| line == state);
        assert_eq!(stated, state != "active", "{state}: {:?}", edge.lines);
        let red = colours(edge).map(|c| c.label) == Some(RED);
        assert_eq!(red, kind == EdgeKind::NeedsPerson, "{state}");
    }
}

#[test]
fn the_plan_is_marked_only_in_the_view_that_shows_it() {
    let world = two_accounts(
        vec![
            wanted("a", "new", key(1, 3)),
            DesiredPeering {
                configured_status: ConfiguredStatus::Disabled,
                ..wanted("a", "renamed", key(2, 3))
            },
        ],
        vec![
            existing("a", 1, "old name", key(2, 3), "active", true),
            existing("a", 2, "gone from the file", key(1, 2), "active", true),
            existing("a", 3, "by hand", key(2, 9), "active", false),
        ],
        Vec::new(),
    );
    let lines = |view: View| -> Vec<Vec<String>> {
        world
            .graph(view)
            .edges
            .iter()
            .map(|e| e.lines.clone())
            .collect()
    };
    assert_eq!(
        lines(View::Both),
        [
            vec!["- gone from the file", "not in the file"],
            vec!["+ new"],
            vec!["~ renamed", "renamed, to disabled"],
            vec!["by hand", "unmanaged"],
        ]
    );
    assert_eq!(
        lines(View::Observed),
        [
            vec!["gone from the file", "not in the file"],
            vec!["old name"],
            vec!["by hand", "unmanaged"],
        ]
    );
    assert_eq!(
        lines(View::Desired),
        [
            vec!["new", "not created yet"],
            vec!["renamed"],
            vec!["by hand", "unmanaged"],
        ]
    );
    let both = world.graph(View::Both);
    let marks: Vec<&[Mark]> = both.edges.iter().map(|e| e.marks.as_slice()).collect();
    assert_eq!(
        marks,
        [&[Mark::Delete][..], &[Mark::Create], &[Mark::Update], &[]]
    );
    let new = edge_between(&both, "app", "shared");
    assert!(
        new.directed && new.dashed(),
        "a create is one side's half, not there yet"
    );
    assert_eq!(colours(new).map(|c| c.line), Some(GREEN));
}

#[test]
fn peerings_of_other_files_are_drawn_and_marked_with_their_owner() {
    let labelled = |mut peering: Peering, owner: &str| {
        peering.labels.insert(OWNER_KEY.into(), owner.into());
        peering
    };
    let mut world = two_accounts(
        vec![wanted("a", "ours", key(1, 3))],
        vec![
            labelled(existing("a", 1, "ours", key(1, 3), "active", true), "us"),
            labelled(
                existing("a", 2, "theirs", key(2, 3), "active", true),
                "them",
            ),
            existing("a", 3, "no owner", key(1, 2), "pending-peer", true),
        ],
        Vec::new(),
    );
    world.desired.owner = Some("us".into());
    let graph = world.graph(View::Both);
    let lines: Vec<&[String]> = graph.edges.iter().map(|e| e.lines.as_slice()).collect();
    assert_eq!(
        lines,
        [
            &["no owner", "pending-peer", "another file: no owner"][..],
            &["ours"],
            &["theirs", "another file: owner them"],
        ]
    );
    assert!(
        graph.edges.iter().all(|e| e.marks.is_empty()),
        "nothing to do"
    );
}

#[test]
fn an_aiven_vpc_found_is_a_box_around_its_network_with_its_range_and_one_not_found_is_dashed() {
    let hel1 = vpc_ref("data", 1);
    let nowhere = vpc_ref("data", 2);
    let world = two_accounts(Vec::new(), Vec::new(), Vec::new()).with_aiven(
        vec![
            wanted_aiven("app to aiven", &hel1, 1),
            wanted_aiven("backend to nowhere", &nowhere, 2),
        ],
        vec![
            (
                hel1.clone(),
                vpc_found(
                    &hel1,
                    "upcloud-fi-hel1",
                    21,
                    &[(1, ConnectionState::Active)],
                ),
            ),
            (
                nowhere.clone(),
                VpcSeen::NotFound {
                    message: "no such VPC".into(),
                },
            ),
        ],
    );
    let graph = world.graph(View::Both);
    let titles: Vec<&str> = graph.groups.iter().map(|g| g.title.as_str()).collect();
    assert_eq!(
        titles,
        ["account a", "account b", "Aiven VPC data upcloud-fi-hel1"],
        "a box per VPC found, after the accounts'"
    );
    let network = node_named(&graph, "10000015…");
    assert_eq!(
        network.key,
        NodeKey::Network(net(21)),
        "the Aiven network ID"
    );
    assert_eq!(network.lines, ["10000015…", "172.16.21.0/24"]);
    assert_eq!((network.group, network.seen), (Some(2), true));

    let missing = node_named(&graph, "Aiven VPC 70000002…");
    assert_eq!(missing.key, NodeKey::Vpc(nowhere), "no network ID known");
    assert_eq!(missing.lines[1], "not found in project data");
    assert_eq!((missing.group, missing.seen), (None, false));

    let created = edge_between(&graph, "backend", "Aiven VPC 70000002…");
    assert_eq!(
        created.lines,
        ["+ backend to nowhere"],
        "both halves, one name"
    );
    assert_eq!(created.marks, [Mark::Create]);
    assert_round_trip(&graph);
}

#[test]
fn a_vpc_whose_network_is_not_known_yet_is_a_node_of_its_own_in_its_box() {
    let hel1 = vpc_ref("data", 1);
    let world = two_accounts(Vec::new(), Vec::new(), Vec::new()).with_aiven(
        vec![wanted_aiven("app to aiven", &hel1, 1)],
        vec![(
            hel1.clone(),
            vpc_found(
                &hel1,
                "upcloud-fi-hel1",
                21,
                &[(1, ConnectionState::Approved)],
            ),
        )],
    );
    let graph = world.graph(View::Both);
    let unknown = node_named(&graph, "network ID not known yet");
    assert_eq!(unknown.key, NodeKey::Vpc(hel1));
    assert_eq!(unknown.group, Some(2));
    let edge = edge_between(&graph, "app", "network ID not known yet");
    assert_eq!(
        edge.lines,
        ["app to aiven (Aiven half)", "+ app to aiven", "APPROVED"],
        "the Aiven half as it is, the UpCloud half the plan creates once Aiven shows the ID"
    );
    assert_eq!(edge.kind, EdgeKind::Provisioning);
}

#[test]
fn every_aiven_state_is_drawn_as_check_judges_it() {
    use ConnectionState as S;
    let cases = [
        (S::Active, EdgeKind::Active),
        (S::Approved, EdgeKind::Provisioning),
        (S::ApprovedPeerRequested, EdgeKind::Provisioning),
        (S::PendingPeer, EdgeKind::Pending),
        (S::Deleting, EdgeKind::NeedsPerson),
        (S::Deleted, EdgeKind::NeedsPerson),
        (S::DeletedByPeer, EdgeKind::NeedsPerson),
        (S::RejectedByPeer, EdgeKind::NeedsPerson),
        (S::InvalidSpecification, EdgeKind::NeedsPerson),
        (S::Error, EdgeKind::NeedsPerson),
        (S::Unknown("SIDEWAYS".into()), EdgeKind::NeedsPerson),
    ];
    let hel1 = vpc_ref("data", 1);
    for (state, kind) in cases {
        let world = two_accounts(Vec::new(), Vec::new(), Vec::new()).with_aiven(
            vec![wanted_aiven("app to aiven", &hel1, 1)],
            vec![(
                hel1.clone(),
                vpc_found(&hel1, "upcloud-fi-hel1", 21, &[(1, state.clone())]),
            )],
        );
        // Observed: the UpCloud half the plan would create is not there.
        let graph = world.graph(View::Observed);
        let ends = match graph.nodes.iter().find(|n| n.lines[0] == "10000015…") {
            Some(_) => ("app", "10000015…"),
            None => ("app", "network ID not known yet"),
        };
        let edge = edge_between(&graph, ends.0, ends.1);
        assert_eq!(edge.kind, kind, "{state}");
        let stated = edge.lines.contains(&state.to_string());
        assert_eq!(
            stated,
            kind != EdgeKind::Active,
            "{state}: {:?}",
            edge.lines
        );
        let red = colours(edge).map(|c| c.label) == Some(RED);
        assert_eq!(red, kind == EdgeKind::NeedsPerson, "{state}");
        assert!(edge.directed == (kind == EdgeKind::Pending), "{state}");
        if edge.directed {
            assert_eq!(
                graph.nodes[edge.from].lines[0], "10000015…",
                "from the side that created its half: Aiven's"
            );
        }
    }

    let mut warned = two_accounts(Vec::new(), Vec::new(), Vec::new()).with_aiven(
        vec![wanted_aiven("app to aiven", &hel1, 1)],
        vec![(
            hel1.clone(),
            vpc_found(&hel1, "upcloud-fi-hel1", 21, &[(1, S::Active)]),
        )],
    );
    if let Some(VpcSeen::Found(vpc)) = warned
        .observed
        .get_mut(&Some("a".into()))
        .and_then(|a| a.vpcs.get_mut(&hel1))
    {
        vpc.connections[0].warnings.push(ConnectionWarning {
            kind: "overlapping-peer-vpc-ip-ranges".into(),
            message: "overlap".into(),
        });
    }
    let graph = warned.graph(View::Observed);
    let edge = edge_between(&graph, "app", "10000015…");
    assert_eq!(edge.kind, EdgeKind::NeedsPerson);
    assert_eq!(
        edge.lines,
        [
            "app to aiven (Aiven half)",
            "ACTIVE, overlapping-peer-vpc-ip-ranges"
        ]
    );
}

#[test]
fn pruned_aiven_halves_are_marked_and_a_connection_left_for_a_person_is_noted() {
    let hel1 = vpc_ref("data", 1);
    let half = || upcloud_half(1, "app to aiven", key(1, 21), &hel1, "active");
    // With [aiven]: prune deletes both halves; the VPC, no longer the file's, is not read.
    let with = two_accounts(Vec::new(), vec![half()], Vec::new()).with_aiven(Vec::new(), vec![]);
    let graph = with.graph(View::Both);
    let pruned = edge_between(&graph, "app", "10000015…");
    assert_eq!(pruned.lines, ["- app to aiven", "not in the file"]);
    assert_eq!(pruned.marks, [Mark::Delete]);
    assert_eq!(
        node_named(&graph, "10000015…").lines[1],
        "not read, of project data"
    );
    assert!(
        with.graph(View::Desired).edges.is_empty(),
        "both halves gone once applied"
    );

    // Without [aiven]: the UpCloud half is deleted, its connection left for a person.
    let mut without = two_accounts(Vec::new(), vec![half()], Vec::new());
    without.desired.aiven = None;
    for view in [View::Both, View::Desired, View::Observed] {
        let graph = without.graph(view);
        let left = edge_between(&graph, "app", "10000015…");
        assert!(
            left.lines
                .contains(&"Aiven half left to delete by hand".to_owned()),
            "{view:?}: {:?}",
            left.lines
        );
        assert_eq!(left.kind, EdgeKind::NeedsPerson, "{view:?}");
        assert_round_trip(&graph);
    }
    assert_eq!(
        edge_between(&without.graph(View::Both), "app", "10000015…").lines,
        [
            "app to aiven (Aiven half)",
            "- app to aiven",
            "Aiven half left to delete by hand",
            "not in the file"
        ]
    );
}

#[test]
fn labels_are_short_single_lines_with_short_uuids() {
    assert_eq!(
        label_line("to 03585987-bf7d-4544-8e9b-5a1b4d74a333 please"),
        "to 03585987… please"
    );
    assert_eq!(
        label_line("two\nlines\r\tand a tab"),
        "two lines  and a tab"
    );
    let long = "x".repeat(100);
    let cut = label_line(&long);
    assert_eq!(cut.chars().count(), MAX_LINE_CHARS);
    assert!(cut.ends_with('…'));
    assert_eq!(label_line("ääkköset 😀"), "ääkköset 😀", "no escaping here");
}

/// What a rendering of `graph` must read as: the model's boxes, nodes and edges, with the ids
/// the renderers give them.
fn expected(graph: &Graph) -> Diagram {
    Diagram {
        boxes: graph
            .groups
            .iter()
            .map(|g| (g.title.clone(), None))
            .collect(),
        nodes: graph
            .nodes
            .iter()
            .enumerate()
            .map(|(i, node)| DiagramNode {
                id: format!("n{i}"),
                lines: node.lines.clone(),
                in_box: node.group,
                dashed: !node.seen,
            })
            .collect(),
        edges: graph
            .edges
            .iter()
            .map(|edge| DiagramEdge {
                from: format!("n{}", edge.from),
                to: format!("n{}", edge.to),
                directed: edge.directed,
                dashed: edge.dashed(),
                lines: edge.lines.clone(),
                colours: colours(edge).map(|c| (c.line.to_owned(), c.label.to_owned())),
                thick: !edge.marks.is_empty(),
            })
            .collect(),
    }
}

/// Both renderings of `graph` parse back to exactly the model.
fn assert_round_trip(graph: &Graph) {
    let mermaid = mermaid::render(graph);
    let read = parse_mermaid(&mermaid).unwrap_or_else(|e| panic!("{e}\n{mermaid}"));
    assert_eq!(read, expected(graph), "{mermaid}");
    let dot = dot::render(graph);
    let read = parse_dot(&dot).unwrap_or_else(|e| panic!("{e}\n{dot}"));
    assert_eq!(read, expected(graph), "{dot}");
}

/// A world whose every name is one of `names`: networks of both accounts (as the accounts name
/// them), peerings of the file and peerings made by hand, Aiven projects, clouds and
/// `[[aiven_peering]]` tables.
fn world_named(names: &[String]) -> World {
    let name = |i: usize| names[i % names.len()].clone();
    let networks = |from: u128| -> Vec<Network> {
        (0..3u128)
            .map(|i| network(from + i, &name((from + i) as usize)))
            .collect()
    };
    let (found, missing) = (vpc_ref(&name(14), 1), vpc_ref(&name(15), 2));
    let aiven = vec![
        wanted_aiven(&name(16), &found, 2),
        wanted_aiven(&name(17), &found, 3),
        wanted_aiven(&name(18), &missing, 1),
    ];
    let vpcs = vec![
        (
            found.clone(),
            vpc_found(
                &found,
                &name(19),
                21,
                &[
                    (2, ConnectionState::PendingPeer),
                    (3, ConnectionState::Error),
                ],
            ),
        ),
        (missing, VpcSeen::NotFound { message: name(20) }),
    ];
    World::new(
        vec![
            wanted("a", &name(7), key(1, 11)),
            wanted("a", &name(8), key(2, 12)),
            wanted("b", &name(9), key(11, 1)),
            wanted("a", &name(10), key(3, 99)),
        ],
        holding(
            vec![
                existing("a", 1, &name(11), key(1, 11), "conflict-subnet", true),
                existing("a", 2, &name(12), key(2, 13), "peer-disabled", false),
            ],
            networks(1),
        ),
        holding(
            vec![existing("b", 3, &name(13), key(12, 2), "half-moon", true)],
            networks(11),
        ),
    )
    .with_aiven(aiven, vpcs)
}

/// Pieces of text that mean something to Mermaid, DOT, HTML or Markdown.
const HOSTILE: [&str; 33] = [
    "\"",
    "'",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "|",
    "<",
    ">",
    "&",
    "#",
    ";",
    ":",
    "`",
    "\\",
    "\n",
    "\r\n",
    "%%",
    "%%{init: {}}%%",
    "end",
    "subgraph",
    "direction LR",
    "style x:#f00;",
    "classDef y:#0f0;",
    "fc02:c4f3::/64",
    "-->",
    "~~~",
    "&lt;",
    "#quot;",
    "😀",
    "<br>",
];

#[test]
fn hostile_names_round_trip_in_both_languages() {
    for piece in HOSTILE {
        let world = world_named(&[format!("a{piece}b")]);
        for view in [View::Observed, View::Desired, View::Both] {
            assert_round_trip(&world.graph(view));
        }
    }
    let all: String = HOSTILE.concat();
    let world = world_named(&[all.clone(), "end".into(), "\\n\\\"".into()]);
    let graph = world.graph(View::Both);
    assert_round_trip(&graph);
    assert!(
        graph.nodes.iter().any(|n| n.lines[0] == label_line(&all)),
        "the name is there, flattened and cut, but not changed otherwise"
    );
    // Project name(14) and cloud name(19) of `world_named`.
    let aiven_box = "Aiven VPC \\n\\\" end";
    assert_eq!(
        graph.groups.last().map(|g| &g.title),
        Some(&label_line(aiven_box)),
        "the VPC's project and cloud, as hostile as the rest"
    );
}

#[test]
fn the_diagram_does_not_depend_on_the_order_of_what_the_accounts_answer() {
    let names: Vec<String> = (0..14).map(|i| format!("name {i}")).collect();
    let world = world_named(&names);
    let mut reversed = world_named(&names);
    for seen in reversed.observed.values_mut() {
        seen.peerings.reverse();
        seen.networks.reverse();
    }
    reversed.desired.peerings.reverse();
    for view in [View::Observed, View::Desired, View::Both] {
        assert_eq!(world.graph(view), reversed.graph(view));
    }
}

fn arb_name() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(prop::sample::select(&HOSTILE[..]), 0..8)
            .prop_map(|pieces| pieces.concat()),
        "[a-z0-9 \"'<>|\\[\\]{}()#&;:`%\\\\\n-]{0,60}",
    ]
}

proptest! {
    #[test]
    fn no_name_breaks_either_language(names in prop::collection::vec(arb_name(), 1..16)) {
        let world = world_named(&names);
        for view in [View::Observed, View::Both] {
            let graph = world.graph(view);
            for line in graph.groups.iter().map(|g| &g.title)
                .chain(graph.nodes.iter().flat_map(|n| &n.lines))
                .chain(graph.edges.iter().flat_map(|e| &e.lines))
            {
                prop_assert!(line.chars().count() <= MAX_LINE_CHARS, "{line:?}");
                prop_assert!(!line.chars().any(char::is_control), "{line:?}");
            }
            let expected = Ok(expected(&graph));
            let mermaid = mermaid::render(&graph);
            prop_assert_eq!(parse_mermaid(&mermaid), expected.clone(), "{}", mermaid);
            let dot = dot::render(&graph);
            prop_assert_eq!(parse_dot(&dot), expected, "{}", dot);
        }
    }
}
