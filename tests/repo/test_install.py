"""test_install - `make install` puts the binary, the manual page and the
docs where PREFIX and DESTDIR say, and the installed page renders with
man(1) and lists every option the installed binary's --help lists.

Runs make on the build directory the suite was given (BUILD_DIR, default
build): everything is built already, so make only copies files.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import tapkit  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.environ.get("BUILD_DIR", "build")


def make_env():
    # not make's jobserver of the outer `make test`
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env["LC_ALL"] = "C"
    return env


def make_install(*args):
    r = subprocess.run(["make", "--no-print-directory", "-C", ROOT, "BUILD=" + BUILD, "install"]
                       + list(args), env=make_env(), capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("make install %s failed:\n%s%s" % (args, r.stdout, r.stderr))


def long_options(help_text):
    return sorted(set(re.findall(r"^\s+-\w, (--[a-z-]+)", help_text, re.M)))


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dcsite-install-")
        cls.dest = os.path.join(cls.tmp, "dest")
        make_install("DESTDIR=" + cls.dest, "PREFIX=/usr")
        cls.prefix = os.path.join(cls.dest, "usr")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_binary_runs_from_where_it_is_installed(self):
        exe = os.path.join(self.prefix, "bin", "dcsite")
        self.assertTrue(os.access(exe, os.X_OK), exe)
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout
        self.assertRegex(out, r"^dcsite \d+\.\d+\.\d+\n")

    def test_manual_page_renders_with_every_option(self):
        page = os.path.join(self.prefix, "share", "man", "man1", "dcsite.1")
        self.assertTrue(os.path.isfile(page), page)
        env = make_env()
        env["MANWIDTH"] = "100"
        r = subprocess.run(["man", "--warnings", "-l", page], env=env, capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "", "roff warnings")
        text = r.stdout
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "ENVIRONMENT",
                        "EXIT STATUS", "EXAMPLES", "SEE ALSO"):
            self.assertRegex(text, r"(?m)^%s$" % section)
        exe = os.path.join(self.prefix, "bin", "dcsite")
        help_text = subprocess.run([exe, "--help"], capture_output=True, text=True).stdout
        opts = long_options(help_text)
        self.assertGreaterEqual(len(opts), 10)
        options = text[text.index("\nOPTIONS\n"):text.index("\nENVIRONMENT\n")]
        self.assertEqual(long_options(options), opts)
        for code in re.findall(r"(\d+) [a-z]", help_text[help_text.index("Exit codes:"):]):
            self.assertRegex(text, r"(?m)^ {7}%s +\S" % code)

    def test_docs_are_installed(self):
        # README.md and docs/ as in the source, so the README's links work
        doc = os.path.join(self.prefix, "share", "doc", "dcsite")
        pages = sorted(f for f in os.listdir(os.path.join(ROOT, "docs")) if f.endswith(".md"))
        self.assertGreaterEqual(len(pages), 8)
        for name in ["README.md"] + [os.path.join("docs", p) for p in pages]:
            with open(os.path.join(ROOT, name)) as a, open(os.path.join(doc, name)) as b:
                self.assertEqual(a.read(), b.read(), name)

    def test_prefix_without_destdir(self):
        prefix = os.path.join(self.tmp, "prefix")
        make_install("PREFIX=" + prefix)
        self.assertTrue(os.access(os.path.join(prefix, "bin", "dcsite"), os.X_OK))
        self.assertTrue(os.path.isfile(os.path.join(prefix, "share", "man", "man1", "dcsite.1")))


if __name__ == "__main__":
    sys.exit(tapkit.run_module(sys.modules[__name__],
                               os.environ.get("DCSITE", os.path.join(ROOT, BUILD, "dcsite")),
                               sys.stdout))
