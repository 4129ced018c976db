//! asyncio.run(main()):
//!
//!     async def main():
//!         print("Hello")
//!         await asyncio.sleep(0.1)
//!         print("World")
use asyncore::sleep;

fn main() {
    asyncore_examples::run(async {
        println!("Hello");
        sleep(0.1).await?;
        println!("World");
        Ok(())
    })
}
