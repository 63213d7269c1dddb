"""Time sortition draws the way the background task runs them: by default a 2,000-candidate draw with the
package's "legacy" algorithm and a 400-candidate one with "maximin" (the fairest; its time grows fast with
the pool: about half a minute for 400 here, more than an hour for 2,000).

    python bench/sortition_bench.py [--plan legacy:2000:100,maximin:400:40] [--seed 20261124]

The pool is made up (`sortition.samples`: gender, four age bands, five districts), the quotas are
proportional to it with some slack; the draw runs through `sortition.engine.run_in_subprocess`, in a fresh
interpreter with the hash seed fixed, exactly as `sortition.tasks.draw_run` does. Prints the seconds.
No database, no Django settings needed.
"""

import argparse
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from sortition import engine, samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--plan",
        default="legacy:2000:100,maximin:400:40",
        help="comma-separated algorithm:candidates:panel (algorithms: legacy, maximin, nash)",
    )
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()

    failed = False
    for step in args.plan.split(","):
        algorithm, size, panel = step.split(":")
        size, panel = int(size), int(panel)
        people = samples.pool(size, seed=args.seed)
        candidates = samples.to_csv(people)
        quotas = samples.to_csv(samples.quotas_for(people, panel))
        started = time.monotonic()
        result = engine.run_in_subprocess(
            timeout=args.timeout,
            candidates_csv=candidates,
            quotas_csv=quotas,
            panel_size=panel,
            seed=args.seed,
            algorithm=algorithm,
        )
        seconds = time.monotonic() - started
        what = f"sortition: {algorithm} draw of {panel} among {size} candidates"
        if not result.get("ok"):
            print(f"{what}: FAILED after {seconds:.1f} s: {result.get('error')}", flush=True)
            failed = True
            continue
        inside = result.get("info", {}).get("seconds") or 0
        print(
            f"{what}: {seconds:.1f} s ({inside:.1f} s in the algorithm, the rest starting the interpreter), "
            f"sortition-algorithms {engine.package_version()}",
            flush=True,
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
