"""Command line entry points: ``python -m skedu demo`` and ``python -m skedu --version``."""

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
    parser.add_argument(
        "--version",
        action="store_true",
        help="print skedu's version, its dependencies' and its OpenMP runtime (skedu.show_versions)",
    )
    commands = parser.add_subparsers(dest="command")
    demo = commands.add_parser("demo", help="fit every estimator on bundled data, compare with scikit-learn")
    demo.add_argument("--n-jobs", type=int, default=None, help="threads for skedu's kernels")
    args = parser.parse_args(argv)
    if args.version:
        from .utils._show_versions import show_versions

        show_versions()
        return 0
    if args.command is None:
        parser.error("a command is required (demo), or --version")
    if args.command == "demo":
        from ._demo import run_demo

        return run_demo(n_jobs=args.n_jobs)
    return 0  # pragma: no cover - argparse rejects other commands


if __name__ == "__main__":
    sys.exit(main())
