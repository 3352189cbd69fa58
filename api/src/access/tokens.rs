//! Credentials as data: JWT access tokens (HS256 pinned, `kid` for rotation), random refresh
//! tokens and API keys, and the SHA-256 digests under which those are stored.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The issuer and audience of our access tokens.
pub const ISSUER: &str = "cuf-cooperation-api";
pub const AUDIENCE: &str = "cuf-cooperation-api";
/// The prefix of every API key, so that one is recognised (and found by secret scanners).
pub const API_KEY_PREFIX: &str = "cufk_";

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    /// Issued-at in milliseconds, compared with the user's `sessions_valid_after`.
    pub iat_ms: i64,
    pub jti: String,
}

/// One signing key and its id.
#[derive(Clone)]
struct Key {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

/// The keys that sign (the current one) and verify (current and previous) access tokens.
#[derive(Clone)]
pub struct TokenKeys {
    current: Key,
    previous: Option<Key>,
    lifetime: Duration,
}

/// The shortest signing secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

impl TokenKeys {
    /// Keys from secrets; `previous` still verifies tokens signed before a rotation.
    pub fn new(
        current: (&str, &[u8]),
        previous: Option<(&str, &[u8])>,
        lifetime: Duration,
    ) -> Self {
        let key = |(kid, secret): (&str, &[u8])| Key {
            kid: kid.to_owned(),
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        };
        Self {
            current: key(current),
            previous: previous.map(key),
            lifetime,
        }
    }

    /// A signed access token for user `user_id`, and when it expires.
    pub fn issue(
        &self,
        user_id: i64,
    ) -> Result<(String, DateTime<Utc>), jsonwebtoken::errors::Error> {
        let now = Utc::now();
        let expires_at = now + self.lifetime;
        let claims = Claims {
            sub: user_id.to_string(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
            iat_ms: now.timestamp_millis(),
            jti: uuid::Uuid::new_v4().to_string(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.current.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.current.encoding)?;
        Ok((token, expires_at))
    }

    /// The claims of a valid token: HS256 only, a known `kid`, our issuer and audience, not
    /// expired, every claim present. Anything else is `None`.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::HS256 {
            return None;
        }
        let kid = header.kid?;
        let key = [Some(&self.current), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .find(|key| key.kid == kid)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 5;
        jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// 256 random bits, URL-safe base64.
pub fn random_secret() -> String {
    let mut bytes = [0_u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The hex SHA-256 of `secret`: how refresh tokens and API keys are stored and looked up.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(kid: &str, secret: &[u8]) -> TokenKeys {
        TokenKeys::new((kid, secret), None, Duration::minutes(15))
    }

    #[test]
    fn tokens_verify_only_with_the_right_key_algorithm_and_claims() {
        let keys = keys("k1", &[7; 32]);
        let (token, expires_at) = keys.issue(42).unwrap();
        assert!(expires_at > Utc::now() + Duration::minutes(14));
        assert_eq!(
            keys.verify(&token).map(|claims| claims.sub),
            Some("42".into())
        );
        assert!(
            self::keys("k1", &[8; 32]).verify(&token).is_none(),
            "another secret"
        );
        assert!(
            self::keys("k2", &[7; 32]).verify(&token).is_none(),
            "another kid"
        );
        let rotated = TokenKeys::new(
            ("k2", &[9; 32]),
            Some(("k1", &[7; 32])),
            Duration::minutes(15),
        );
        assert!(
            rotated.verify(&token).is_some(),
            "the previous key still verifies"
        );
        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT","kid":"k1"}"#),
            token.split('.').nth(1).unwrap()
        );
        assert!(keys.verify(&unsigned).is_none(), "alg none");
        let now = Utc::now().timestamp();
        let expired = Claims {
            sub: "42".into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            exp: now - 60,
            iat: now - 960,
            iat_ms: (now - 960) * 1000,
            jti: "x".into(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("k1".into());
        let expired =
            jsonwebtoken::encode(&header, &expired, &EncodingKey::from_secret(&[7; 32])).unwrap();
        assert!(keys.verify(&expired).is_none(), "expired");
        let mut other_audience = Claims {
            aud: "someone-else".into(),
            exp: now + 60,
            ..keys.verify(&token).unwrap()
        };
        other_audience.iat = now;
        let other_audience = jsonwebtoken::encode(
            &header,
            &other_audience,
            &EncodingKey::from_secret(&[7; 32]),
        )
        .unwrap();
        assert!(keys.verify(&other_audience).is_none(), "wrong audience");
        let mut hs512 = Header::new(Algorithm::HS512);
        hs512.kid = Some("k1".into());
        let hs512 = jsonwebtoken::encode(
            &hs512,
            &keys.verify(&token).unwrap(),
            &EncodingKey::from_secret(&[7; 32]),
        )
        .unwrap();
        assert!(keys.verify(&hs512).is_none(), "another algorithm");
    }

    #[test]
    fn secrets_are_random_and_digests_hex() {
        assert_ne!(random_secret(), random_secret());
        assert_eq!(random_secret().len(), 43);
        assert_eq!(digest("abc").len(), 64);
    }
}
