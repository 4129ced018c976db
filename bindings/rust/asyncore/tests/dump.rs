// Seeing into a loop: Loop::dump, dump_json and stats.
mod common;

use asyncore::{sleep, spawn, Event, Lock, Queue};
use common::vloop;

/// Addresses change from run to run: the tests compare the rest.
fn plain(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("0x") {
        out.push_str(&rest[..i]);
        out.push_str("ADDR");
        let tail = &rest[i + 2..];
        let n = tail.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(tail.len());
        rest = &tail[n..];
    }
    out.push_str(rest);
    out
}

#[test]
fn dump_shows_every_task_and_what_it_awaits() {
    let lp = vloop();
    let (text, json, stats, want_text, want_json) = lp
        .run_until_complete(async {
            let (lock, ev, q) = (Lock::new()?, Event::new()?, Queue::<i64>::new(0)?);
            let c = {
                let (lock, ev) = (lock.clone(), ev.clone());
                spawn(async move {
                    let _g = lock.lock().await?;
                    ev.wait().await
                })
            };
            c.set_name("C")?;
            sleep(0.0).await?;
            let b = {
                let lock = lock.clone();
                spawn(async move {
                    let _g = lock.lock().await?;
                    Ok(())
                })
            };
            b.set_name("B")?;
            let bid = b.id();
            let a = spawn(b); // A awaits B
            a.set_name("A")?;
            let d = {
                let lock = lock.clone();
                spawn(async move {
                    let _g = lock.lock().await?;
                    Ok(())
                })
            };
            d.set_name("D")?;
            let e = spawn(async { sleep(5.0).await });
            e.set_name("E")?;
            let f = {
                let q = q.clone();
                spawn(async move { q.get().await.map(|_| ()) })
            };
            f.set_name("F")?;
            let me = asyncore::current_task().expect("a task");
            me.set_name("main")?;
            sleep(2.5).await?;
            let text = asyncore::dump()?;
            let json = asyncore::dump_json()?;
            let stats = asyncore::stats()?;
            let (m, a_, c_, d_, e_, f_) = (me.id(), a.id(), c.id(), d.id(), e.id(), f.id());
            let want_text = format!(
                "#{m} main running\n\
                 #{c_} C waiting: event ADDR position=1 waiters=1\n\
                 #{a_} A waiting: task #{bid} B\n\
                 \x20 #{bid} B waiting: lock ADDR position=1 waiters=2 locked=yes\n\
                 #{d_} D waiting: lock ADDR position=2 waiters=2 locked=yes\n\
                 #{e_} E waiting: sleep left=2.500\n\
                 #{f_} F waiting: queue_get ADDR position=1 waiters=1 size=0\n"
            );
            let want_json = format!(
                "{{\"id\":{bid},\"name\":\"B\",\"state\":\"waiting\",\"cancelling\":0,\"awaits\":{{\"kind\":\"lock\",\"object\":\"ADDR\",\"position\":1,\"waiters\":2,\"locked\":true}},\"awaited_by\":[{a_}]}}"
            );
            ev.set()?;
            for t in [&a, &d, &e, &f] {
                t.cancel();
            }
            for t in [a, d, e, f] {
                let _ = t.await;
            }
            c.await?;
            Ok((text, json, stats, want_text, want_json))
        })
        .unwrap();
    assert_eq!(plain(&text), want_text);
    let json_lines: Vec<String> = json.lines().map(plain).collect();
    assert_eq!(json_lines.len(), 7);
    assert!(json_lines.contains(&want_json), "{json}");
    assert_eq!(stats.tasks_alive, 7);
    assert_eq!(stats.tasks_created, 7);
    assert_eq!(stats.timers, 1);
    assert_eq!(lp.dump().unwrap(), "");
    assert_eq!(lp.stats().unwrap().tasks_alive, 0);
}

#[test]
fn dump_between_runs_and_on_a_closed_loop() {
    let lp = vloop();
    let t = lp.spawn(async { sleep(1.0).await });
    t.set_name("sleeper").unwrap();
    assert_eq!(lp.dump().unwrap(), format!("#{} sleeper ready\n", t.id()));
    assert!(lp.dump_json().unwrap().starts_with(&format!("{{\"id\":{},\"name\":\"sleeper\",\"state\":\"ready\"", t.id())));
    assert!(asyncore::dump().is_err()); // no running loop here
    t.cancel();
    lp.run_until_complete(async move {
        let _ = t.await;
        Ok(())
    })
    .unwrap();
    assert_eq!(lp.dump().unwrap(), "");
    lp.close().unwrap();
    assert!(lp.dump().is_err());
    assert!(lp.stats().is_err());
}
