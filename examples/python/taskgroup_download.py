# taskgroup_download.py — the crash course's example, as CPython runs it:
# Key Concepts, 3. Tasks & Concurrency (asyncio.TaskGroup).
# examples/expected/taskgroup_download.txt is what this program prints.
import asyncio

async def download_file(filename, url):
    print(f"Downloading {filename} from {url}...")
    # Simulate network request
    await asyncio.sleep(2)
    if "error" in url:
        raise ValueError(f"Failed to download {filename}")
    print(f"Finished downloading {filename}")
    return f"Content of {filename}"

async def main_task_group():
    print("Main: Starting file downloads with TaskGroup...")
    files_to_download = {
        "report.pdf": "http://example.com/report.pdf",
        "data.csv": "http://example.com/data.csv",
        "invalid.json": "http://example.com/error_data.json" # This will cause an error
    }
    results = {}
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = []
            for name, url in files_to_download.items():
                task = tg.create_task(download_file(name, url))
                tasks.append(task)
            # You don't explicitly await tasks here; the TaskGroup waits for them on exit
            # If any task fails, others are cancelled, and an ExceptionGroup is raised on tg exit
    except* ValueError as eg:
        print(f"Main: Caught exception group: {eg}")
        for exc in eg.exceptions:
            print(f"  Individual exception: {exc}")
    # Changed from the guide, which has `except Exception as e:` here: a try
    # cannot mix except and except* (CPython rejects the guide's code with a
    # SyntaxError), so this handler is an except* one too.
    except* Exception as e:
        print(f"Main: Caught unexpected exception: {e}")
    finally:
        # After TaskGroup exits (either normally or due to exception),
        # results can be retrieved from individual tasks if they completed.
        for name, task in zip(files_to_download.keys(), tasks):
            if task.done() and not task.cancelled():
                try:
                    results[name] = task.result()
                except Exception as e:
                    results[name] = f"Error: {e}"
            elif task.cancelled():
                results[name] = "Cancelled"
            else:
                results[name] = "Still pending (should not happen with TaskGroup if awaited)"

    print(f"Main: Final download status: {results}")

if __name__ == "__main__":
    asyncio.run(main_task_group())
