//! Tasks run on a rayon pool, their results taken back in the order the tasks were made: the
//! pool's threads never wait for each other, and output still comes out in input order.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread;

/// A task's number and what it returned (or its panic).
type Done<T> = (usize, thread::Result<T>);

/// Tasks spawned in a scope, and the results that came back before their turn.
pub struct InOrder<T> {
    sender: Sender<Done<T>>,
    receiver: Receiver<Done<T>>,
    made: usize,
    taken: usize,
    early: BTreeMap<usize, thread::Result<T>>,
}

impl<T: Send> InOrder<T> {
    pub fn new() -> InOrder<T> {
        let (sender, receiver) = channel();
        InOrder {
            sender,
            receiver,
            made: 0,
            taken: 0,
            early: BTreeMap::new(),
        }
    }

    /// Runs `task` on the pool of `scope`.
    pub fn spawn<'scope>(
        &mut self,
        scope: &rayon::Scope<'scope>,
        task: impl FnOnce() -> T + Send + 'scope,
    ) where
        T: 'scope,
    {
        let number = self.made;
        self.made += 1;
        let sender = self.sender.clone();
        scope.spawn(move |_| {
            let result = panic::catch_unwind(AssertUnwindSafe(task));
            // The receiver is held by whoever spawned the task, which outlives the scope.
            let _ = sender.send((number, result));
        });
    }

    /// Tasks spawned and not taken back yet.
    pub fn pending(&self) -> usize {
        self.made - self.taken
    }

    /// What the oldest task not taken back returned, once it is done; its panic, if it
    /// panicked, goes on here. Only called while [`InOrder::pending`] is not zero.
    pub fn next(&mut self) -> T {
        debug_assert!(self.pending() > 0);
        loop {
            if let Some(result) = self.early.remove(&self.taken) {
                self.taken += 1;
                return result.unwrap_or_else(|payload| panic::resume_unwind(payload));
            }
            let (number, result) =
                (self.receiver.recv()).expect("the receiver's own sender keeps the channel open");
            self.early.insert(number, result);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn results_come_back_in_the_order_tasks_were_made() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let mut tasks = InOrder::new();
        let got: Vec<u64> = pool.in_place_scope(|scope| {
            // Earlier tasks take longer, so they finish after later ones.
            for i in 0..20u64 {
                tasks.spawn(scope, move || {
                    thread::sleep(Duration::from_millis(20 - i));
                    i
                });
            }
            (0..20).map(|_| tasks.next()).collect()
        });
        assert_eq!(got, (0..20).collect::<Vec<_>>());
        assert_eq!(tasks.pending(), 0);
    }

    #[test]
    fn a_panic_goes_on_where_its_result_is_taken() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let mut tasks = InOrder::new();
        let caught = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.in_place_scope(|scope| {
                tasks.spawn(scope, || 1);
                tasks.spawn(scope, || panic!("task failed"));
                assert_eq!(tasks.next(), 1);
                tasks.next()
            })
        }));
        let payload = caught.unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"task failed"));
    }
}
