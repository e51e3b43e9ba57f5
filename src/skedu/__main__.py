"""Command line entry points: ``python -m skedu demo`` and ``python -m skedu bench``."""

import argparse
import sys


def main(argv=None):
    """Run the command named on the command line.

    Parameters
    ----------
    argv : list of str or None
        Arguments; ``sys.argv[1:]`` when None.
    """
    parser = argparse.ArgumentParser(prog="python -m skedu", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="fit every estimator on bundled data, compare with scikit-learn")
    demo.add_argument("--n-jobs", type=int, default=None, help="threads for skedu's kernels")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        return run_demo(n_jobs=args.n_jobs)
    return 0  # pragma: no cover - argparse rejects other commands


if __name__ == "__main__":
    sys.exit(main())
