//! A multi-producer, single-consumer channel over the loop's queue
//! ([`Queue`] with shutdown): it closes when the last [`Sender`] is
//! dropped (the receiver still gets what was sent, then `None`), and when
//! the [`Receiver`] is dropped (sends fail from then on).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use asyncore_sys as sys;

use crate::error::{Error, Result};
use crate::net::Op;
use crate::queue::Queue;

struct Shared<T> {
    queue: Queue<T>,
    senders: Cell<usize>,
    /// Messages a dropped `recv` had already taken from the queue: the
    /// next `recv` returns them first, in order.
    returned: RefCell<VecDeque<T>>,
}

/// Makes a channel of the current loop holding at most `capacity`
/// messages (0: no limit): [`Sender::send`] waits while it is full.
pub fn channel<T: 'static>(capacity: usize) -> Result<(Sender<T>, Receiver<T>)> {
    let shared = Rc::new(Shared { queue: Queue::new(capacity)?, senders: Cell::new(1), returned: RefCell::default() });
    Ok((Sender { shared: shared.clone() }, Receiver { shared }))
}

/// The sending side; clone it for more producers. When the last clone is
/// dropped the channel closes: the receiver gets the messages left, then
/// `None`.
pub struct Sender<T: 'static> {
    shared: Rc<Shared<T>>,
}

impl<T: 'static> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.senders.set(self.shared.senders.get() + 1);
        Sender { shared: self.shared.clone() }
    }
}

impl<T: 'static> Drop for Sender<T> {
    fn drop(&mut self) {
        let n = self.shared.senders.get() - 1;
        self.shared.senders.set(n);
        if n == 0 {
            // Items already in stay readable (a shutdown that is not immediate).
            let _ = self.shared.queue.shutdown(false);
        }
    }
}

fn closed_error() -> Error {
    Error::with_message(sys::AC_ESHUTDOWN, "channel closed")
}

impl<T: 'static> Sender<T> {
    /// Sends `msg`, waiting while the channel is full. `Err`
    /// (QueueShutDown) once the receiver is gone; the message is dropped.
    pub async fn send(&self, msg: T) -> Result<()> {
        if self.is_closed() {
            return Err(closed_error());
        }
        self.shared.queue.put(msg).await.map_err(|e| if e.code() == sys::AC_ESHUTDOWN { closed_error() } else { e })
    }

    /// Sends without waiting; on failure (full: QueueFull, closed:
    /// QueueShutDown) the message comes back with the error.
    pub fn try_send(&self, msg: T) -> std::result::Result<(), (Error, T)> {
        if self.is_closed() {
            return Err((closed_error(), msg));
        }
        self.shared.queue.put_nowait(msg)
    }

    /// True once the receiver was dropped (or closed the channel).
    pub fn is_closed(&self) -> bool {
        // While a sender exists, only the receiver shuts the queue down.
        self.shared.queue.is_shutdown()
    }
}

/// The receiving side (one). Dropping it closes the channel: messages
/// left are dropped, senders get errors.
pub struct Receiver<T: 'static> {
    shared: Rc<Shared<T>>,
}

impl<T: 'static> Drop for Receiver<T> {
    fn drop(&mut self) {
        let _ = self.shared.queue.shutdown(true);
        self.shared.returned.borrow_mut().clear();
    }
}

impl<T: 'static> Receiver<T> {
    /// The next message, waiting for one: `Ok(None)` once every sender is
    /// gone and the messages sent were all received. Dropped before it
    /// finished (lost a [`select`](crate::select), a timeout), it takes
    /// nothing: a message it had already taken is returned by the next
    /// `recv`.
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv { rx: self, op: None }
    }

    /// A message if one is ready: `Ok(Some)`, `Ok(None)` when closed and
    /// drained, `Err` (QueueEmpty) when none is ready yet.
    pub fn try_recv(&mut self) -> Result<Option<T>> {
        if let Some(m) = self.shared.returned.borrow_mut().pop_front() {
            return Ok(Some(m));
        }
        match self.shared.queue.get_nowait() {
            Ok(m) => Ok(Some(m)),
            Err(e) if e.code() == sys::AC_ESHUTDOWN => Ok(None),
            Err(e) if e.code() == sys::AC_EEMPTY && self.shared.queue.is_shutdown() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Closes the channel from this side: sends fail from now on; the
    /// messages already sent can still be received.
    pub fn close(&mut self) {
        let _ = self.shared.queue.shutdown(false);
    }

    /// Messages waiting.
    pub fn len(&self) -> usize {
        self.shared.queue.qsize() + self.shared.returned.borrow().len()
    }

    /// True when no message waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The future of [`Receiver::recv`].
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a, T: 'static> {
    rx: &'a mut Receiver<T>,
    op: Option<Op<T>>,
}

impl<T: 'static> std::future::Future for Recv<'_, T> {
    type Output = Result<Option<T>>;
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        let this = &mut *self;
        if this.op.is_none() {
            if let Some(m) = this.rx.shared.returned.borrow_mut().pop_front() {
                return std::task::Poll::Ready(Ok(Some(m)));
            }
            this.op = Some(this.rx.shared.queue.get());
        }
        let r = std::task::ready!(std::pin::Pin::new(this.op.as_mut().unwrap()).poll(cx));
        this.op = None;
        std::task::Poll::Ready(match r {
            Ok(m) => Ok(Some(m)),
            Err(e) if e.code() == sys::AC_ESHUTDOWN => Ok(None),
            Err(e) => Err(e),
        })
    }
}

impl<T: 'static> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if let Some(op) = self.op.take() {
            if let Some(m) = op.take_unread() {
                self.rx.shared.returned.borrow_mut().push_back(m);
            }
        }
    }
}
