//! API credentials, read from the environment the way UpCloud's own tools read them, and kept in
//! a type that never prints them.

use crate::http::{Authorization, Secret};

pub const TOKEN_VAR: &str = "UPCLOUD_TOKEN";
pub const USERNAME_VAR: &str = "UPCLOUD_USERNAME";
pub const PASSWORD_VAR: &str = "UPCLOUD_PASSWORD";

/// One of the two ways to authenticate; the API accepts either [C].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// `Authorization: Bearer <token>`.
    Token(Secret),
    /// HTTP Basic with an API user.
    Basic { username: String, password: Secret },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    #[error(
        "no UpCloud credentials: set {TOKEN_VAR}, or {USERNAME_VAR} and {PASSWORD_VAR}, in the environment"
    )]
    Missing,
    #[error(
        "both {TOKEN_VAR} and {USERNAME_VAR}/{PASSWORD_VAR} are set: set only one kind of credentials"
    )]
    Ambiguous,
    #[error("{present} is set but {missing} is not: set both for HTTP Basic authentication")]
    Incomplete {
        present: &'static str,
        missing: &'static str,
    },
}

impl Credentials {
    /// How requests carry these credentials.
    pub fn authorization(self) -> Authorization {
        match self {
            Credentials::Token(token) => Authorization::Bearer(token),
            Credentials::Basic { username, password } => {
                Authorization::Basic { username, password }
            }
        }
    }

    /// Reads `UPCLOUD_TOKEN` or `UPCLOUD_USERNAME` + `UPCLOUD_PASSWORD`. An empty variable counts
    /// as unset.
    pub fn from_env() -> Result<Self, CredentialsError> {
        let var = |name| std::env::var(name).ok().filter(|value| !value.is_empty());
        Self::from_values(var(TOKEN_VAR), var(USERNAME_VAR), var(PASSWORD_VAR))
    }

    /// Whether any credential variable is set, so that `sim:` URLs can fall back to the
    /// simulator's own account only when the user gave none.
    pub fn any_in_env() -> bool {
        [TOKEN_VAR, USERNAME_VAR, PASSWORD_VAR]
            .iter()
            .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()))
    }

    fn from_values(
        token: Option<String>,
        username: Option<String>,
        password: Option<String>,
    ) -> Result<Self, CredentialsError> {
        match (token, username, password) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(CredentialsError::Ambiguous),
            (Some(token), None, None) => Ok(Credentials::Token(Secret::new(token))),
            (None, Some(username), Some(password)) => Ok(Credentials::Basic {
                username,
                password: Secret::new(password),
            }),
            (None, Some(_), None) => Err(CredentialsError::Incomplete {
                present: USERNAME_VAR,
                missing: PASSWORD_VAR,
            }),
            (None, None, Some(_)) => Err(CredentialsError::Incomplete {
                present: PASSWORD_VAR,
                missing: USERNAME_VAR,
            }),
            (None, None, None) => Err(CredentialsError::Missing),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    #[test]
    fn one_kind_of_credentials_is_required() {
        assert_eq!(
            Credentials::from_values(some("ucat_x"), None, None),
            Ok(Credentials::Token(Secret::new("ucat_x")))
        );
        assert!(matches!(
            Credentials::from_values(None, some("u"), some("p")),
            Ok(Credentials::Basic { .. })
        ));
        assert_eq!(
            Credentials::from_values(some("t"), some("u"), some("p")),
            Err(CredentialsError::Ambiguous)
        );
        assert_eq!(
            Credentials::from_values(some("t"), None, some("p")),
            Err(CredentialsError::Ambiguous)
        );
        assert_eq!(
            Credentials::from_values(None, None, None),
            Err(CredentialsError::Missing)
        );
        assert!(matches!(
            Credentials::from_values(None, some("u"), None),
            Err(CredentialsError::Incomplete { .. })
        ));
    }

    #[test]
    fn secrets_never_print() {
        let credentials = Credentials::Basic {
            username: "api-user".into(),
            password: Secret::new("hunter2"),
        };
        let shown = format!(
            "{credentials:?} {:?} {}",
            Secret::new("ucat_x"),
            Secret::new("ucat_x")
        );
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("ucat_x"), "{shown}");
    }
}
