"""Run every benchmark in bench/ (bench_*.py) and print their figures.

    python bench/run.py [name ...] [-- args]
        names: only the benchmarks whose file name contains one of them;
        args after --: passed to every benchmark (e.g. -- --scale medium)

Each benchmark is a script that prints its figures on stdout; this runner runs them
one after the other with the same environment (DATABASE_URL must point to
PostgreSQL: `make bench` sets it), streams what they print, and ends with a summary:
one line per benchmark with its last figure, its wall time and whether it passed.
"""

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names, extra = argv[1:], []
    if "--" in names:
        names, extra = names[: names.index("--")], names[names.index("--") + 1 :]
    scripts = [
        path
        for path in sorted(BENCH_DIR.glob("bench_*.py"))
        if not names or any(name in path.stem for name in names)
    ]
    if not scripts:
        print(f"no benchmark in {BENCH_DIR} matches {' '.join(names)}", file=sys.stderr)
        return 1
    results = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, str(script), *extra], stdout=subprocess.PIPE, text=True, bufsize=1
        )
        figure = ""
        for line in process.stdout:
            print(line, end="", flush=True)
            if line.strip():
                figure = line.strip()
        status = process.wait()
        results.append((script.stem, status, time.monotonic() - started, figure))
    print("\n== summary")
    for name, status, seconds, figure in results:
        outcome = "ok" if status == 0 else f"FAILED (exit {status})"
        print(f"{name}: {outcome} in {seconds:.0f} s — {figure}")
    return 0 if all(status == 0 for _, status, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
