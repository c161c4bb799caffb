//! Command arguments written straight into a command's buffer: a script call's opening, a
//! session key's hash field, a JSON value. Each is one argument, built without an allocation
//! of its own.

use std::io::Write as _;

use redis::{Cmd, RedisWrite, Script, ToRedisArgs};

use crate::keys::DATA_PREFIX;

/// `EVALSHA <script's SHA-1> 1 <key>`: a call of `script` on one key, to which the caller adds
/// the script's arguments; room for a typical write's is reserved at once.
pub(crate) fn script_call(script: &Script, key: &str) -> Cmd {
    let mut cmd = Cmd::with_capacity(16, 256);
    cmd.arg("EVALSHA").arg(script.get_hash()).arg(1).arg(key);
    cmd
}

/// The hash field of a session key: `d:` and the key.
pub(crate) struct DataField<'a>(pub(crate) &'a str);

impl ToRedisArgs for DataField<'_> {
    fn write_redis_args<W>(&self, out: &mut W)
    where
        W: ?Sized + RedisWrite,
    {
        let mut arg = out.writer_for_next_arg();
        // Writing into the command's own buffer cannot fail.
        let _ = arg.write_all(DATA_PREFIX.as_bytes());
        let _ = arg.write_all(self.0.as_bytes());
    }
}

/// A session value as its JSON text.
pub(crate) struct Json<'a>(pub(crate) &'a serde_json::Value);

impl ToRedisArgs for Json<'_> {
    fn write_redis_args<W>(&self, out: &mut W)
    where
        W: ?Sized + RedisWrite,
    {
        // Serializing a `serde_json::Value` into memory cannot fail.
        let _ = serde_json::to_writer(out.writer_for_next_arg(), self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_written_as_one_each() {
        let value = serde_json::json!({"a": [1, "b"]});
        let mut cmd = script_call(&crate::scripts::RETIRE, "k");
        cmd.arg(DataField("cart")).arg(Json(&value));
        let args: Vec<Vec<u8>> = cmd
            .args_iter()
            .map(|arg| match arg {
                redis::Arg::Simple(bytes) => bytes.to_vec(),
                _ => panic!("a cursor argument"),
            })
            .collect();
        assert_eq!(args.len(), 6);
        assert_eq!(args[0], b"EVALSHA");
        assert_eq!(args[1], crate::scripts::RETIRE.get_hash().as_bytes());
        assert_eq!(args[2..], [&b"1"[..], b"k", b"d:cart", br#"{"a":[1,"b"]}"#]);
    }
}
