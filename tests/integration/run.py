#!/usr/bin/env python3
# run.py — uwsgitop integration tests against a real uWSGI (and fake servers).
#
# usage: run.py --binary PATH/uwsgitop [--only NAME[,NAME...]] [--list] [--keep] [-v]
#   --only takes case names or prefixes, or CASE/PART for single parts
#
# Prints one line per case (PASS/FAIL/SKIP NAME), details under each FAIL
# (uwsgitop command, exit code, stdout/stderr excerpts, uWSGI log tail), and
# ends with "N passed, N failed, N skipped" alone on the last line. Exit code
# 1 when any case failed, 2 on a usage error, else 0.
#
# Needs Debian's uwsgi-core + uwsgi-plugin-python3 (gevent cases also
# uwsgi-plugin-gevent-python3 + python3-gevent, else SKIP). Every uWSGI is
# stopped by its own pid, also on SIGINT/SIGTERM. Python 3 stdlib only.
import argparse
import atexit
import os
import shutil
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
import suite  # noqa: E402
import cases_counts  # noqa: E402,F401  (registers cases)
import cases_lifecycle  # noqa: E402,F401
import cases_shapes  # noqa: E402,F401
import cases_hostile  # noqa: E402,F401
import cases_cli  # noqa: E402,F401
import cases_screen  # noqa: E402,F401
import cases_exporter  # noqa: E402,F401
import cases_recordings  # noqa: E402,F401
import cases_events  # noqa: E402,F401
import cases_actions  # noqa: E402,F401
import cases_actions_hostile  # noqa: E402,F401
import cases_screen_actions  # noqa: E402,F401
import cases_fleet_scale  # noqa: E402,F401
import cases_stacks  # noqa: E402,F401
import cases_cpu  # noqa: E402,F401


def _interrupted(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


def isolate_settings():
    """Empty XDG config/state dirs for every uwsgitop a case starts: the
    user's own config.toml or saved view must not change what a test sees."""
    home = tempfile.mkdtemp(prefix="uwsgitop-integ-home-")
    atexit.register(shutil.rmtree, home, True)
    os.environ["XDG_CONFIG_HOME"] = os.environ["XDG_STATE_HOME"] = home


def main():
    isolate_settings()
    ap = argparse.ArgumentParser(description="uwsgitop integration tests")
    ap.add_argument("--binary", required=True, help="the uwsgitop binary under test")
    ap.add_argument("--only", default="", help="comma-separated case names or prefixes")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--keep", action="store_true", help="keep each case's temp dir")
    ap.add_argument("-v", "--verbose", action="store_true", help="show every uwsgitop run")
    args = ap.parse_args()

    if args.list:
        for name, _ in suite.CASES:
            print(name)
        return 0
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print("run.py: %s is not an executable" % binary, file=sys.stderr)
        return 2
    if not shutil.which(harness.UWSGI):
        print("run.py: no uwsgi on PATH (Debian: uwsgi-core uwsgi-plugin-python3)", file=sys.stderr)
        return 2

    atexit.register(harness.stop_all)
    signal.signal(signal.SIGTERM, _interrupted)
    signal.signal(signal.SIGINT, _interrupted)

    wanted = [w for w in args.only.split(",") if w]
    results = suite.Results(sys.stdout)
    t0 = time.monotonic()
    try:
        for name, fn in suite.CASES:
            if wanted and not any(name.startswith(w) or w.startswith(name + "/") for w in wanted):
                continue
            ctx = suite.Ctx(binary, name, results, keep=args.keep, verbose=args.verbose)
            if not any(name.startswith(w) for w in wanted):
                ctx.only_parts = [w for w in wanted if w.startswith(name + "/")]
            ctx.run_case(fn)
    except KeyboardInterrupt:
        print("interrupted: stopping every uWSGI started", flush=True)
        harness.stop_all()
        results.failed += 1
    finally:
        harness.stop_all()
    print("(%.1f s)" % (time.monotonic() - t0))
    print(results.summary(), flush=True)
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
