#!/usr/bin/python3
"""Runs the unittest files of a folder (discovery) for ctest.

Under CI=true a skipped test fails the run, listing what was skipped and why: a missing
dependency must never hide a suite from the README's test command. No test found fails too.

  run_unittests.py FOLDER [PATTERN]     (PATTERN: default test*.py)
"""

import os
import sys
import unittest


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    start = sys.argv[1]
    pattern = sys.argv[2] if len(sys.argv) == 3 else "test*.py"
    suite = unittest.defaultTestLoader.discover(start, pattern=pattern, top_level_dir=start)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        return 1
    if result.testsRun == 0:
        print(f"error: no test found in {start} ({pattern})", file=sys.stderr)
        return 1
    if result.skipped and os.environ.get("CI") == "true":
        print(f"error: CI=true and {len(result.skipped)} tests skipped (install what they need in "
              "scripts/setup.sh):", file=sys.stderr)
        for test, why in result.skipped:
            print(f"  {test.id()}: {why}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
