//! Who is calling: `Authorization: Bearer <token>` or HTTP Basic, matched against the world's
//! accounts [C].

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Simulator;
use super::error_answers::ErrorAnswer;
use super::world::{SimCredentials, World};

/// The authenticated account's name. Put in the request's extensions for the handlers, and
/// in the response's for the request log.
#[derive(Debug, Clone)]
pub struct Caller(pub String);

/// Answers 401 to a request without valid credentials; otherwise passes it on with its caller.
pub async fn authenticate(
    State(simulator): State<Simulator>,
    mut request: Request,
    next: Next,
) -> Response {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let account = header.and_then(parse_authorization).and_then(|presented| {
        simulator.read(|world| account_with(world, &presented).map(str::to_owned))
    });
    let Some(account) = account else {
        return ErrorAnswer::AuthenticationFailed.into_response();
    };
    request.extensions_mut().insert(Caller(account.clone()));
    let mut response = next.run(request).await;
    response.extensions_mut().insert(Caller(account));
    response
}

/// Credentials as the client presented them.
#[derive(Debug, PartialEq, Eq)]
enum Presented {
    Bearer(String),
    Basic { username: String, password: String },
}

/// Reads an `Authorization` value; the scheme is case-insensitive (RFC 9110).
fn parse_authorization(value: &str) -> Option<Presented> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(Presented::Bearer(rest.to_owned()));
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(decode_base64(rest)?).ok()?;
    let (username, password) = decoded.split_once(':')?;
    Some(Presented::Basic {
        username: username.to_owned(),
        password: password.to_owned(),
    })
}

fn account_with<'w>(world: &'w World, presented: &Presented) -> Option<&'w str> {
    let matches = |credentials: &SimCredentials| match (presented, credentials) {
        (Presented::Bearer(given), SimCredentials::Token(token)) => given == token,
        (
            Presented::Basic {
                username: given_user,
                password: given_password,
            },
            SimCredentials::Basic { username, password },
        ) => given_user == username && given_password == password,
        _ => false,
    };
    world
        .accounts
        .iter()
        .find(|(_, account)| account.all_credentials().any(matches))
        .map(|(name, _)| name.as_str())
}

/// Standard base64 (RFC 4648 §4) with optional padding; `None` for anything else.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let digits = text.trim_end_matches('=');
    if text.len() - digits.len() > 2 || digits.len() % 4 == 1 {
        return None;
    }
    let mut bytes = Vec::with_capacity(digits.len() * 3 / 4);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in digits.bytes() {
        buffer = (buffer << 6) | u32::from(base64_digit(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(bytes)
}

fn base64_digit(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64_with_and_without_padding() {
        let cases: [(&str, &[u8]); 7] = [
            ("", b""),
            ("Zg==", b"f"),
            ("Zm8=", b"fo"),
            ("Zm9v", b"foo"),
            ("Zm9vYg", b"foob"),
            (
                "YWl2ZW46YWl2ZW4tZGVtby1wYXNzd29yZA==",
                b"aiven:aiven-demo-password",
            ),
            ("+/+/", &[0xfb, 0xff, 0xbf]),
        ];
        for (text, expected) in cases {
            assert_eq!(decode_base64(text).as_deref(), Some(expected), "{text}");
        }
        for bad in ["Z", "Zm9v!", "Zg===", "Zm 9v"] {
            assert_eq!(decode_base64(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_both_schemes() {
        assert_eq!(
            parse_authorization("Bearer ucat_x"),
            Some(Presented::Bearer("ucat_x".into()))
        );
        assert_eq!(
            parse_authorization("bearer  ucat_x "),
            Some(Presented::Bearer("ucat_x".into()))
        );
        assert_eq!(
            parse_authorization("Basic dTpwOnE="),
            Some(Presented::Basic {
                username: "u".into(),
                password: "p:q".into()
            })
        );
        assert_eq!(parse_authorization("Basic dXNlcg=="), None);
        assert_eq!(parse_authorization("Digest abc"), None);
        assert_eq!(parse_authorization("ucat_x"), None);
    }

    #[test]
    fn finds_the_account_the_credentials_belong_to() {
        let world = World::demo();
        assert_eq!(
            account_with(
                &world,
                &Presented::Bearer("ucat_demo_0000000000000000".into())
            ),
            Some("demo")
        );
        let aiven = Presented::Basic {
            username: "aiven".into(),
            password: "aiven-demo-password".into(),
        };
        assert_eq!(account_with(&world, &aiven), Some("aiven"));
        let wrong = Presented::Basic {
            username: "aiven".into(),
            password: "guess".into(),
        };
        assert_eq!(account_with(&world, &wrong), None);
        assert_eq!(
            account_with(&world, &Presented::Bearer("aiven-demo-password".into())),
            None
        );
    }

    #[test]
    fn a_sub_account_signs_in_as_its_main_account() {
        let mut world = World::demo();
        let demo = world.accounts.get_mut("demo").unwrap();
        demo.sub_accounts = vec![
            SimCredentials::Token("ucat_demo_ci".into()),
            SimCredentials::Basic {
                username: "demo-ops".into(),
                password: "ops-password".into(),
            },
        ];
        let sub_user = Presented::Basic {
            username: "demo-ops".into(),
            password: "ops-password".into(),
        };
        assert_eq!(account_with(&world, &sub_user), Some("demo"));
        assert_eq!(
            account_with(&world, &Presented::Bearer("ucat_demo_ci".into())),
            Some("demo")
        );
        assert_eq!(
            account_with(
                &world,
                &Presented::Bearer("ucat_demo_0000000000000000".into())
            ),
            Some("demo")
        );
    }
}
