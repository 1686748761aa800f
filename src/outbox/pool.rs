//! The render threads of a `letters render` run: two threads that live for the whole run,
//! each keeping its [`LetterWriter`] (a renderer with the templates folded for every group of
//! letters it has met, and its buffers) from page to page. A page is split between them; its
//! letters come back in the page's order.

use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::letter::{LetterSetup, LetterWriter};
use crate::db::affected::AffectedRow;
use crate::db::outbox::NewNotification;
use crate::error::{Error, Result};
use crate::letters::Channel;

/// People to write to, each on a channel.
pub type Todo = Vec<(AffectedRow, Channel)>;

/// A page's letters, once rendered.
pub type Rendering = tokio::task::JoinHandle<Result<Vec<NewNotification>>>;

struct Task {
    todo: Todo,
    done: oneshot::Sender<Result<Vec<NewNotification>>>,
}

/// Below this many letters a page is not split.
const SPLIT_FROM: usize = 64;

pub struct RenderPool {
    workers: Vec<mpsc::Sender<Task>>,
    threads: Vec<JoinHandle<()>>,
}

impl RenderPool {
    pub fn new(setup: Arc<LetterSetup>, threads: usize) -> Result<RenderPool> {
        let mut pool = RenderPool {
            workers: Vec::new(),
            threads: Vec::new(),
        };
        for n in 0..threads.max(1) {
            let (tx, rx) = mpsc::channel::<Task>();
            let setup = Arc::clone(&setup);
            let thread = std::thread::Builder::new()
                .name(format!("render-{n}"))
                .spawn(move || {
                    let mut writer = LetterWriter::new(&setup);
                    for task in rx {
                        let letters = task
                            .todo
                            .iter()
                            .map(|(row, channel)| setup.render(&mut writer, row, *channel))
                            .collect();
                        // The run stopped waiting: nothing to tell.
                        let _ = task.done.send(letters);
                    }
                })
                .map_err(|e| Error::failure(format!("cannot start a render thread: {e}")))?;
            pool.workers.push(tx);
            pool.threads.push(thread);
        }
        Ok(pool)
    }

    /// Starts rendering `todo`; the handle gives its letters in `todo`'s order.
    pub fn render(&self, todo: Todo) -> Rendering {
        let parts = if todo.len() < SPLIT_FROM {
            1
        } else {
            self.workers.len()
        };
        let size = todo.len().div_ceil(parts);
        let mut rest = todo;
        let mut waiting = Vec::with_capacity(parts);
        for worker in &self.workers[..parts] {
            let tail = rest.split_off(size.min(rest.len()));
            let (done, wait) = oneshot::channel();
            // A worker that is gone drops `done`: the wait below reports it.
            let _ = worker.send(Task { todo: rest, done });
            waiting.push(wait);
            rest = tail;
        }
        tokio::spawn(async move {
            let mut letters = Vec::new();
            for wait in waiting {
                letters.extend(
                    wait.await
                        .map_err(|_| Error::failure("a render thread stopped (it panicked)"))??,
                );
            }
            Ok(letters)
        })
    }
}

impl Drop for RenderPool {
    fn drop(&mut self) {
        self.workers.clear();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}
