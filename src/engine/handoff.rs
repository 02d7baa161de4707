//! The lock-free hand-off of a new composer (a retrained or loaded model) to the audio thread.
//! A loader or trainer thread builds and checks the new value, then stages it; the audio thread
//! takes it between two steps and hands back the old one, which the other threads drop — the
//! audio thread never frees memory. Queues are preallocated (crossbeam `ArrayQueue`), so neither
//! side allocates, locks or waits.

use crossbeam::queue::ArrayQueue;
use std::sync::atomic::{AtomicU64, Ordering};

/// Old values waiting to be dropped off the audio thread.
const RETIRED_CAPACITY: usize = 4;

#[derive(Debug)]
pub struct Handoff<T> {
    /// The value waiting to be taken (at most one: a newer one replaces it).
    staged: ArrayQueue<Box<T>>,
    /// Values the audio thread replaced, to be dropped by another thread.
    retired: ArrayQueue<Box<T>>,
    /// How many values the audio thread has taken, so the editor can notice a swap.
    taken: AtomicU64,
}

impl<T> Default for Handoff<T> {
    fn default() -> Self {
        Self { staged: ArrayQueue::new(1), retired: ArrayQueue::new(RETIRED_CAPACITY), taken: AtomicU64::new(0) }
    }
}

impl<T> Handoff<T> {
    /// Any thread but the audio thread: offer `value`; a staged value not yet taken is dropped.
    pub fn stage(&self, value: Box<T>) {
        self.collect_garbage();
        let mut value = value;
        loop {
            match self.staged.push(value) {
                Ok(()) => return,
                Err(back) => {
                    drop(self.staged.pop());
                    value = back;
                }
            }
        }
    }

    /// Audio thread: swap `current` for the staged value, if there is one and the old value has
    /// somewhere to go. Returns whether it swapped.
    pub fn take(&self, current: &mut Box<T>) -> bool {
        if self.retired.is_full() {
            return false;
        }
        let Some(new) = self.staged.pop() else {
            return false;
        };
        let old = std::mem::replace(current, new);
        // Only this thread pushes to `retired` and it was not full: this cannot fail.
        let _ = self.retired.push(old);
        self.taken.fetch_add(1, Ordering::Release);
        true
    }

    /// Any thread but the audio thread: drop what the audio thread handed back.
    pub fn collect_garbage(&self) {
        while self.retired.pop().is_some() {}
    }

    /// Whether a staged value is still waiting to be taken.
    pub fn pending(&self) -> bool {
        !self.staged.is_empty()
    }

    /// How many values the audio thread has taken so far.
    pub fn taken(&self) -> u64 {
        self.taken.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn the_newest_staged_value_wins_and_the_old_one_comes_back() {
        let h = Handoff::default();
        let mut current = Box::new(1);
        assert!(!h.take(&mut current));
        h.stage(Box::new(2));
        h.stage(Box::new(3));
        assert!(h.take(&mut current));
        assert_eq!(*current, 3);
        assert_eq!(h.taken(), 1);
        assert_eq!(h.retired.pop().map(|b| *b), Some(1));
    }

    #[test]
    fn the_audio_side_never_drops_and_waits_when_nobody_collects() {
        let h = Handoff::default();
        let mut current = Box::new(0);
        for i in 1..=RETIRED_CAPACITY as i32 {
            h.staged.push(Box::new(i)).unwrap(); // staged without collecting
            assert!(h.take(&mut current));
        }
        h.staged.push(Box::new(99)).unwrap();
        assert!(!h.take(&mut current), "no room to hand the old value back: keep playing the current one");
        assert_eq!(*current, RETIRED_CAPACITY as i32);
        h.collect_garbage();
        assert!(h.take(&mut current));
        assert_eq!(*current, 99);
    }

    #[test]
    fn concurrent_staging_and_taking_lose_nothing_and_never_block() {
        let h = Arc::new(Handoff::default());
        let stager = {
            let h = h.clone();
            std::thread::spawn(move || {
                for i in 1..=2000u32 {
                    h.stage(Box::new(i));
                }
            })
        };
        let mut current = Box::new(0u32);
        let mut last = 0;
        while !stager.is_finished() || h.pending() {
            if h.take(&mut current) {
                assert!(*current > last, "values arrive in order");
                last = *current;
            }
            h.collect_garbage();
        }
        stager.join().unwrap();
        assert_eq!(*current, 2000, "the last staged value always arrives");
    }
}
