//! One UpCloud account declared twice in a file (the same token, or two API users of one main
//! account): `plan`, `check` and `apply` refuse before any write, naming both accounts and what
//! they share, instead of letting each account's plan prune the other's peerings.

mod common;

use common::*;
use peerings::sim::World;

const TEAM_CI_USER: &str = "team-ci";
const TEAM_CI_PASSWORD: &str = "team-ci-secret-password";

/// Two owned peerings of the `team` account.
fn two_peerings() -> String {
    format!(
        "[[peering]]\naccount = \"team\"\nname = \"prod's\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n\
         labels = {{ managed-by = \"peerings\" }}\n\n\
         [[peering]]\naccount = \"team\"\nname = \"shared's\"\nnetwork = \"{BACKEND}\"\npeer_network = \"{AIVEN}\"\n\
         labels = {{ managed-by = \"peerings\" }}\n"
    )
}

/// The test world with the two peerings, and a sub-account (a second API user) for `team`.
fn sim_with_a_sub_account() -> Sim {
    let world = TEST_WORLD.replace(
        &format!("[accounts.team]\ntoken = \"{TEAM_TOKEN}\"\n"),
        &format!(
            "[accounts.team]\ntoken = \"{TEAM_TOKEN}\"\n\
             sub_accounts = [{{ username = \"{TEAM_CI_USER}\", password = \"{TEAM_CI_PASSWORD}\" }}]\n"
        ),
    );
    let world = format!("{world}\n{}", two_peerings());
    Sim::start(World::from_toml(&world).expect("test world"))
}

/// `prod` and `shared`, with `shared`'s credentials as given, each listing one of the two
/// peerings, with prune on: each account's plan would delete the other's peering.
fn file(shared_credentials: &str) -> String {
    format!(
        "prune = true\n\n[accounts.prod]\ntoken_env = \"PROD_TOKEN\"\n\n\
         [accounts.shared]\n{shared_credentials}\n\n\
         [[peering]]\naccount = \"prod\"\nname = \"prod's\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n\n\
         [[peering]]\naccount = \"shared\"\nname = \"shared's\"\nnetwork = \"{BACKEND}\"\npeer_network = \"{AIVEN}\"\n"
    )
}

fn refuses_everywhere(sim: &Sim, shared_credentials: &str, env: &[(&str, &str)]) {
    let dir = project(&file(shared_credentials));
    let url = sim.url();
    let mut env = env.to_vec();
    env.extend([
        ("UPCLOUD_API_URL", url.as_str()),
        ("PROD_TOKEN", TEAM_TOKEN),
    ]);
    let commands: [&[&str]; 4] = [
        &["plan"],
        &["check"],
        &["apply", "--auto-approve"],
        &["apply", "--auto-approve", "--force"],
    ];
    for args in commands {
        let run = run_peerings(dir.path(), args, &env);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains(
                "the file declares one UpCloud account twice; nothing was changed:\n  \
                 accounts prod and shared are one UpCloud account: both read network \"app\" \
                 (11111111-1111-4111-8111-111111111111), network \"backend\" \
                 (22222222-2222-4222-8222-222222222222), network \"no-router\" \
                 (33333333-3333-4333-8333-333333333333) and 2 more\n"
            ),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stdout.is_empty(),
            "{args:?}: no plan is shown: {}",
            run.stdout
        );
    }
    assert!(sim.writes().is_empty(), "nothing was written");
    let mut names: Vec<String> = sim.peerings_of("team").into_iter().map(|p| p.0).collect();
    names.sort();
    assert_eq!(names, ["prod's", "shared's"]);
}

#[test]
fn the_same_token_declared_as_two_accounts_is_refused_before_any_write() {
    let sim = Sim::with_peerings(&two_peerings());
    refuses_everywhere(
        &sim,
        "token_env = \"SHARED_TOKEN\"",
        &[("SHARED_TOKEN", TEAM_TOKEN)],
    );
}

#[test]
fn two_api_users_of_one_account_declared_as_two_accounts_are_refused_before_any_write() {
    let sim = sim_with_a_sub_account();
    refuses_everywhere(
        &sim,
        "username_env = \"CI_USER\"\npassword_env = \"CI_PASSWORD\"",
        &[("CI_USER", TEAM_CI_USER), ("CI_PASSWORD", TEAM_CI_PASSWORD)],
    );
    let authenticated: Vec<String> = sim
        .log()
        .iter()
        .filter_map(|request| request.account.clone())
        .collect();
    assert!(
        authenticated.iter().all(|account| account == "team"),
        "both users sign in as team: {authenticated:?}"
    );
}

#[test]
fn two_different_accounts_are_not_mistaken_for_one() {
    let sim = Sim::with_peerings(&two_peerings());
    let dir = project(&format!(
        "[accounts.prod]\ntoken_env = \"PROD_TOKEN\"\n\n\
         [accounts.basic]\nusername_env = \"BASIC_USER\"\npassword_env = \"BASIC_PASSWORD\"\n\n\
         [[peering]]\naccount = \"prod\"\nname = \"prod's\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n"
    ));
    let url = sim.url();
    let run = run_peerings(
        dir.path(),
        &["plan"],
        &[
            ("UPCLOUD_API_URL", &url),
            ("PROD_TOKEN", TEAM_TOKEN),
            ("BASIC_USER", BASIC_USER),
            ("BASIC_PASSWORD", BASIC_PASSWORD),
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
}
