"""report_run - one `dcsite run` of a scenario into a folder, and its JSON
summary read once; the suites that read the planner's reports (workbook,
printed pages) extend it with their own readers."""
import json
import os
import subprocess


class ReportRun:
    def __init__(self, dcsite, scenario, outdir, cwd):
        self.outdir = outdir
        with open(scenario) as fp:
            self.scenario = json.load(fp)
        self.name = self.scenario["name"]
        self.proc = subprocess.run([dcsite, "run", scenario, "-o", outdir, "--quiet"],
                                   capture_output=True, text=True, timeout=300, cwd=cwd)
        self._js = None

    def check(self, case):
        case.assertEqual(self.proc.returncode, 0, "dcsite run failed: rc=%s\n%s"
                         % (self.proc.returncode, self.proc.stderr))

    def path(self, ext):
        return os.path.join(self.outdir, "%s.%s" % (self.name, ext))

    def js(self):
        if self._js is None:
            with open(self.path("json")) as fp:
                self._js = json.load(fp)
        return self._js
