//! asyncio.TaskGroup: the group waits for every download; the failing one
//! comes back inside a group error, the others keep their results:
//!
//!     async def download_file(filename, url):
//!         print(f"Downloading {filename} from {url}...")
//!         await asyncio.sleep(2)
//!         if "error" in url:
//!             raise ValueError(f"Failed to download {filename}")
//!         print(f"Finished downloading {filename}")
//!         return f"Content of {filename}"
//!
//!     try:
//!         async with asyncio.TaskGroup() as tg:
//!             for name, url in files_to_download.items():
//!                 tasks.append(tg.create_task(download_file(name, url)))
//!     except* ValueError as eg:
//!         ...
use std::time::Duration;
use std::cell::RefCell;
use std::rc::Rc;

use asyncore::{sleep, task_group, Error, JoinHandle, Result};

async fn download_file(filename: &'static str, url: &'static str) -> Result<String> {
    println!("Downloading {filename} from {url}...");
    sleep(Duration::from_secs(2)).await?;
    if url.contains("error") {
        return Err(Error::host(format!("Failed to download {filename}")));
    }
    println!("Finished downloading {filename}");
    Ok(format!("Content of {filename}"))
}

fn main() {
    asyncore_examples::run(async {
        println!("Main: Starting file downloads with TaskGroup...");
        let files_to_download = [
            ("report.pdf", "http://example.com/report.pdf"),
            ("data.csv", "http://example.com/data.csv"),
            ("invalid.json", "http://example.com/error_data.json"),
        ];
        let tasks: Rc<RefCell<Vec<JoinHandle<String>>>> = Rc::default();
        let spawned = tasks.clone();
        let r = task_group(|tg| async move {
            for (name, url) in files_to_download {
                spawned.borrow_mut().push(tg.spawn(download_file(name, url))?);
            }
            Ok(())
        })
        .await;
        match r {
            Err(eg @ Error::Group { .. }) => {
                println!("Main: Caught exception group: {}", eg.message());
                for exc in eg.children() {
                    println!("  Individual exception: {}", exc.message());
                }
            }
            Err(e) => println!("Main: Caught unexpected exception: {}", e.message()),
            Ok(()) => {}
        }
        let mut results = Vec::new();
        for ((name, _), task) in files_to_download.iter().zip(tasks.borrow_mut().iter_mut()) {
            let status = match task.try_result() {
                Some(Ok(content)) => content,
                Some(Err(Error::Cancelled { .. })) => "Cancelled".to_string(),
                Some(Err(e)) => format!("Error: {}", e.message()),
                None => "Still pending (should not happen with TaskGroup if awaited)".to_string(),
            };
            results.push(format!("'{name}': '{status}'"));
        }
        println!("Main: Final download status: {{{}}}", results.join(", "));
        Ok(())
    })
}
