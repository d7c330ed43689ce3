"""tapkit - the TAP runner shared by dcsite's end-to-end suites.

run_module() runs every unittest.TestCase class of a suite module, in the
order they are defined, printing one TAP line per test (`ok N - name` or
`not ok N - name` with `# ` diagnostics), then the plan `1..N` and a
summary comment.  A skipped test counts as a failure: the suites have none.
"""
import os
import time
import unittest


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def dcsite_path():
    """DCSITE from the environment (relative to the current directory, or
    failing that to the repo root); default build/dcsite under the repo."""
    p = os.environ.get("DCSITE")
    if not p:
        return os.path.join(REPO, "build", "dcsite")
    if os.path.isabs(p) or os.path.exists(p):
        return os.path.abspath(p)
    return os.path.join(REPO, p)


def absolute_scenario(path):
    """The scenario at path as a dict, its dataset paths (and "../" entries of
    lists, such as weather stations) made absolute, so that a copy runs from
    any directory."""
    import json
    with open(path) as fh:
        scn = json.load(fh)
    base = os.path.dirname(os.path.abspath(path))

    def fix(o):
        items = o.items() if isinstance(o, dict) else enumerate(o) if isinstance(o, list) else ()
        for k, v in list(items):
            if (k == "dataset" and isinstance(o, dict)) or \
                    (isinstance(o, list) and isinstance(v, str) and v.startswith("../")):
                o[k] = os.path.normpath(os.path.join(base, v))
            else:
                fix(v)
    fix(scn)
    return scn


class TapResult(unittest.TestResult):
    """Prints one TAP line per test as it finishes."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream
        self.count = 0
        self.failed = 0
        self._diag = []

    @staticmethod
    def _name(test):
        if isinstance(test, unittest.TestCase):
            return "%s.%s" % (type(test).__name__, test._testMethodName)
        return str(test)

    def _emit(self, test, ok, diag=()):
        self.count += 1
        if not ok:
            self.failed += 1
        self.stream.write("%s %d - %s\n" % ("ok" if ok else "not ok", self.count,
                                            self._name(test)))
        for d in diag:
            for ln in d.rstrip("\n").split("\n"):
                self.stream.write("# %s\n" % ln)
        self.stream.flush()

    def startTest(self, test):
        super().startTest(test)
        self._diag = []

    def stopTest(self, test):
        super().stopTest(test)
        self._emit(test, not self._diag, self._diag)

    def _err(self, test, err):
        text = self._exc_info_to_string(err, test)
        if isinstance(test, unittest.TestCase):
            self._diag.append(text)
        else:  # setUpModule / setUpClass failure: no start/stop
            self._emit(test, False, [text])

    def addError(self, test, err):
        super().addError(test, err)
        self._err(test, err)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._err(test, err)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._diag.append("%s\n%s" % (subtest, self._exc_info_to_string(err, test)))

    def addSkip(self, test, reason):  # the suites skip nothing: a skip fails
        super().addSkip(test, reason)
        self._diag.append("skipped: %s" % reason)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._diag.append("unexpected success")


def run_module(module, dcsite, stream):
    """Run the module's TestCase classes; returns the exit status (0 when
    every test passed and there was at least one)."""
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for obj in list(vars(module).values()):
        if (isinstance(obj, type) and issubclass(obj, unittest.TestCase)
                and obj.__module__ == module.__name__ and loader.getTestCaseNames(obj)):
            suite.addTests(loader.loadTestsFromTestCase(obj))
    if not os.access(dcsite, os.X_OK):
        stream.write("Bail out! dcsite binary not found or not executable: %s\n" % dcsite)
        return 1
    t0 = time.monotonic()
    result = TapResult(stream)
    suite.run(result)
    stream.write("1..%d\n" % result.count)
    stream.write("# %d tests, %d failed, %.1f s (dcsite: %s)\n"
                 % (result.count, result.failed, time.monotonic() - t0, dcsite))
    return 0 if result.failed == 0 and result.count > 0 else 1
