//! Run a command and read its output (asyncio's create_subprocess_exec
//! with stdout=PIPE, then create_subprocess_shell with communicate()).
//! Children run in real time: --virtual-clock changes nothing here.
use asyncore::{Command, Result, Stdio};

async fn main_task() -> Result<()> {
    println!("$ printf 'alpha\\nbeta\\ngamma\\n'");
    let child = Command::new("printf").arg("alpha\\nbeta\\ngamma\\n").stdout(Stdio::Piped).spawn()?;
    let out = child.stdout.as_ref().expect("a pipe");
    let mut n = 0;
    loop {
        let line = out.read_line().await?;
        if line.is_empty() {
            break;
        }
        n += 1;
        print!("line {n}: {}", String::from_utf8_lossy(&line));
    }
    println!("exit status {}", child.wait().await?);

    println!("$ echo out; echo oops >&2; exit 3");
    let sh = Command::shell("echo out; echo oops >&2; exit 3")
        .stdout(Stdio::Piped)
        .stderr(Stdio::Piped)
        .spawn()?;
    let r = sh.communicate(b"").await?;
    print!("stdout: {}", String::from_utf8_lossy(&r.stdout));
    print!("stderr: {}", String::from_utf8_lossy(&r.stderr));
    println!("exit status {}", r.status);
    Ok(())
}

fn main() {
    asyncore_examples::run(main_task())
}
