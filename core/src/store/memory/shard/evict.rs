//! Choosing and removing a shard's victims: the oldest probationary entry, or the least
//! recently active of a random sample.

use std::sync::atomic::Ordering;

use super::{ShardWriter, Stored};
use crate::id::SessionId;

/// How many entries, drawn at random positions, one eviction of a session in use compares.
const EVICTION_SAMPLE: usize = 8;

impl ShardWriter<'_> {
    /// Removes the oldest probationary entry other than `keep`.
    pub(in crate::store::memory) fn evict_probationary(
        &mut self,
        keep: &SessionId,
    ) -> Option<(SessionId, Stored)> {
        let mut kept = None;
        let victim = loop {
            let Some(queued) = self.state.queue.pop_front() else {
                break None;
            };
            if !queued.is_current(self.state.map.get(&queued.id)) {
                continue;
            }
            if queued.id == *keep {
                kept = Some(queued);
                continue;
            }
            break Some(queued.id);
        };
        if let Some(queued) = kept {
            self.state.queue.push_front(queued);
        }
        let victim = victim?;
        self.remove(&victim).map(|stored| (victim, stored))
    }

    /// Removes the least recently active of [`EVICTION_SAMPLE`] entries drawn at random
    /// positions, never `keep`.
    pub(in crate::store::memory) fn evict_sampled(
        &mut self,
        keep: &SessionId,
    ) -> Option<(SessionId, Stored)> {
        let victim = self.sample(keep)?;
        self.remove(&victim).map(|stored| (victim, stored))
    }

    fn sample(&mut self, keep: &SessionId) -> Option<SessionId> {
        let state = &mut *self.state;
        let mut best: Option<(u64, SessionId)> = None;
        for _ in 0..EVICTION_SAMPLE {
            let slot = state.slots.get(state.rng.below(state.slots.len()))?;
            let active_ms = slot.active_ms.load(Ordering::Relaxed);
            if slot.id != *keep && best.is_none_or(|(best_ms, _)| active_ms < best_ms) {
                best = Some((active_ms, slot.id));
            }
        }
        // Should every draw have hit `keep`, any other entry will do.
        best.map(|(_, id)| id).or_else(|| {
            state
                .slots
                .iter()
                .take(2)
                .map(|slot| slot.id)
                .find(|id| id != keep)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::super::tests::{shard, shard_is_consistent};
    use super::*;
    use crate::testing::SequentialIds;

    #[test]
    fn the_sample_is_drawn_from_every_position() {
        // 1,000 sessions used at the same time, 5 ms after their creation: any of them is as
        // good a victim, so where the victims fall shows where the sample is drawn.
        let shard = shard(1000, |_| 5);
        let mut writer = shard.write();
        let victims: HashSet<SessionId> = (0..1000)
            .map(|_| writer.sample(&SequentialIds::id(0)).unwrap())
            .collect();
        // 1,000 uniform draws from 1,000 hit about 632 distinct ones.
        assert!(victims.len() > 550, "{} distinct victims", victims.len());
    }

    #[test]
    fn the_sample_prefers_the_least_recently_active() {
        // Session k was last used k ms after the sessions' creation.
        let shard = shard(1000, |k| k);
        let mut writer = shard.write();
        let mean = (0..1000)
            .map(|_| {
                let victim = writer.sample(&SequentialIds::id(0)).unwrap();
                u64::from_be_bytes(victim.as_bytes()[24..].try_into().unwrap())
            })
            .sum::<u64>()
            / 1000;
        // The least of 8 uniform draws from 1..=1000 averages about 112.
        assert!((80..150).contains(&mean), "victims average {mean}");
    }

    #[test]
    fn the_sample_never_takes_the_session_to_keep() {
        let shard = shard(2, |_| 5);
        let mut writer = shard.write();
        for _ in 0..100 {
            assert_eq!(
                writer.sample(&SequentialIds::id(1)),
                Some(SequentialIds::id(2))
            );
        }
        drop(writer);
        let alone = self::shard(1, |_| 5);
        assert_eq!(alone.write().sample(&SequentialIds::id(1)), None);
    }

    #[test]
    fn probationary_entries_go_oldest_first_skipping_used_ones_and_the_one_to_keep() {
        let shard = shard(6, |k| if k % 2 == 0 { 5 } else { 0 });
        let mut writer = shard.write();
        let mut order = Vec::new();
        while let Some((victim, _)) = writer.evict_probationary(&SequentialIds::id(1)) {
            order.push(victim);
        }
        assert_eq!(order, [SequentialIds::id(3), SequentialIds::id(5)]);
        // The one kept keeps its place.
        let (last, _) = writer.evict_probationary(&SequentialIds::id(0)).unwrap();
        assert_eq!(last, SequentialIds::id(1));
        assert!(writer.evict_probationary(&SequentialIds::id(0)).is_none());
        drop(writer);
        shard_is_consistent(&shard);
        assert!(!shard.has_probationary());
    }
}
