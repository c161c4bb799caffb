//! [`store_enum!`](crate::store_enum): one store type over several, chosen at run time.

/// Defines an enum with one variant per store and implements
/// [`SessionStore`](crate::store::SessionStore) for it by passing each call to the variant's
/// store: for an application that chooses its store at start-up (from its configuration, say)
/// and hands the adapters one type.
///
/// Each variant holds one store; attributes and documentation on the enum and its variants are
/// kept.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::time::SystemTime;
/// use fastsession_core::{MemoryStore, id::SessionId, store::SessionStore, store::TimeLimited};
///
/// fastsession_core::store_enum! {
///     /// Where this application keeps its sessions.
///     #[derive(Clone, Debug)]
///     pub enum AppStore {
///         /// In the process.
///         Memory(MemoryStore),
///         /// In the process too, each call bounded.
///         Bounded(TimeLimited<MemoryStore>),
///     }
/// }
///
/// let store = AppStore::Memory(MemoryStore::new());
/// let id = SessionId::from_bytes([1; 32]);
/// assert!(store.load(&id, SystemTime::now()).await.unwrap().is_none());
/// # });
/// ```
#[macro_export]
macro_rules! store_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident($store:ty) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$variant_meta])* $variant($store), )+
        }

        impl $crate::store::SessionStore for $name {
            async fn create(
                &self,
                id: &$crate::id::SessionId,
                record: &$crate::store::Record,
                now: ::std::time::SystemTime,
            ) -> ::std::result::Result<bool, $crate::store::StoreError> {
                match self {
                    $( Self::$variant(store) => store.create(id, record, now).await, )+
                }
            }

            async fn load(
                &self,
                id: &$crate::id::SessionId,
                now: ::std::time::SystemTime,
            ) -> ::std::result::Result<
                ::std::option::Option<$crate::store::Record>,
                $crate::store::StoreError,
            > {
                match self {
                    $( Self::$variant(store) => store.load(id, now).await, )+
                }
            }

            async fn apply(
                &self,
                id: &$crate::id::SessionId,
                changes: &$crate::store::Changes,
                expiry: &$crate::store::Expiry,
                now: ::std::time::SystemTime,
            ) -> ::std::result::Result<bool, $crate::store::StoreError> {
                match self {
                    $( Self::$variant(store) => store.apply(id, changes, expiry, now).await, )+
                }
            }

            async fn touch(
                &self,
                id: &$crate::id::SessionId,
                expiry: &$crate::store::Expiry,
                now: ::std::time::SystemTime,
            ) -> ::std::result::Result<bool, $crate::store::StoreError> {
                match self {
                    $( Self::$variant(store) => store.touch(id, expiry, now).await, )+
                }
            }

            async fn retire(
                &self,
                id: &$crate::id::SessionId,
                successor: &$crate::id::SessionId,
                now: ::std::time::SystemTime,
            ) -> ::std::result::Result<bool, $crate::store::StoreError> {
                match self {
                    $( Self::$variant(store) => store.retire(id, successor, now).await, )+
                }
            }

            async fn delete(
                &self,
                id: &$crate::id::SessionId,
                now: ::std::time::SystemTime,
            ) -> ::std::result::Result<(), $crate::store::StoreError> {
                match self {
                    $( Self::$variant(store) => store.delete(id, now).await, )+
                }
            }

            async fn list_user_session(
                &self,
                user: &str,
                id: &$crate::id::SessionId,
                expires_at: ::std::time::SystemTime,
                now: ::std::time::SystemTime,
            ) -> ::std::result::Result<(), $crate::store::StoreError> {
                match self {
                    $( Self::$variant(store) => store.list_user_session(user, id, expires_at, now).await, )+
                }
            }

            async fn user_sessions(
                &self,
                user: &str,
                now: ::std::time::SystemTime,
            ) -> ::std::result::Result<
                ::std::vec::Vec<$crate::store::ListedSession>,
                $crate::store::StoreError,
            > {
                match self {
                    $( Self::$variant(store) => store.user_sessions(user, now).await, )+
                }
            }

            async fn end_user_session(
                &self,
                user: &str,
                session: &$crate::store::SessionRef,
                now: ::std::time::SystemTime,
            ) -> ::std::result::Result<bool, $crate::store::StoreError> {
                match self {
                    $( Self::$variant(store) => store.end_user_session(user, session, now).await, )+
                }
            }
        }
    };
}
