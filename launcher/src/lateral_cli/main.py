"""`lateral`: the one command for embedded mode, and a front door to every service's own command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path

from lateral_shared.logging import configure_logging

from .services import SERVICE_NAMES, SERVICES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lateral", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="run all seven services in one process (embedded mode)")
    up.add_argument("--data-dir", type=Path, default=Path("data"), help="where data is kept")
    up.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    up.add_argument("--port", type=int, default=8000)
    up.add_argument(
        "--demo-records",
        type=int,
        default=3000,
        help="synthetic records loaded on first start (0: none)",
    )
    up.add_argument("--seed", type=int, default=7, help="seed of the synthetic demo data")
    up.add_argument("--log-level", default="WARNING")
    run = sub.add_parser("run", help="run one service on its own (distributed mode)")
    run.add_argument("service", choices=SERVICE_NAMES)
    run.add_argument("args", nargs=argparse.REMAINDER, help="the service's own command and options")
    docs = sub.add_parser(
        "config-docs", help="write docs/configuration.md from the settings classes"
    )
    docs.add_argument("--output", type=Path, default=Path("docs/configuration.md"))
    docs.add_argument("--check", action="store_true", help="fail if the file is out of date")
    from lateral_synthetic.__main__ import add_arguments as add_synth_arguments

    add_synth_arguments(sub.add_parser("synth", help="write a synthetic region's data to a folder"))
    from .eval_linkage import add_arguments as add_eval_arguments
    from .train_linkage import add_arguments as add_train_arguments

    add_eval_arguments(
        sub.add_parser("eval-linkage", help="measure person linking against the truth and Splink")
    )
    add_train_arguments(
        sub.add_parser("train-linkage-model", help="estimate a match model from partner data")
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "up":
        from .embedded import EmbeddedLayout, run

        configure_logging(args.log_level)
        layout = EmbeddedLayout(args.data_dir.resolve())
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(
                run(
                    layout,
                    host=args.host,
                    port=args.port,
                    demo_records=args.demo_records,
                    seed=args.seed,
                )
            )
        return 0
    if args.command == "run":
        sys.argv = [f"lateral-{args.service}", *args.args]
        result = SERVICES[args.service].main()
        return int(result or 0)
    if args.command == "config-docs":
        from .config_docs import render

        text = render()
        if args.check:
            current = args.output.read_text() if args.output.exists() else ""
            if current != text:
                print(f"{args.output} is out of date: run `lateral config-docs`", file=sys.stderr)
                return 1
            return 0
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
        return 0
    from lateral_synthetic.__main__ import run as run_synth

    return run_synth(args) if args.command == "synth" else _run_linkage_command(args)


def _run_linkage_command(args: argparse.Namespace) -> int:
    """`eval-linkage` and `train-linkage-model` (imported only when asked for: Splink is big)."""
    if args.command == "eval-linkage":
        from .eval_linkage import run as run_eval

        return run_eval(args)
    if args.command == "train-linkage-model":
        from .train_linkage import run as run_train

        return run_train(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
