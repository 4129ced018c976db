// gather: order of results, first error, cancellation of the awaiting task.
mod common;

use asyncore::{gather, sleep, spawn, Error};
use common::{vloop, Trace};

#[test]
fn results_keep_argument_order() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let v = gather([3.0, 1.0, 2.0].map(|d| async move {
            sleep(d).await?;
            Ok(d as i64)
        }))
        .await?;
        Ok((v, asyncore::time()))
    });
    assert_eq!(r.unwrap(), (vec![3, 1, 2], 3.0));
}

#[test]
fn the_first_error_is_returned_and_the_others_keep_running() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    let r: Result<Vec<()>, Error> = lp.run_until_complete(async move {
        let tr2 = tr.clone();
        let r = gather(vec![
            Box::pin(async move {
                sleep(2.0).await?;
                tr2.push("slow finished");
                Ok(())
            }) as std::pin::Pin<Box<dyn std::future::Future<Output = asyncore::Result<()>>>>,
            Box::pin(async {
                sleep(1.0).await?;
                Err(Error::host("bad"))
            }),
        ])
        .await;
        tr.push(format!("gather at {}", asyncore::time()));
        sleep(5.0).await?;
        r
    });
    assert_eq!(r.unwrap_err(), Error::host("bad"));
    // gather fails as soon as a child fails; the other child goes on.
    assert_eq!(t.joined(), "gather at 1 slow finished");
}

#[test]
fn cancelling_the_awaiting_task_cancels_every_child() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let tr2 = tr.clone();
        let waiter = spawn(async move {
            gather((1..=3).map(|i| {
                let tr3 = tr2.clone();
                async move {
                    let r = sleep(10.0).await;
                    tr3.push(format!("child{i} {}", if r.is_err() { "cancelled" } else { "done" }));
                    r
                }
            }))
            .await
        });
        sleep(1.0).await?;
        waiter.cancel();
        let r = waiter.await;
        tr.push(format!("waiter {}", r.unwrap_err().name()));
        sleep(1.0).await?;
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "child1 cancelled child2 cancelled child3 cancelled waiter AC_ECANCELLED");
}
