//! User records. Sign-up and sign-in build on these.

use std::time::{Duration, Instant};

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

use super::entities::user;
use crate::types::Role;

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
        role: Set(Role::Member.as_str().to_owned()),
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

/// Users by id, kept for [`FRESH`] once read: every signed-in request can
/// skip the lookup, and a role or ban changed elsewhere (another process, a
/// command) takes effect here within that time; changes made here, or told
/// of through the fan-out, at once ([`KnownUsers::forget`]).
#[derive(Debug, Default)]
pub struct KnownUsers {
    by_id: parking_lot::Mutex<std::collections::HashMap<i64, (user::Model, Instant)>>,
}

/// How long a user record read from storage is trusted.
pub const FRESH: Duration = Duration::from_secs(5);

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
        if let Some((user, read)) = self.by_id().get(&id) {
            if read.elapsed() < FRESH {
                return Ok(Some(user.clone()));
            }
        }
        let found = user::Entity::find_by_id(id).one(db).await?;
        match &found {
            Some(user) => self.keep(user.clone()),
            None => self.forget(id),
        }
        Ok(found)
    }

    /// The users among `ids` that exist.
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
                    Some((user, read)) if read.elapsed() < FRESH => found.push(user.clone()),
                    _ => missing.push(*id),
                }
            }
        }
        for chunk in missing.chunks(500) {
            let users = user::Entity::find()
                .filter(user::Column::Id.is_in(chunk.iter().copied()))
                .all(db)
                .await?;
            for user in users {
                self.keep(user.clone());
                found.push(user);
            }
        }
        Ok(found)
    }

    /// Remembers `user` as storage holds it now.
    pub fn keep(&self, user: user::Model) {
        let mut by_id = self.by_id();
        if by_id.len() >= KNOWN_USERS {
            by_id.clear();
        }
        by_id.insert(user.id, (user, Instant::now()));
    }

    /// User `id` changed (role, ban) or is gone: read it again next time.
    pub fn forget(&self, id: i64) {
        self.by_id().remove(&id);
    }

    fn by_id(
        &self,
    ) -> parking_lot::MutexGuard<'_, std::collections::HashMap<i64, (user::Model, Instant)>> {
        self.by_id.lock()
    }
}

/// Every user, oldest first (for `chat98 users list`).
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<user::Model>, DbErr> {
    use sea_orm::{EntityTrait, QueryOrder};
    user::Entity::find()
        .order_by_asc(user::Column::Id)
        .all(db)
        .await
}

/// Gives user `id` `role`.
pub async fn set_role(db: &impl ConnectionTrait, id: i64, role: Role) -> Result<(), DbErr> {
    user::ActiveModel {
        id: Set(id),
        role: Set(role.as_str().to_owned()),
        ..Default::default()
    }
    .update(db)
    .await
    .map(|_| ())
}

/// Records a ban of user `id` until `until` (`None`: lifts it).
pub async fn set_ban(
    db: &impl ConnectionTrait,
    id: i64,
    until: Option<DateTime<Utc>>,
    reason: Option<String>,
) -> Result<user::Model, DbErr> {
    user::ActiveModel {
        id: Set(id),
        banned_until: Set(until),
        ban_reason: Set(reason),
        ..Default::default()
    }
    .update(db)
    .await
}

/// The users banned at `now` (expired bans are not listed: they lifted).
pub async fn banned(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<user::Model>, DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    user::Entity::find()
        .filter(user::Column::BannedUntil.gt(now))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await
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
