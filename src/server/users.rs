//! User records. Sign-up and sign-in build on these.

use chrono::{SubsecRound, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

use super::entities::user;

/// A username's look-alike class: two names with the same skeleton read the
/// same to people (letter case, `l`/`I`/`i`/`1`/`|`, `O`/`0`, `rn`/`m`,
/// `vv`/`w`), so only one of them may exist. The database holds it in a
/// unique column, which makes the rule hold under concurrent sign-ups; the
/// migration that added it computes the same with SQL `replace`.
pub fn skeleton(username: &str) -> String {
    username
        .to_lowercase()
        .chars()
        .map(|c| match c {
            '1' | 'i' | '|' => 'l',
            '0' => 'o',
            c => c,
        })
        .collect::<String>()
        .replace("rn", "m")
        .replace("vv", "w")
}

/// Stores a new user. Fails if the username, or one that looks the same
/// (see [`skeleton`]), is taken.
pub async fn create(
    db: &impl ConnectionTrait,
    username: &str,
    password_hash: &str,
) -> Result<user::Model, DbErr> {
    user::ActiveModel {
        username: Set(username.to_owned()),
        username_skeleton: Set(skeleton(username)),
        password_hash: Set(password_hash.to_owned()),
        created_at: Set(Utc::now().trunc_subsecs(6)),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Removes the user with `id` and, by the foreign key, their messages.
pub async fn remove(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    use sea_orm::EntityTrait;
    user::Entity::delete_by_id(id).exec(db).await.map(|_| ())
}

/// The user called `username` in any letter case.
pub async fn find_by_name(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<user::Model>, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    use sea_orm::{EntityTrait, QueryFilter};
    user::Entity::find()
        .filter(
            Expr::expr(Func::lower(Expr::col(user::Column::Username)))
                .eq(username.to_ascii_lowercase()),
        )
        .one(db)
        .await
}

/// The user whose name looks like `username` (same [`skeleton`]), if any.
pub async fn find_look_alike(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<user::Model>, DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    user::Entity::find()
        .filter(user::Column::UsernameSkeleton.eq(skeleton(username)))
        .one(db)
        .await
}

/// Users by id, kept once read: a user record never changes after sign-up,
/// so every signed-in request can skip the lookup.
#[derive(Debug, Default)]
pub struct KnownUsers {
    by_id: parking_lot::Mutex<std::collections::HashMap<i64, user::Model>>,
}

/// Beyond this many users the cache starts over (a bound, not a tuning knob).
const KNOWN_USERS: usize = 100_000;

impl KnownUsers {
    /// The user with `id`, if one exists.
    pub async fn find(
        &self,
        db: &impl ConnectionTrait,
        id: i64,
    ) -> Result<Option<user::Model>, DbErr> {
        use sea_orm::EntityTrait;
        if let Some(user) = self.by_id().get(&id) {
            return Ok(Some(user.clone()));
        }
        let found = user::Entity::find_by_id(id).one(db).await?;
        if let Some(user) = &found {
            let mut by_id = self.by_id();
            if by_id.len() >= KNOWN_USERS {
                by_id.clear();
            }
            by_id.insert(id, user.clone());
        }
        Ok(found)
    }

    /// The users among `ids` that exist (at most `limit` looked up).
    pub async fn find_many(
        &self,
        db: &impl ConnectionTrait,
        ids: &[i64],
    ) -> Result<Vec<user::Model>, DbErr> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let mut found = Vec::new();
        let mut missing = Vec::new();
        {
            let by_id = self.by_id();
            for id in ids {
                match by_id.get(id) {
                    Some(user) => found.push(user.clone()),
                    None => missing.push(*id),
                }
            }
        }
        for chunk in missing.chunks(500) {
            let users = user::Entity::find()
                .filter(user::Column::Id.is_in(chunk.iter().copied()))
                .all(db)
                .await?;
            let mut by_id = self.by_id();
            for user in users {
                if by_id.len() >= KNOWN_USERS {
                    by_id.clear();
                }
                by_id.insert(user.id, user.clone());
                found.push(user);
            }
        }
        Ok(found)
    }

    fn by_id(&self) -> parking_lot::MutexGuard<'_, std::collections::HashMap<i64, user::Model>> {
        self.by_id.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::skeleton;

    #[test]
    fn look_alikes_share_a_skeleton() {
        for (a, b) in [
            ("alice", "ALICE"),
            ("alice", "aIice"),
            ("alice", "a1ice"),
            ("bob", "b0b"),
            ("modern", "modem"),
            ("vvill", "will"),
            ("Il1", "lll"),
        ] {
            assert_eq!(skeleton(a), skeleton(b), "{a} / {b}");
        }
        for (a, b) in [("alice", "alise"), ("bob", "bobby"), ("a_b", "a-b")] {
            assert_ne!(skeleton(a), skeleton(b), "{a} / {b}");
        }
    }
}
