//! Coroutines are run concurrently by gather:
//!
//!     async def fetch_data(delay_seconds, item):
//!         print(f"Start fetching {item}...")
//!         await asyncio.sleep(delay_seconds)
//!         print(f"Finished fetching {item}!")
//!         return f"Data for {item}"
use std::time::Duration;
use asyncore::{gather, sleep, Result};
use asyncore_examples::py_list;

async fn fetch_data(delay_seconds: u32, item: &'static str) -> Result<String> {
    println!("Start fetching {item}...");
    sleep(Duration::from_secs(delay_seconds.into())).await?;
    println!("Finished fetching {item}!");
    Ok(format!("Data for {item}"))
}

fn main() {
    asyncore_examples::run(async {
        println!("Main started");
        let coroutine1 = fetch_data(2, "user_profile");
        let coroutine2 = fetch_data(1, "product_catalog");
        let results = gather(vec![coroutine1, coroutine2]).await?;
        println!("Results: {}", py_list(&results));
        println!("Main finished");
        Ok(())
    })
}
